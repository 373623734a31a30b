#pragma once

#include "storage/databaseurl.h"

#include <QHostAddress>
#include <QString>

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
};

struct ServerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 4000;
    DatabaseUrl database = DatabaseUrl::defaultUrl();
    Limits limits;

    // "ADDR:PORT" (IPv6 in brackets).
    bool setListen(const QString &text, QString *error);
    // Reads a TOML config file (toml++) over the current values.
    bool load(const QString &path, QString *error);
};

} // namespace Kyozo::Server
