#include "serverconfig.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

#include <toml++/toml.h>

namespace Kyozo::Server {

namespace {
QString tr(const char *text) { return QCoreApplication::translate("ServerConfig", text); }

// The HTTP front's keys live in [limits] beside the channel limits (docs/server.md).
bool loadHttpLimits(toml::node_view<toml::node> l, HttpLimits &http)
{
    http.maxHeaderBytes = l["max_header_bytes"].value_or(http.maxHeaderBytes);
    http.maxBodyBytes = l["max_body_bytes"].value_or(http.maxBodyBytes);
    http.headerTimeoutMs = l["header_timeout_ms"].value_or(http.headerTimeoutMs);
    http.idleTimeoutMs = l["idle_timeout_ms"].value_or(http.idleTimeoutMs);
    http.minBodyRate = l["min_body_rate"].value_or(http.minBodyRate);
    http.maxConnectionsPerAddress = l["max_connections_per_address"].value_or(http.maxConnectionsPerAddress);
    http.listenBacklog = l["listen_backlog"].value_or(http.listenBacklog);
    // http-parser stops at 80 KiB of head whatever we allow (HTTP_MAX_HEADER_SIZE).
    return http.maxHeaderBytes >= 1024 && http.maxHeaderBytes <= 80 * 1024 && http.maxBodyBytes >= 0
            && http.headerTimeoutMs >= 10 && http.idleTimeoutMs >= 10 && http.minBodyRate >= 0 && http.maxConnectionsPerAddress >= 1
            && http.listenBacklog >= 1;
}
// [execution] (docs/server.md "Execution"): every key optional over the defaults.
bool loadBilling(toml::node_view<toml::node> b, BillingOptions &billing, QString *why)
{
    if (const toml::array *secrets = b["stripe_webhook_secrets"].as_array()) {
        billing.stripeWebhookSecrets.clear();
        for (const toml::node &secret : *secrets) {
            const auto text = secret.value<std::string>();
            if (!text || text->empty()) {
                *why = tr("stripe_webhook_secrets must be an array of non-empty strings");
                return false;
            }
            billing.stripeWebhookSecrets.append(QByteArray::fromStdString(*text));
        }
    }
    billing.stripeToleranceSeconds
        = b["stripe_tolerance_seconds"].value_or(billing.stripeToleranceSeconds);
    billing.licenseMaxDays = b["license_max_days"].value_or(billing.licenseMaxDays);
    if (billing.stripeToleranceSeconds < 0 || billing.licenseMaxDays < 1) {
        *why = tr("stripe_tolerance_seconds must be at least 0, license_max_days at least 1");
        return false;
    }
    if (const toml::array *keys = b["signing_keys"].as_array()) {
        for (const toml::node &key : *keys) {
            const auto path = key.value<std::string>();
            if (!path) {
                *why = tr("signing_keys must be an array of paths");
                return false;
            }
            billing.signingKeyFiles.append(
                QDir::current().absoluteFilePath(QString::fromStdString(*path)));
        }
    }
    if (const toml::table *plans = b["plans"].as_table()) {
        for (const auto &[code, limits] : *plans) {
            const toml::table *table = limits.as_table();
            if (!table) {
                *why = tr("[billing.plans.NAME] must be tables of limits");
                return false;
            }
            QMap<QString, qint64> parsed;
            for (const auto &[name, value] : *table) {
                const auto n = value.value<int64_t>();
                if (!n || *n < 0) {
                    *why = tr("a plan's limits must be whole numbers of at least 0");
                    return false;
                }
                parsed.insert(QString::fromUtf8(name.str().data(), qsizetype(name.str().size())), *n);
            }
            billing.plans.insert(QString::fromUtf8(code.str().data(), qsizetype(code.str().size())),
                                 parsed);
        }
    }
    const auto apple = b["apple"];
    if (const toml::array *roots = apple["root_certificates"].as_array()) {
        for (const toml::node &root : *roots) {
            const auto path = root.value<std::string>();
            if (!path) {
                *why = tr("[billing.apple] root_certificates must be an array of paths");
                return false;
            }
            billing.appleRootCertificateFiles.append(
                QDir::current().absoluteFilePath(QString::fromStdString(*path)));
        }
    }
    if (auto bundle = apple["bundle_id"].value<std::string>())
        billing.appleBundleId = QString::fromStdString(*bundle);
    if (auto environment = apple["environment"].value<std::string>()) {
        if (*environment != "Production" && *environment != "Sandbox") {
            *why = tr("[billing.apple] environment must be \"Production\" or \"Sandbox\"");
            return false;
        }
        billing.appleEnvironment = QString::fromStdString(*environment);
    }
    if (auto id = apple["app_apple_id"].value<int64_t>())
        billing.appleAppAppleId = *id;
    if (auto secret = apple["shared_secret"].value<std::string>())
        billing.appleReceipts.sharedSecret = QByteArray::fromStdString(*secret);
    for (auto [key, url] :
         { std::pair("verify_receipt_url", &billing.appleReceipts.productionUrl),
           std::pair("verify_receipt_sandbox_url", &billing.appleReceipts.sandboxUrl) }) {
        if (auto text = apple[key].value<std::string>()) {
            const QUrl parsed(QString::fromStdString(*text), QUrl::StrictMode);
            if (!parsed.isValid()
                || (parsed.scheme() != QLatin1String("https")
                    && parsed.scheme() != QLatin1String("http"))) {
                *why = tr("[billing.apple] %1 must be an http(s) URL").arg(QLatin1String(key));
                return false;
            }
            *url = parsed.toString();
        }
    }
    if (billing.appleEnvironment == QLatin1String("Production") && !billing.appleRootCertificateFiles.isEmpty()
        && !billing.appleAppAppleId) {
        // As Apple's SignedDataVerifier: production notifications are checked against it.
        *why = tr("[billing.apple] app_apple_id is required in the Production environment");
        return false;
    }
    if (const toml::table *prices = b["prices"].as_table()) {
        for (const auto &[price, plan] : *prices) {
            const auto code = plan.value<std::string>();
            if (!code || !billing.plans.contains(QString::fromStdString(*code))) {
                *why = tr("[billing.prices] must map price ids to plans of [billing.plans]");
                return false;
            }
            billing.prices.insert(QString::fromUtf8(price.str().data(), qsizetype(price.str().size())),
                                  QString::fromStdString(*code));
        }
    }
    return true;
}

bool loadExecution(toml::node_view<toml::node> e, ExecutionOptions &execution, QString *why)
{
    execution.enabled = e["enabled"].value_or(execution.enabled);
    if (auto runAs = e["run_as"].value<std::string>())
        execution.runAs = QString::fromStdString(*runAs);
    if (auto bwrap = e["bwrap"].value<std::string>())
        execution.bwrap = QString::fromStdString(*bwrap);
    if (auto root = e["working_directory"].value<std::string>())
        execution.workingDirectoryRoot = QDir::current().absoluteFilePath(QString::fromStdString(*root));
    if (auto map = e["working_directory_map"].value<std::string>())
        execution.workingDirectoryMap = QDir::current().absoluteFilePath(QString::fromStdString(*map));
    if (auto role = e["run_role"].value<std::string>()) {
        if (*role != "editor" && *role != "owner") {
            *why = tr("run_role must be \"editor\" or \"owner\"");
            return false;
        }
        execution.ownersOnly = *role == "owner";
    }
    execution.maxRunsPerUser = e["max_runs_per_user"].value_or(execution.maxRunsPerUser);
    execution.maxRunsPerServer = e["max_runs_per_server"].value_or(execution.maxRunsPerServer);
    execution.maxQueuedPerUser = e["max_queued_per_user"].value_or(execution.maxQueuedPerUser);
    ExecutionLimits &l = execution.limits;
    l.cpuSeconds = e["cpu_seconds"].value_or(l.cpuSeconds);
    l.addressSpaceBytes = e["address_space_bytes"].value_or(l.addressSpaceBytes);
    l.fileSizeBytes = e["file_size_bytes"].value_or(l.fileSizeBytes);
    l.processes = e["processes"].value_or(l.processes);
    l.openFiles = e["open_files"].value_or(l.openFiles);
    l.wallSeconds = e["wall_seconds"].value_or(l.wallSeconds);
    l.outputBytes = e["output_bytes"].value_or(l.outputBytes);
    l.tmpBytes = e["tmp_bytes"].value_or(l.tmpBytes);
    l.niceness = e["nice"].value_or(l.niceness);
    if (l.niceness < 0 || l.niceness > 19) {
        *why = tr("nice must be 0 to 19 (a cell never runs above the server's priority)");
        return false;
    }
    if (l.cpuSeconds < 1 || l.addressSpaceBytes < 1 << 20 || l.fileSizeBytes < 0 || l.processes < 1
        || l.openFiles < 16 || l.wallSeconds < 1 || l.outputBytes < 1 || l.tmpBytes < 1 << 20) {
        *why = tr("a limit is out of range (cpu_seconds, wall_seconds, processes >= 1, "
                  "open_files >= 16, output_bytes >= 1, address_space_bytes and tmp_bytes >= 1 MiB)");
        return false;
    }
    if (execution.maxRunsPerUser < 1 || execution.maxRunsPerServer < 1 || execution.maxQueuedPerUser < 0) {
        *why = tr("max_runs_per_user and max_runs_per_server must be at least 1, max_queued_per_user at least 0");
        return false;
    }
    if (const toml::table *runners = e["runners"].as_table()) {
        // Each entry replaces that language's default; an empty array removes it.
        for (const auto &[key, value] : *runners) {
            const QString language = QString::fromUtf8(key.str().data(), qsizetype(key.str().size())).toLower();
            const toml::array *argv = value.as_array();
            QStringList command;
            bool strings = argv != nullptr;
            if (argv)
                for (const toml::node &part : *argv) {
                    const auto text = part.value<std::string>();
                    strings = strings && text.has_value();
                    if (text)
                        command.append(QString::fromStdString(*text));
                }
            if (!strings) {
                *why = tr("runners.%1 must be an array of strings").arg(language);
                return false;
            }
            if (command.isEmpty())
                execution.runners.remove(language);
            else
                execution.runners.insert(language, command);
        }
    } else if (e["runners"]) {
        *why = tr("runners must be a table of language = [\"program\", \"{file}\"]");
        return false;
    }
    return true;
}
} // namespace

ExecutionOptions ExecutionOptions::withDefaults()
{
    ExecutionOptions options;
    options.bwrap = QStandardPaths::findExecutable(QStringLiteral("bwrap"));
    options.runners.insert(QStringLiteral("bash"), { QStringLiteral("bash"), QStringLiteral("{file}") });
    options.runners.insert(QStringLiteral("sh"), { QStringLiteral("sh"), QStringLiteral("{file}") });
    if (!QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty()) {
        const QStringList python { QStringLiteral("python3"), QStringLiteral("{file}") };
        options.runners.insert(QStringLiteral("python"), python);
        options.runners.insert(QStringLiteral("python3"), python);
    }
    return options;
}

QString ExecutionOptions::workingDirectoryFor(const QString &notebookId, bool *fromMap) const
{
    if (fromMap)
        *fromMap = false;
    if (!workingDirectoryMap.isEmpty()) {
        // Small, and written by whoever runs the server (the app, in solo mode): read afresh
        // for each run, so a notebook mirrored a moment ago runs in its folder.
        QFile map(workingDirectoryMap);
        if (map.open(QIODevice::ReadOnly) && map.size() <= 4 * 1024 * 1024) {
            const QString folder = QJsonDocument::fromJson(map.readAll()).object().value(notebookId).toString();
            if (QDir::isAbsolutePath(folder)) {
                if (fromMap)
                    *fromMap = true;
                return QDir::cleanPath(folder);
            }
        }
    }
    const QString root = workingDirectoryRoot.isEmpty()
            ? QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                      .filePath(QStringLiteral("executions"))
            : workingDirectoryRoot;
    // Ids are the server's own hex strings; anything else must not name another folder.
    QString safe = notebookId;
    for (QChar &c : safe)
        if (!c.isLetterOrNumber() && c != u'-' && c != u'_')
            c = u'_';
    return QDir(root).filePath(safe);
}

bool ServerConfig::setListen(const QString &text, QString *error)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint port = colon > 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
    QString host = colon > 0 ? text.left(colon) : QString();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress addr;
    if (!ok || port > 65535 || !addr.setAddress(host)) {
        *error = tr("--listen wants ADDR:PORT, e.g. 127.0.0.1:4000 (got %1)").arg(text);
        return false;
    }
    address = addr;
    this->port = quint16(port);
    return true;
}

