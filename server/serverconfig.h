#pragma once

#include "billing/appstorereceipt.h"

#include "execution/cellrun.h"
#include "http/trustedproxies.h"
#include "storage/database.h"
#include "storage/databaseurl.h"

#include <QByteArrayList>
#include <QHostAddress>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Kyozo::Server {

// SPEC §11 defaults; every key of the TOML config file is documented in docs/server.md.
struct Limits
{
    qint64 maxFrameBytes = 1024 * 1024;  // close 1009 above
    double messagesPerSecond = 100;      // close 1008 when the bucket is empty
    double messageBurst = 200;
    int heartbeatTimeoutMs = 60 * 1000;  // close 1000 without a heartbeat
    int revocationPollMs = 500;          // revoked tokens' sockets close within this + a query
    int presenceBatchMs = 50;            // presence diffs of one topic are merged this long
    int maxQueuedFrames = 10000;         // close 1008 when a socket falls this far behind
    // Bytes held for one socket, and for all sockets together, before the socket whose next
    // frame would pass either is closed with 1008 (docs/server.md says how they are counted).
    qint64 maxQueuedBytes = 8 * 1024 * 1024;
    qint64 maxQueuedBytesTotal = 256 * 1024 * 1024;
    double bytesPerSecond = 4 * 1024 * 1024; // incoming; close 1008 when the bucket is empty
    int maxSocketsPerUser = 64;          // the next one is closed with 1008 after the upgrade
    int maxJoinsPerSocket = 1000;        // topics joined at once; the next join is refused
    int closeTimeoutMs = 2000;           // a closing socket waits this long for the client's close
    int shutdownTimeoutMs = 5000;        // SIGTERM: exit once every socket closed, or after this
    // A notebook's text: REST bodies that create one (413 above) and, with co-editing, a
    // notebook's size after an op (SPEC §11: bounded before authentication).
    qint64 maxNotebookBytes = 64 * 1024 * 1024;
};

// The HTTP front (server/http/): bounds on what a client may send before and without a
// token (SPEC §11, issue 14 items 1 and 2). Read from [limits] like the channel limits.
struct HttpLimits
{
    qint64 maxHeaderBytes = 64 * 1024;  // request line + headers; 431 above
    qint64 maxBodyBytes = 1024 * 1024;  // any body but a notebook's; 413 above
    int headerTimeoutMs = 10 * 1000;    // the whole head must arrive in this time
    int idleTimeoutMs = 60 * 1000;      // a keep-alive connection without a request
    // A body must keep up this many bytes a second on average beyond its first
    // header_timeout_ms (Apache mod_reqtimeout's MinRate); 0 leaves only the gap timeout.
    int minBodyRate = 500;
    int maxConnectionsPerAddress = 256; // one more is answered 503 and closed
    int listenBacklog = 1024;           // listen(2) backlog
    // [proxy] trusted_addresses: whose X-Forwarded-For/-Proto count, and who is not held
    // to max_connections_per_address (a proxy carries many clients).
    TrustedProxies trustedProxies;
};

// Co-editing (SPEC §5, docs/server.md "Co-editing"), the [coediting] table.
struct CoeditingOptions
{
    qint64 keepOperations = 100000; // operations kept per notebook (at least)
    // A snapshot of the text at least this often, so that a join or GET never replays more
    // operations than this (issue 15: at most 1,000).
    qint64 snapshotInterval = 1000;
    qint64 maxInsertBytes = 256 * 1024; // UTF-8 bytes one op may insert; too_large above
    // A batch join ({"batch": true}) gets the operations of this many milliseconds in one
    // `ops` frame (issue 15: at most 20).
    int batchMs = 20;
};

// Running code cells (SPEC §6, issue 17; docs/server.md "Execution"), the [execution] table.
struct ExecutionOptions
{
    bool enabled = false; // off unless the operator turns it on
    // The user a run's processes get when the server runs as root (the kernel does not
    // enforce RLIMIT_NPROC for uid 0). A server that is not root runs cells as itself.
    QString runAs = QStringLiteral("nobody");
    QString bwrap; // bubblewrap's path; empty: unsandboxed (logged). Default: found on PATH
    // Language (lower-case, the info string's first word) -> argv; "{file}" is the cell's code.
    QMap<QString, QStringList> runners;
    int maxRunsPerUser = 2; // running at once; more wait, `queued`
    int maxRunsPerServer = 4;
    int maxQueuedPerUser = 16; // waiting at once; one more is refused `queue_full`
    // The least workspace role that may start and stop runs ("editor" or "owner"): a solo
    // writer's bundled server shares notebooks with guests who edit but must not run code.
    bool ownersOnly = false;
    // One folder per notebook below this, kept between runs. Default: "executions" in the
    // server's XDG data directory.
    QString workingDirectoryRoot;
    // A JSON file {"NOTEBOOK_ID": "/absolute/folder", ...}, read when a run starts: a notebook
    // listed there runs in that folder instead. The bundled server of solo mode, whose
    // notebooks mirror the writer's own files, runs each in its file's folder.
    QString workingDirectoryMap;
    ExecutionLimits limits; // of each run (docs/server.md "Running a cell")

