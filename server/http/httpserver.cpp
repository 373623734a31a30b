#include "httpserver.h"

#include "channels/channelhub.h"
#include "storage/accountstore.h"
#include "storage/notebookstore.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcHttp, "kyozo.server.http")

namespace Kyozo::Server {

namespace {

using Status = QHttpServerResponder::StatusCode;

void writeJson(QHttpServerResponder &r, const QJsonObject &body, Status status)
{
    r.write(QJsonDocument(body), status);
}

// SPEC §11: errors are {"error":{"code","message"}} with the right status.
void writeError(QHttpServerResponder &r, Status status, const char *code, const QString &message)
{
    writeJson(r, QJsonObject{ { "error", QJsonObject{ { "code", QString::fromLatin1(code) }, { "message", message } } } },
              status);
}

QString bearerToken(const QHttpServerRequest &request)
{
    const QByteArray auth = request.value("authorization");
    if (auth.size() > 7 && auth.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return QString::fromLatin1(auth.mid(7).trimmed());
    return {};
}

bool isUpgrade(const QHttpServerRequest &request)
{
    return request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
}

} // namespace

HttpServer::HttpServer(AccountStore *accounts, NotebookStore *notebooks, ChannelHub *hub, QObject *parent)
    : QAbstractHttpServer(parent), m_accounts(accounts), m_notebooks(notebooks), m_hub(hub)
{
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, [this] {
        while (hasPendingWebSocketConnections())
            m_hub->accept(nextPendingWebSocketConnection());
    });
}

bool HttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (isUpgrade(request)) {
        const QUrlQuery query(request.url());
        const QString vsn = query.queryItemValue(QStringLiteral("vsn"));
        const bool ok = request.url().path() == QLatin1String("/socket/websocket")
                && (vsn.isEmpty() || vsn == QLatin1String("2.0.0"))
                && m_accounts->authenticate(query.queryItemValue(QStringLiteral("token")));
        if (!ok) {
            m_refusedUpgrades.insert(socket);
            connect(socket, &QObject::destroyed, this, [this, socket] { m_refusedUpgrades.remove(socket); });
        }
        return ok;
    }
    QHttpServerResponder responder = makeResponder(request, socket);
    handleRest(request, responder);
    return true;
}

void HttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    if (m_refusedUpgrades.remove(socket)) {
        qCInfo(lcHttp) << "refused a WebSocket upgrade on" << request.url().path();
        writeError(responder, Status::Forbidden, "forbidden",
                   tr("a valid token is required (/socket/websocket?vsn=2.0.0&token=…)"));
        return;
    }
    writeError(responder, Status::NotFound, "not_found", tr("no such route"));
}

