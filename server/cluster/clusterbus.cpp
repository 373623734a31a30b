#include "clusterbus.h"

#include "protocol/json.h"
#include "storage/database.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcCluster, "kyozo.server.cluster")

namespace Kyozo::Server {

namespace {

    // The database's clock in ms since the epoch: every process compares heartbeats on one
    // clock, whatever its own says.
    const QString kNow = QStringLiteral("(extract(epoch from clock_timestamp()) * 1000)::bigint");

    // Rows of processes gone this long (in process timeouts) and references older than
    // kReferenceLifetimeMs are deleted by whichever process comes first.
    constexpr int kForgetAfterTimeouts = 10;
    constexpr qint64 kReferenceLifetimeMs = 60 * 1000;

    QString madeUpProcessName()
    {
        QString host = QSysInfo::machineHostName();
        host.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
        return QStringLiteral("%1-%2")
            .arg(host.left(32).isEmpty() ? QStringLiteral("kyozo") : host.left(32))
            .arg(QCoreApplication::applicationPid());
    }

    // On the cluster's own connections: heartbeats and NOTIFYs are not worth a sync each
    // (a lost heartbeat is written again within heartbeat_ms; a lost NOTIFY was never
    // durable anyway).
    bool relaxCommits(Database &db, QString *error)
    {
        QSqlQuery q(db.connection());
        if (q.exec(QStringLiteral("SET synchronous_commit = off")))
            return true;
        *error = q.lastError().text();
        return false;
    }

} // namespace

ClusterBus::ClusterBus(DatabaseUrl url, const ClusterOptions &options, QObject *parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_options(options)
    , m_processName(options.processName.isEmpty() ? madeUpProcessName() : options.processName)
    , m_processId(QStringLiteral("%1.%2")
                      .arg(m_processName)
                      .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0')))
    , m_sender(QStringLiteral("kyozo-cluster-sender"))
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &ClusterBus::flush);
    m_heartbeatTimer.setInterval(m_options.heartbeatMs);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &ClusterBus::heartbeat);
}

ClusterBus::~ClusterBus() = default;

bool ClusterBus::openListener(QString *error)
{
    auto db = std::make_unique<Database>();
    if (!db->open(m_url, error) || !relaxCommits(*db, error))
        return false;
    QSqlDriver *driver = db->connection().driver();
    if (!driver->subscribeToNotification(QString::fromLatin1(kClusterChannel))) {
        *error = tr("cannot LISTEN on %1: %2")
                     .arg(QLatin1String(kClusterChannel), driver->lastError().text());
        return false;
    }
    connect(driver, &QSqlDriver::notification, this, &ClusterBus::onNotification);
    m_listen = std::move(db);
    m_listening = true;
    return true;
}

bool ClusterBus::start(QString *error)
{
    if (!openListener(error))
        return false;
    // The row first: a process that hears from this one finds it alive. A database that
    // takes no writes (a standby, default_transaction_read_only) still serves reads:
    // GET /healthz says degraded, and the heartbeat is tried again every heartbeat_ms.
    QString why;
    if (!writeHeartbeat(&why))
        warnHeartbeat(why);
    if (!m_sender.start(m_url, {}, error))
        return false;
    why.clear();
    m_sender.runBlocking([&why](Database &db) { relaxCommits(db, &why); });
    if (!why.isEmpty()) {
        *error = why;
        return false;
    }
    m_heartbeatTimer.start();
    qCInfo(lcCluster) << "process" << m_processId << "joined the cluster on" << kClusterChannel;
    publish(QJsonObject { { "k", "hello" } });
    return true;
}

void ClusterBus::stop()
{
    if (!m_listen)
        return;
    m_heartbeatTimer.stop();
    publish(QJsonObject { { "k", "bye" } });
    flush();
    m_sender.waitIdle(2000);
    QSqlQuery q(m_listen->connection());
    q.prepare(QStringLiteral("DELETE FROM cluster_processes WHERE id = ?"));
    q.addBindValue(m_processId);
    if (!q.exec())
        qCWarning(lcCluster) << "cannot remove the heartbeat row:" << q.lastError().text();
}