    // The defaults: bash and sh, python and python3 when python3 is on PATH, bwrap from PATH.
    static ExecutionOptions withDefaults();
    // The folder a notebook's cells run in (notebook ids are hex: see auth/tokenhash.h).
    // `*fromMap`: it is a folder of working_directory_map's, someone's own, which the run
    // uses as it is (it is not handed to run_as).
    QString workingDirectoryFor(const QString &notebookId, bool *fromMap = nullptr) const;
};

// Uploaded files (docs/server.md "Files"), the [files] table.
struct FileOptions
{
    QString directory; // uploads are kept here; default "files" in the server's data directory
    qint64 maxUploadBytes = 64 * 1024 * 1024; // a bigger upload is 413, before or while read
    int maxPendingParses = 16; // uploads waiting for the parser; one more is 503
};

// Billing and licences (SPEC §7, issue 20; docs/billing.md), the [billing] table.
struct BillingOptions
{
    // Stripe endpoint secrets (whsec_…); every one is tried, so a rolled secret can overlap.
    QByteArrayList stripeWebhookSecrets;
    qint64 stripeToleranceSeconds = 300; // Stripe's default; 0 turns the time check off
    // PEM files of Ed25519 private keys; the first signs licences, all are published. Empty:
    // one key generated on first start and kept in the database.
    QStringList signingKeyFiles;
    int licenseMaxDays = 31; // a licence expires at the subscription's expiry or this, earlier
    // Plan code -> its limits (whole numbers, by name). "free" always exists.
    QMap<QString, QMap<QString, qint64>> plans { { QStringLiteral("free"), {} } };
    // Stripe price id or Apple product id -> plan code, for events that name no plan_code.
    QMap<QString, QString> prices;
    // [billing.apple]: App Store Server Notifications V2 and StoreKit 2 transactions.
    QStringList appleRootCertificateFiles; // DER or PEM; Apple Root CA - G3 in production
    QString appleBundleId;
    QString appleEnvironment = QStringLiteral("Production"); // or "Sandbox"
    std::optional<qint64> appleAppAppleId; // required in production
    // [billing.apple] shared_secret, verify_receipt_url, verify_receipt_sandbox_url: the
    // legacy receipts (verifyReceipt) and V1 notifications.
    Billing::ReceiptOptions appleReceipts;
};

// Native TLS (issue 21 item 2; docs/server.md "TLS"), the [tls] table: with both files the
// one port speaks only HTTPS and WSS. Read again on SIGHUP.
struct TlsOptions
{
    QString certificate; // PEM: the server's certificate, then any intermediates
    QString privateKey; // PEM, unencrypted
    bool enabled() const { return !certificate.isEmpty(); }
};

// Several processes on one PostgreSQL database (issue 21 item 1; docs/operator.md "Several
// processes"), the [cluster] table. Unused on SQLite, which one process serves.
struct ClusterOptions
{
    int heartbeatMs = 1000; // each process writes its heartbeat row this often
    // A process whose heartbeat is older than this is taken for dead: its presences leave.
    int processTimeoutMs = 5000;
    // Names the process in phx_refs, presence and /metrics' `process` label; empty: made up
    // of the host name, the pid and a random part, so that a restart is a new process.
    QString processName;
};

struct ServerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 4000;
    DatabaseUrl database = DatabaseUrl::defaultUrl();
    StorageOptions storage; // [storage]
    Limits limits;
    HttpLimits http;
    CoeditingOptions coediting;
    ExecutionOptions execution = ExecutionOptions::withDefaults();
    FileOptions files;
    BillingOptions billing;
    TlsOptions tls;
    ClusterOptions cluster;

    // "ADDR:PORT" (IPv6 in brackets).
    bool setListen(const QString &text, QString *error);
    // Reads a TOML config file (toml++) over the current values.
    bool load(const QString &path, QString *error);
};

} // namespace Kyozo::Server