void HttpServer::handleRest(const QHttpServerRequest &request, QHttpServerResponder &r)
{
    const QString path = request.url().path();
    const auto method = request.method();
    if (path == QLatin1String("/healthz") && method == QHttpServerRequest::Method::Get) {
        writeJson(r, QJsonObject{ { "status", QStringLiteral("ok") } }, Status::Ok);
        return;
    }
    if (path == QLatin1String("/metrics") && method == QHttpServerRequest::Method::Get) {
        const ChannelMetrics m = m_hub->metrics();
        const QByteArray text = QStringLiteral(
                "# HELP kyozo_sockets Open WebSocket connections.\n# TYPE kyozo_sockets gauge\nkyozo_sockets %1\n"
                "# HELP kyozo_channels_joined Channels joined across all sockets.\n# TYPE kyozo_channels_joined gauge\nkyozo_channels_joined %2\n"
                "# HELP kyozo_messages_in_total Frames received.\n# TYPE kyozo_messages_in_total counter\nkyozo_messages_in_total %3\n"
                "# HELP kyozo_messages_out_total Frames sent.\n# TYPE kyozo_messages_out_total counter\nkyozo_messages_out_total %4\n"
                "# HELP kyozo_errors_total Refused or malformed client messages.\n# TYPE kyozo_errors_total counter\nkyozo_errors_total %5\n"
                "# HELP kyozo_frames_queued Frames waiting for slow readers.\n# TYPE kyozo_frames_queued gauge\nkyozo_frames_queued %6\n")
                .arg(m.sockets).arg(m.channelsJoined).arg(m.messagesIn).arg(m.messagesOut).arg(m.errors).arg(m.framesQueued)
                .toUtf8();
        r.write(text, "text/plain; version=0.0.4", Status::Ok);
        return;
    }
    if (!path.startsWith(QLatin1String("/api/v1/"))) {
        writeError(r, Status::NotFound, "not_found", tr("no such route"));
        return;
    }
    const std::optional<Identity> caller = m_accounts->authenticate(bearerToken(request));
    if (!caller) {
        writeError(r, Status::Unauthorized, "unauthorized", tr("a valid bearer token is required"));
        return;
    }
    static const QRegularExpression createRe(QStringLiteral("^/api/v1/workspaces/([^/]+)/notebooks$"));
    static const QRegularExpression getRe(QStringLiteral("^/api/v1/notebooks/([^/]+)$"));
    if (const auto m = createRe.match(path); m.hasMatch()) {
        if (method != QHttpServerRequest::Method::Post) {
            writeError(r, Status::MethodNotAllowed, "method_not_allowed", tr("use POST"));
            return;
        }
        const QString workspaceName = QUrl::fromPercentEncoding(m.captured(1).toUtf8());
        const std::optional<QString> workspace = m_accounts->workspaceIdByName(workspaceName);
        const std::optional<Role> role = workspace ? m_accounts->role(caller->userId, *workspace) : std::nullopt;
        if (!role) { // not a member: the workspace's existence does not leak
            writeError(r, Status::NotFound, "not_found", tr("no workspace %1").arg(workspaceName));
            return;
        }
        if (*role == Role::Viewer) {
            writeError(r, Status::Forbidden, "forbidden", tr("viewers cannot create notebooks"));
            return;
        }
        QJsonParseError parseError;
        const QJsonDocument body = QJsonDocument::fromJson(request.body(), &parseError);
        const QJsonObject o = body.object();
        if (parseError.error != QJsonParseError::NoError || !body.isObject()
            || !o.value(QLatin1String("title")).isString()
            || !(o.value(QLatin1String("content")).isString() || o.value(QLatin1String("content")).isUndefined())) {
            writeError(r, Status::BadRequest, "bad_request",
                       tr("expected a JSON object {\"title\": string, \"content\": string}"));
            return;
        }
        QString error;
        const std::optional<QString> id = m_notebooks->create(*workspace, o.value(QLatin1String("title")).toString(),
                                                              o.value(QLatin1String("content")).toString(), &error);
        if (!id) {
            qCWarning(lcHttp) << "creating a notebook failed:" << error;
            writeError(r, Status::InternalServerError, "internal", tr("the notebook could not be stored"));
            return;
        }
        writeJson(r, QJsonObject{ { "id", *id } }, Status::Created);
        return;
    }
    if (const auto m = getRe.match(path); m.hasMatch()) {
        if (method != QHttpServerRequest::Method::Get) {
            writeError(r, Status::MethodNotAllowed, "method_not_allowed", tr("use GET"));
            return;
        }
        const std::optional<Notebook> nb = m_notebooks->find(m.captured(1));
        if (!nb || !m_accounts->role(caller->userId, nb->workspaceId)) {
            writeError(r, Status::NotFound, "not_found", tr("no notebook %1").arg(m.captured(1)));
            return;
        }
        writeJson(r, QJsonObject{ { "id", nb->id }, { "title", nb->title }, { "content", nb->content },
                                  { "revision", nb->revision } },
                  Status::Ok);
        return;
    }
    writeError(r, Status::NotFound, "not_found", tr("no such route"));
}

} // namespace Kyozo::Server
