#include "temporaryserver.h"

#include "testpaths.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>
#include <QUrlQuery>

#include <csignal>
#include <memory>

namespace KyozoTest {

TemporaryServer::TemporaryServer(QString databaseUrl) : m_database(std::move(databaseUrl))
{
    if (m_database.isEmpty())
        m_database = QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("kyozo.sqlite"));
}

TemporaryServer::~TemporaryServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool TemporaryServer::start(const QString &configToml, QString *error)
{
    const QString config = m_dir.filePath(QStringLiteral("kyozo-server.toml"));
    QFile f(config);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(configToml.toUtf8());
    f.close();
    if (m_user) {
        QString why;
        if (!giveTo(m_dir.path(), *m_user, &why)) {
            if (error)
                *error = why;
            return false;
        }
        runAs(m_process, *m_user);
    }
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.start(binaryPath(QStringLiteral("kyozo-server")),
                    { QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--database"),
                      m_database, QStringLiteral("--config"), config });
    static const QRegularExpression ready(
        QStringLiteral("^listening on (https?)://127\\.0\\.0\\.1:(\\d+)$"));
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
        if (!m_process.waitForReadyRead(200) && m_process.state() == QProcess::NotRunning)
            break;
        out += m_process.readAllStandardOutput();
        const auto m = ready.match(QString::fromUtf8(out).trimmed());
        if (m.hasMatch()) {
            m_tls = m.captured(1) == QLatin1String("https");
            m_port = quint16(m.captured(2).toUInt());
            return true;
        }
    }
    if (error)
        *error = QStringLiteral("kyozo-server did not start: %1 %2")
                         .arg(QString::fromUtf8(out), QString::fromUtf8(m_process.readAllStandardError()));
    return false;
}

int TemporaryServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitCode();
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!m_process.waitForFinished(10000) || m_process.exitStatus() != QProcess::NormalExit)
        return -1;
    return m_process.exitCode();
}

namespace {
    int runAdmin(const QString &databaseUrl, const QStringList &args, QByteArray *out,
                 QByteArray *err, const std::optional<SystemUser> &user)
    {
        QProcess p;
        if (user)
            runAs(p, *user);
        p.start(binaryPath(QStringLiteral("kyozo-server")),
                QStringList { QStringLiteral("--database"), databaseUrl } + args);
        p.waitForFinished(30000);
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

    QString addUserWithToken(const QString &databaseUrl, const QString &name,
                             const QString &workspace, const QString &role,
                             const std::optional<SystemUser> &user)
    {
        QStringList add { QStringLiteral("user"), QStringLiteral("add"), name };
        if (!workspace.isEmpty())
            add += { QStringLiteral("--workspace"), workspace, QStringLiteral("--role"), role };
        if (runAdmin(databaseUrl, add, nullptr, nullptr, user) != 0)
            return {};
        QByteArray out;
        if (runAdmin(databaseUrl, { QStringLiteral("token"), QStringLiteral("create"), name }, &out,
                     nullptr, user)
            != 0)
            return {};
        return QString::fromUtf8(out).trimmed();
    }
} // namespace

int serverAdmin(const QString &databaseUrl, const QStringList &args, QByteArray *out,
                QByteArray *err)
{
    return runAdmin(databaseUrl, args, out, err, std::nullopt);
}

QString userWithToken(const QString &databaseUrl, const QString &name, const QString &workspace,
                      const QString &role)
{
    return addUserWithToken(databaseUrl, name, workspace, role, std::nullopt);
}

int TemporaryServer::admin(const QStringList &args, QByteArray *out, QByteArray *err) const
{
    if (m_user) {
        QString why;
        giveTo(m_dir.path(), *m_user, &why); // files an earlier admin command or the test made
    }
    return runAdmin(m_database, args, out, err, m_user);
}

QString TemporaryServer::userWithToken(const QString &name, const QString &workspace, const QString &role) const
{
    if (m_user) {
        QString why;
        giveTo(m_dir.path(), *m_user, &why);
    }
    return addUserWithToken(m_database, name, workspace, role, m_user);
}

QUrl TemporaryServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2%3")
                    .arg(m_tls ? QLatin1String("https") : QLatin1String("http"))
                    .arg(m_port)
                    .arg(path));
}

qint64 TemporaryServer::metric(const QString &name) const
{
    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> reply(nam.get(QNetworkRequest(url(QStringLiteral("/metrics")))));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    if (!reply->isFinished() || reply->error() != QNetworkReply::NoError)
        return -1;
    const QString body = QString::fromUtf8(reply->readAll());
    // On PostgreSQL every sample also carries the process's `process` label, last
    // (docs/operator.md "Metrics").
    const QString process = QStringLiteral("process=\"[^\"]*\"");
    const QString pattern = name.endsWith(QLatin1Char('}'))
        ? QStringLiteral("^%1(?:,%2)?\\} (\\d+)$")
              .arg(QRegularExpression::escape(name.chopped(1)), process)
        : QStringLiteral("^%1(?:\\{%2\\})? (\\d+)$").arg(QRegularExpression::escape(name), process);
    const auto m = QRegularExpression(pattern, QRegularExpression::MultilineOption).match(body);
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

QUrl TemporaryServer::socketUrl(const QString &token) const
{
    QUrl u(QStringLiteral("%1://127.0.0.1:%2/socket/websocket")
               .arg(m_tls ? QLatin1String("wss") : QLatin1String("ws"))
               .arg(m_port));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("vsn"), QStringLiteral("2.0.0"));
    if (!token.isNull())
        q.addQueryItem(QStringLiteral("token"), token);
    u.setQuery(q);
    return u;
}

} // namespace KyozoTest