bool ServerConfig::load(const QString &path, QString *error)
{
    toml::table config;
    try {
        config = toml::parse_file(path.toStdString());
    } catch (const toml::parse_error &e) {
        *error = tr("%1:%2: %3")
                         .arg(path)
                         .arg(e.source().begin.line)
                         .arg(QString::fromUtf8(e.description().data(), qsizetype(e.description().size())));
        return false;
    }
    if (auto listen = config["listen"].value<std::string>())
        if (!setListen(QString::fromStdString(*listen), error))
            return false;
    if (auto db = config["database"].value<std::string>()) {
        const auto url = DatabaseUrl::parse(QString::fromStdString(*db), error);
        if (!url)
            return false;
        database = *url;
    }
    // Not [database]: TOML cannot have both the `database` key and a `database` table.
    storage.sqliteMaxPageCount
        = config["storage"]["sqlite_max_page_count"].value_or(storage.sqliteMaxPageCount);
    if (storage.sqliteMaxPageCount < 0) {
        *error = tr("%1: [storage] sqlite_max_page_count must be 0 (no quota) or a number of pages")
                     .arg(path);
        return false;
    }
    const auto c = config["coediting"];
    coediting.keepOperations = c["keep_operations"].value_or(coediting.keepOperations);
    coediting.snapshotInterval = c["snapshot_interval"].value_or(coediting.snapshotInterval);
    coediting.maxInsertBytes = c["max_insert_bytes"].value_or(coediting.maxInsertBytes);
    coediting.batchMs = c["batch_ms"].value_or(coediting.batchMs);
    if (coediting.keepOperations < 1 || coediting.snapshotInterval < 1
        || coediting.snapshotInterval > 1000 || coediting.maxInsertBytes < 1
        || coediting.batchMs < 0 || coediting.batchMs > 20) {
        *error = tr("%1: a [coediting] value is out of range (keep_operations >= 1, "
                    "snapshot_interval 1-1000, max_insert_bytes >= 1, batch_ms 0-20)")
                     .arg(path);
        return false;
    }
    QString why;
    if (!loadExecution(config["execution"], execution, &why)) {
        *error = tr("%1: [execution] %2").arg(path, why);
        return false;
    }
    if (!loadBilling(config["billing"], billing, &why)) {
        *error = tr("%1: [billing] %2").arg(path, why);
        return false;
    }
    if (const auto proxy = config["proxy"]) {
        QStringList entries;
        const toml::array *addresses = proxy["trusted_addresses"].as_array();
        bool strings = addresses != nullptr;
        if (addresses)
            for (const toml::node &a : *addresses) {
                const auto text = a.value<std::string>();
                strings = strings && text;
                if (text)
                    entries.append(QString::fromStdString(*text));
            }
        QString why;
        if (!strings || !http.trustedProxies.parse(entries, &why)) {
            *error = tr("%1: [proxy] trusted_addresses must be a list of addresses and subnets "
                        "(\"127.0.0.1\", \"10.0.0.0/8\") %2")
                         .arg(path, why);
            return false;
        }
    }
    const auto t = config["tls"];
    if (t) {
        const auto certificate = t["certificate"].value<std::string>();
        const auto key = t["private_key"].value<std::string>();
        if (!certificate || !key || certificate->empty() || key->empty()) {
            *error = tr("%1: [tls] needs both certificate and private_key (PEM files)").arg(path);
            return false;
        }
        tls.certificate = QDir::current().absoluteFilePath(QString::fromStdString(*certificate));
        tls.privateKey = QDir::current().absoluteFilePath(QString::fromStdString(*key));
    }
    const auto cl = config["cluster"];
    cluster.heartbeatMs = cl["heartbeat_ms"].value_or(cluster.heartbeatMs);
    cluster.processTimeoutMs = cl["process_timeout_ms"].value_or(cluster.processTimeoutMs);
    if (auto name = cl["process_name"].value<std::string>())
        cluster.processName = QString::fromStdString(*name);
    // Two heartbeats may be late before a live process is taken for dead.
    if (cluster.heartbeatMs < 50 || cluster.processTimeoutMs < 3 * cluster.heartbeatMs
        || cluster.processName.size() > 64
        || cluster.processName.contains(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")))) {
        *error = tr("%1: [cluster] heartbeat_ms must be at least 50 and process_timeout_ms at "
                    "least three heartbeats; process_name up to 64 of A-Z a-z 0-9 . _ -")
                     .arg(path);
        return false;
    }
    const auto f = config["files"];
    if (auto directory = f["directory"].value<std::string>())
        files.directory = QDir::current().absoluteFilePath(QString::fromStdString(*directory));
    files.maxUploadBytes = f["max_upload_bytes"].value_or(files.maxUploadBytes);
    files.maxPendingParses = f["max_pending_parses"].value_or(files.maxPendingParses);
    if (files.maxUploadBytes < 0 || files.maxPendingParses < 1) {
        *error = tr("%1: [files] max_upload_bytes must be at least 0, max_pending_parses at least 1")
                     .arg(path);
        return false;
    }
    const auto l = config["limits"];
    limits.maxFrameBytes = l["max_frame_bytes"].value_or(limits.maxFrameBytes);
    limits.messagesPerSecond = l["messages_per_second"].value_or(limits.messagesPerSecond);
    limits.messageBurst = l["message_burst"].value_or(limits.messageBurst);
    limits.heartbeatTimeoutMs = l["heartbeat_timeout_ms"].value_or(limits.heartbeatTimeoutMs);
    limits.revocationPollMs = l["revocation_poll_ms"].value_or(limits.revocationPollMs);
    limits.presenceBatchMs = l["presence_batch_ms"].value_or(limits.presenceBatchMs);
    limits.maxQueuedFrames = l["max_queued_frames"].value_or(limits.maxQueuedFrames);
    limits.maxNotebookBytes = l["max_notebook_bytes"].value_or(limits.maxNotebookBytes);
    limits.maxQueuedBytes = l["max_queued_bytes"].value_or(limits.maxQueuedBytes);
    limits.maxQueuedBytesTotal = l["max_queued_bytes_total"].value_or(limits.maxQueuedBytesTotal);
    limits.bytesPerSecond = l["bytes_per_second"].value_or(limits.bytesPerSecond);
    limits.maxSocketsPerUser = l["max_sockets_per_user"].value_or(limits.maxSocketsPerUser);
    limits.maxJoinsPerSocket = l["max_joins_per_socket"].value_or(limits.maxJoinsPerSocket);
    limits.closeTimeoutMs = l["close_timeout_ms"].value_or(limits.closeTimeoutMs);
    limits.shutdownTimeoutMs = l["shutdown_timeout_ms"].value_or(limits.shutdownTimeoutMs);
    if (!loadHttpLimits(l, http) || limits.maxNotebookBytes < 0 || limits.maxFrameBytes < 1024 || limits.messagesPerSecond <= 0 || limits.messageBurst < 1
        || limits.heartbeatTimeoutMs < 100 || limits.revocationPollMs < 10 || limits.presenceBatchMs < 0
        || limits.maxQueuedFrames < 1 || limits.maxQueuedBytes < 1024 || limits.maxQueuedBytesTotal < 1024
        || limits.bytesPerSecond < 1024 || limits.maxSocketsPerUser < 1 || limits.maxJoinsPerSocket < 1
        || limits.closeTimeoutMs < 0 || limits.shutdownTimeoutMs < 0) {
        *error = tr("%1: a [limits] value is out of range").arg(path);
        return false;
    }
    return true;
}

} // namespace Kyozo::Server