QByteArray ClusterBus::encode(QJsonObject message) const
{
    message.insert(QLatin1String("p"), m_processId);
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

void ClusterBus::publish(QJsonObject message)
{
    message.insert(QLatin1String("s"), double(++m_nextSequence));
    QByteArray payload = encode(std::move(message));
    if (m_outboxBytes + m_inFlightBytes.load() + payload.size() > kMaxOutboxBytes) {
        ++m_dropped;
        if (!m_dropping)
            qCWarning(lcCluster) << "the database does not keep up with the cluster's messages;"
                                 << "dropping them until it does";
        m_dropping = true;
        return;
    }
    m_dropping = false;
    m_outboxBytes += payload.size();
    m_outbox.append(std::move(payload));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ClusterBus::flush()
{
    if (m_outbox.isEmpty())
        return;
    m_sent += m_outbox.size();
    const qint64 bytes = std::exchange(m_outboxBytes, 0);
    m_inFlightBytes += bytes;
    m_sender.post([this, bytes, messages = std::exchange(m_outbox, {}),
                   process = m_processId](Database &db) {
        const auto sent = qScopeGuard([this, bytes] { m_inFlightBytes -= bytes; });
        // One transaction, in order: PostgreSQL delivers one transaction's notifications in
        // the order sent. Runs of small messages go in one statement.
        Transaction transaction(db);
        QSqlQuery q(db.connection());
        QString error;
        QByteArray run = "[";
        const auto sendRun = [&] {
            if (run.size() == 1)
                return true;
            run.back() = ']'; // the last message's comma
            q.prepare(QStringLiteral(
                          "SELECT pg_notify('%1', m::text) FROM json_array_elements(?::json) AS m")
                          .arg(QLatin1String(kClusterChannel)));
            q.addBindValue(QString::fromUtf8(run));
            run = "[";
            return execute(q, &error);
        };
        bool ok = transaction.begun();
        for (const QByteArray &m : messages) {
            if (!ok)
                break;
            if (m.size() <= kMaxNotifyBytes) {
                run += m + ',';
                continue;
            }
            ok = sendRun();
            const QString id = QStringLiteral("%1-%2").arg(process).arg(
                QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
            q.prepare(QStringLiteral("INSERT INTO cluster_messages (id, payload, created_at) "
                                     "VALUES (?, ?, %1)")
                          .arg(kNow));
            q.addBindValue(id);
            q.addBindValue(QString::fromUtf8(m));
            ok = ok && execute(q, &error);
            q.prepare(
                QStringLiteral("SELECT pg_notify('%1', ?)").arg(QLatin1String(kClusterChannel)));
            q.addBindValue(
                QString::fromUtf8(QJsonDocument(QJsonObject { { "p", process }, { "ref", id } })
                                      .toJson(QJsonDocument::Compact)));
            ok = ok && execute(q, &error);
        }
        ok = ok && sendRun() && transaction.commit(&error);
        if (ok)
            return;
        qCWarning(lcCluster) << "cannot publish" << messages.size() << "cluster messages:" << error;
        // A connection lost (the database restarted, a failover) is opened again for the
        // next messages; these are lost, as NOTIFYs are to a listener that was away.
        if (QSqlQuery probe(db.connection()); !probe.exec(QStringLiteral("SELECT 1"))) {
            db.connection().close();
            QString why;
            if (!db.connection().open() || !relaxCommits(db, &why))
                qCWarning(lcCluster) << "the publishing connection is still down";
        }
    });
}

void ClusterBus::onNotification(const QString &name, QSqlDriver::NotificationSource,
                                const QVariant &payload)
{
    if (name != QLatin1String(kClusterChannel))
        return;
    const QJsonObject message = Protocol::parseJson(payload.toString().toUtf8()).object();
    if (message.value(QLatin1String("p")).toString() == m_processId)
        return; // this process's own, back
    const QString ref = message.value(QLatin1String("ref")).toString();
    if (ref.isEmpty()) {
        handle(message);
        return;
    }
    QSqlQuery q(m_listen->connection());
    q.prepare(QStringLiteral("SELECT payload FROM cluster_messages WHERE id = ?"));
    q.addBindValue(ref);
    if (!q.exec() || !q.next()) {
        qCWarning(lcCluster) << "cluster message" << ref << "is gone:" << q.lastError().text();
        return;
    }
    handle(Protocol::parseJson(q.value(0).toString().toUtf8()).object());
}

void ClusterBus::handle(const QJsonObject &message)
{
    const QString process = message.value(QLatin1String("p")).toString();
    const QString kind = message.value(QLatin1String("k")).toString();
    if (process.isEmpty() || kind.isEmpty()) {
        qCWarning(lcCluster) << "a cluster message without process or kind";
        return;
    }
    ++m_received;
    if (kind == QLatin1String("bye")) {
        if (m_known.remove(process))
            emit processGone(process);
        return;
    }
    // First word from a process (or from one taken for gone that is back): ask it for what
    // it holds, unless this message is that answer.
    if (!m_known.contains(process)) {
        m_known.insert(process);
        if (kind != QLatin1String("sync"))
            publish(QJsonObject { { "k", "hello" }, { "to", process } });
    }
    const QString to = message.value(QLatin1String("to")).toString();
    if (!to.isEmpty() && to != m_processId)
        return;
    emit received(process, message);
}

bool ClusterBus::writeHeartbeat(QString *error)
{
    QSqlQuery q(m_listen->connection());
    q.prepare(QStringLiteral("INSERT INTO cluster_processes (id, started_at, heartbeat_at, "
                             "backend_pid) VALUES (?, %1, %1, pg_backend_pid()) ON CONFLICT (id) "
                             "DO UPDATE SET heartbeat_at = %1, backend_pid = pg_backend_pid()")
                  .arg(kNow));
    q.addBindValue(m_processId);
    return execute(q, error);
}

void ClusterBus::warnHeartbeat(const QString &why)
{
    if (!m_heartbeatFailing)
        qCWarning(lcCluster) << "cannot write this process's heartbeat, the other processes"
                             << "will take it for gone:" << why;
    m_heartbeatFailing = true;
}

bool ClusterBus::connected()
{
    QSqlQuery q(m_listen->connection());
    return q.exec(QStringLiteral("SELECT 1"));
}

void ClusterBus::heartbeat()
{
    QString error;
    const bool written = m_listening && writeHeartbeat(&error);
    if (written) {
        m_heartbeatFailing = false;
    } else if (m_listening && connected()) {
        warnHeartbeat(error);
    } else {
        // The connection is lost (the database restarted, a network cut): open it again and
        // ask everyone for their state; what was said meanwhile is missed.
        if (m_listening)
            qCWarning(lcCluster) << "lost the cluster's connection:" << error;
        m_listening = false;
        m_listen.reset();
        if (!openListener(&error)) {
            m_listen.reset();
            m_listening = false;
            return; // the next heartbeat tries again
        }
        if (!writeHeartbeat(&error))
            warnHeartbeat(error);
        qCInfo(lcCluster) << "the cluster's connection is back";
        // m_known stays: a process that went while this one was away is still dropped by
        // the heartbeats below; the others' answers replace what is known of them.
        publish(QJsonObject { { "k", "hello" } });
        emit resumed();
    }
    QSqlQuery q(m_listen->connection());
    q.prepare(QStringLiteral("SELECT id, heartbeat_at >= %1 - ?, backend_pid FROM "
                             "cluster_processes")
                  .arg(kNow));
    q.addBindValue(m_options.processTimeoutMs);
    if (!execute(q, &error)) {
        qCWarning(lcCluster) << "cannot read the cluster's heartbeats:" << error;
        return;
    }
    QSet<QString> alive;
    QHash<QString, qint64> backends; // of the processes that missed their heartbeats
    while (q.next()) {
        if (q.value(1).toBool())
            alive.insert(q.value(0).toString());
        else if (m_known.contains(q.value(0).toString()) && !q.value(2).isNull())
            backends.insert(q.value(0).toString(), q.value(2).toLongLong());
    }
    q.finish();
    m_liveProcesses = int(alive.size());
    const QSet<QString> known = m_known;
    for (const QString &process : known) {
        if (alive.contains(process))
            continue;
        qCInfo(lcCluster) << "process" << process << "missed its heartbeats: taken for gone";
        m_known.remove(process);
        // A process stopped (SIGSTOP, a paused VM) but still LISTENing would hold back
        // PostgreSQL's NOTIFY queue until it fills and every commit that notifies fails: its
        // connection is ended. If it comes back it opens another and says hello.
        if (backends.contains(process)) {
            QSqlQuery end(m_listen->connection());
            end.prepare(QStringLiteral("SELECT pg_terminate_backend(?)"));
            end.addBindValue(backends.value(process));
            execute(end, &error);
        }
        emit processGone(process);
    }
    // Alive but not heard from (started while this one was away, or taken for gone during a
    // stall and back): asked for what it holds.
    for (const QString &process : std::as_const(alive))
        if (process != m_processId && !m_known.contains(process))
            publish(QJsonObject { { "k", "hello" }, { "to", process } });
    if (q.exec(QStringLiteral("SELECT pg_notification_queue_usage()")) && q.next())
        m_queueUsage = q.value(0).toDouble();
    q.finish();
    if (++m_heartbeats % 10 == 0) {
        q.prepare(
            QStringLiteral("DELETE FROM cluster_processes WHERE heartbeat_at < %1 - ?").arg(kNow));
        q.addBindValue(qint64(m_options.processTimeoutMs) * kForgetAfterTimeouts);
        execute(q, &error);
        q.prepare(
            QStringLiteral("DELETE FROM cluster_messages WHERE created_at < %1 - ?").arg(kNow));
        q.addBindValue(kReferenceLifetimeMs);
        execute(q, &error);
    }
}

} // namespace Kyozo::Server
