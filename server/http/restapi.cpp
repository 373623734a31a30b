#include "restapi.h"

#include "cluster/clusterbus.h"
#include "protocol/json.h"

#include "billing/billingservice.h"
#include "channels/channelhub.h"
#include "coediting/notebookdocuments.h"
#include "files/fileuploads.h"
#include "storage/accountdata.h"
#include "storage/accountstore.h"
#include "storage/database.h"
#include "storage/notebookstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrlQuery>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Kyozo::Server {

namespace {

    // RFC 6750 §3: a 401 names the scheme; a token that was sent but refused says so.
    HttpResponse unauthorized(bool tokenSent)
    {
        HttpResponse r
            = jsonError(401, "unauthorized", RestApi::tr("a valid bearer token is required"));
        r.headers.append(
            { QByteArrayLiteral("WWW-Authenticate"),
              tokenSent ? QByteArrayLiteral("Bearer realm=\"kyozo\", error=\"invalid_token\"")
                        : QByteArrayLiteral("Bearer realm=\"kyozo\"") });
        return r;
    }

    QString bearerToken(const HttpRequest &request)
    {
        const QByteArray auth = request.header("authorization");
        if (auth.size() > 7 && auth.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
            return QString::fromLatin1(auth.mid(7).trimmed());
        return {};
    }

    // JSON routes take application/json (and +json types). A missing type, and curl's default
    // for -d (application/x-www-form-urlencoded), are read as JSON too: scripts send those.
    bool isJsonContentType(const QByteArray &contentType)
    {
        const qsizetype semicolon = contentType.indexOf(';');
        const QByteArray type
            = (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
        return type.isEmpty() || type == "application/json" || type.endsWith("+json")
            || type == "application/x-www-form-urlencoded";
    }

    // What a notebook's text and title can hold. RFC 8259 §8.2 allows "\ud800" in JSON text,
    // but such a string has no UTF-8 form: the notebook would be stored as invalid UTF-8.
    // "\u0000" is valid JSON too, but PostgreSQL TEXT cannot store U+0000 (libpq passes C
    // strings) while SQLite can, and CommonMark reads it as U+FFFD. Both are refused.
    bool isStorableText(QStringView text)
    {
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text[i];
            if (c.isNull())
                return false;
            if (c.isHighSurrogate()) {
                if (i + 1 == text.size() || !text[i + 1].isLowSurrogate())
                    return false;
                ++i;
            } else if (c.isLowSurrogate()) {
                return false;
            }
        }
        return true;
    }

    QList<QByteArrayView> segments(QByteArrayView path)
    {
        QList<QByteArrayView> out;
        qsizetype start = 0;
        if (path.startsWith('/'))
            start = 1;
        while (true) {
            const qsizetype slash = path.indexOf('/', start);
            out.append(path.sliced(start, (slash < 0 ? path.size() : slash) - start));
            if (slash < 0)
                return out;
            start = slash + 1;
        }
    }

    // An upload is a Markdown file's bytes: these types, or none (curl --data-binary sends
    // application/x-www-form-urlencoded, which is taken too).
    bool isUploadContentType(const QByteArray &contentType)
    {
        const qsizetype semicolon = contentType.indexOf(';');
        const QByteArray type
            = (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
        return type.isEmpty() || type == "text/markdown" || type == "text/x-markdown"
            || type == "text/plain" || type == "application/octet-stream"
            || type == "application/x-www-form-urlencoded";
    }

    // A notebook as the list and the workspace topic's events give it.
    QJsonObject listEntry(const Notebook &nb)
    {
        return QJsonObject { { QStringLiteral("id"), nb.id },
                             { QStringLiteral("title"), nb.title },
                             { QStringLiteral("revision"), nb.revision },
                             { QStringLiteral("updated_at"), nb.updatedAt } };
    }

} // namespace

const QList<Route> &RestApi::routes()
{
    using A = Route::Access;
    using B = Route::Body;
    // SPEC §11. Order does not matter: no two patterns match the same path.
    static const QList<Route> table {
        { "GET", "/healthz", A::Public, B::None, &RestApi::healthz },
        { "GET", "/metrics", A::Public, B::None, &RestApi::metrics },
        { "POST", "/api/v1/workspaces/{workspace}/notebooks", A::Bearer, B::Notebook,
          &RestApi::createNotebook },
        { "GET", "/api/v1/workspaces/{workspace}/notebooks", A::Bearer, B::None,
          &RestApi::listNotebooks },
        { "GET", "/api/v1/workspaces/{workspace}/members", A::Bearer, B::None,
          &RestApi::listMembers },
        { "GET", "/api/v1/workspaces/{workspace}/members/{user}", A::Bearer, B::None,
          &RestApi::getMember },
        { "PUT", "/api/v1/workspaces/{workspace}/members/{user}", A::Bearer, B::Json,
          &RestApi::putMember },
        { "DELETE", "/api/v1/workspaces/{workspace}/members/{user}", A::Bearer, B::None,
          &RestApi::deleteMember },
        { "GET", "/api/v1/notebooks/{id}", A::Bearer, B::None, &RestApi::getNotebook },
        { "PATCH", "/api/v1/notebooks/{id}", A::Bearer, B::Json, &RestApi::renameNotebook },
        { "DELETE", "/api/v1/notebooks/{id}", A::Bearer, B::None, &RestApi::deleteNotebook },
        { "GET", "/api/v1/notebooks/{id}/revisions", A::Bearer, B::None,
          &RestApi::notebookRevisions },
        { "POST", "/api/v1/workspaces/{workspace}/files", A::Bearer, B::Upload,
          &RestApi::uploadFile },
        // Billing (docs/billing.md). Webhooks carry no token: their signature is checked.
        { "POST", "/api/v1/billing/webhooks/stripe", A::Public, B::Json, &RestApi::stripeWebhook,
          &RestApi::stripeWebhookLater },
        { "POST", "/api/v1/billing/webhooks/apple", A::Public, B::Json, &RestApi::appleWebhook,
          &RestApi::appleWebhookLater },
        { "POST", "/api/v1/billing/apple/validate", A::Bearer, B::Json, &RestApi::appleValidate,
          &RestApi::appleValidateLater },
        { "GET", "/api/v1/billing/subscription/status", A::Bearer, B::None,
          &RestApi::billingStatus },
        { "GET", "/api/v1/billing/history", A::Bearer, B::None, &RestApi::billingHistory },
        { "GET", "/api/v1/billing/license", A::Bearer, B::None, &RestApi::billingLicense },
        { "GET", "/api/v1/billing/keys", A::Bearer, B::None, &RestApi::billingKeys },
        // A user's rights over their data (docs/billing.md "Your data").
        { "GET", "/api/v1/account/export", A::Bearer, B::None, &RestApi::exportAccount },
        { "DELETE", "/api/v1/account", A::Bearer, B::None, &RestApi::deleteAccount },
        { "GET", "/socket/websocket", A::SocketToken, B::None, nullptr },
    };
    return table;
}

RestApi::Match RestApi::match(QByteArrayView method, QByteArrayView path)
{
    const QList<QByteArrayView> got = segments(path);
    Match result;
    for (const Route &route : routes()) {
        const QList<QByteArrayView> want = segments(route.pattern);
        if (want.size() != got.size())
            continue;
        QStringList params;
        bool same = true;
        for (qsizetype i = 0; same && i < want.size(); ++i) {
            // Percent-decoded once, here and nowhere else: te%2561m is "te%61m", not "team".
            const QByteArray decoded = QByteArray::fromPercentEncoding(got[i].toByteArray());
            if (want[i].startsWith('{'))
                params.append(QString::fromUtf8(decoded));
            else
                same = decoded == want[i];
        }
        if (!same)
            continue;
        if (route.method == method || (route.method == "GET" && method == "HEAD")) {
            result.route = &route;
            result.params = params;
            result.allowed.clear();
            return result;
        }
        result.allowed.append(route.method.toByteArray());
        if (route.method == "GET")
            result.allowed.append(QByteArrayLiteral("HEAD"));
    }
    return result;
}

RestApi::RestApi(const HttpLimits &limits, qint64 maxNotebookBytes, AccountStore *accounts,
                 NotebookStore *notebooks, NotebookDocuments *documents, ChannelHub *hub,
                 FileUploads *files, BillingService *billing)
    : m_limits(limits)
    , m_maxNotebookBytes(maxNotebookBytes)
    , m_accounts(accounts)
    , m_notebooks(notebooks)
    , m_documents(documents)
    , m_hub(hub)
    , m_files(files)
    , m_billing(billing)
{
}

qint64 RestApi::bodyLimit(const HttpRequest &head) const
{
    const Match m = match(head.method, head.path);
    if (m.route && m.route->body == Route::Body::Upload)
        return m_files ? m_files->maxUploadBytes() : 0;
    return m.route && m.route->body == Route::Body::Notebook ? m_maxNotebookBytes
                                                             : m_limits.maxBodyBytes;
}

std::optional<QString> RestApi::authenticate(const HttpRequest &request, HttpResponse *refusal)
{
    const QString token = bearerToken(request);
    const std::optional<Identity> caller
        = token.isEmpty() ? std::nullopt : m_accounts->authenticate(token);
    if (!caller) {
        *refusal = unauthorized(!token.isEmpty() || !request.header("authorization").isNull());
        return std::nullopt;
    }
    return caller->userId;
}

HttpRequestHandler::HeadVerdict RestApi::onHead(const HttpRequest &head)
{
    const Match m = match(head.method, head.path);
    if (!m.route)
        return {}; // 404 or 405 once the (capped) body is read
    switch (m.route->access) {
    case Route::Access::Public:
        return {};
    case Route::Access::SocketToken: {
        if (!head.upgrade || head.header("upgrade").compare("websocket", Qt::CaseInsensitive) != 0)
            return {}; // answered 400 by handle()
        // SPEC §11: a missing, unknown or revoked token is refused before the upgrade.
        const QUrlQuery query(QString::fromUtf8(head.query));
        const QString vsn = query.queryItemValue(QStringLiteral("vsn"), QUrl::FullyDecoded);
        if ((vsn.isEmpty() || vsn == QLatin1String("2.0.0"))
            && m_accounts->authenticate(
                query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded)))
            return { HeadVerdict::Upgrade, {}, nullptr };
        qCDebug(lcHttp) << "refused a WebSocket upgrade";
        return { HeadVerdict::Respond,
                 jsonError(403, "forbidden",
                           tr("a valid token is required (/socket/websocket?vsn=2.0.0&token=…)")),
                 nullptr };
    }
    case Route::Access::Bearer: {
        // Refused before the body is read: without a token nothing but the head is taken in.
        HttpResponse refusal;
        const std::optional<QString> user = authenticate(head, &refusal);
        if (!user)
            return { HeadVerdict::Respond, refusal, nullptr };
        if (m.route->body == Route::Body::Upload)
            return beginUpload(head, *user, m.params.at(0));
        if (m.route->body != Route::Body::None && !isJsonContentType(head.header("content-type")))
            return { HeadVerdict::Respond,
                     jsonError(415, "unsupported_media_type", tr("send application/json")),
                     nullptr };
        return {};
    }
    }
    return {};
}

HttpResponse RestApi::handle(const HttpRequest &request)
{
    const Match m = match(request.method, request.path);
    if (!m.route && !m.allowed.isEmpty()) {
        // RFC 9110 §15.5.6: a 405 lists the methods the resource has.
        HttpResponse r = jsonError(405, "method_not_allowed",
                                   tr("use %1").arg(QString::fromLatin1(m.allowed.join(", "))));
        r.headers.append({ QByteArrayLiteral("Allow"), m.allowed.join(", ") });
        return r;
    }
    if (!m.route)
        return jsonError(404, "not_found", tr("no such route"));
    if (!m.route->handler)
        return jsonError(400, "bad_request",
                         tr("expected a WebSocket upgrade (/socket/websocket?vsn=2.0.0&token=…)"));
    Route::Call call { request, m.params, {} };
    if (m.route->access == Route::Access::Bearer) {
        HttpResponse refusal;
        const std::optional<QString> user = authenticate(request, &refusal);
        if (!user)
            return refusal;
        call.userId = *user;
    }
    return (this->*m.route->handler)(call);
}

bool RestApi::handleLater(const HttpRequest &request, Reply reply)
{
    const Match m = match(request.method, request.path);
    if (!m.route || !m.route->later)
        return false;
    Route::Call call { request, m.params, {} };
    if (m.route->access == Route::Access::Bearer) {
        HttpResponse refusal;
        const std::optional<QString> user = authenticate(request, &refusal);
        if (!user) {
            reply(refusal);
            return true;
        }
        call.userId = *user;
    }
    (this->*m.route->later)(call, std::move(reply));
    return true;
}

HttpResponse RestApi::healthz(const Route::Call &)
{
    // docs/server.md "Storage": 503 while the database cannot take writes.
    if (const std::optional<QString> reason = m_notebooks->database().degradedReason())
        return jsonResponse(503,
                            QJsonObject { { QStringLiteral("status"), QStringLiteral("degraded") },
                                          { QStringLiteral("reason"), *reason } });
    return jsonResponse(200, QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") } });
}

namespace {

    // Every sample of several processes behind one name tells which process it is
    // (docs/operator.md "Metrics"): `process` goes last among the sample's labels. The name
    // is [A-Za-z0-9._-] (ClusterOptions), nothing to escape.
    QByteArray withProcessLabel(const QByteArray &text, const QByteArray &process)
    {
        QByteArray out;
        out.reserve(text.size() * 2);
        for (const QByteArray &line : text.split('\n')) {
            if (line.isEmpty())
                continue;
            const qsizetype space = line.indexOf(' ');
            if (line.startsWith('#') || space < 0) {
                out += line + '\n';
                continue;
            }
            const QByteArray name = line.left(space);
            const QByteArray label = "process=\"" + process + '"';
            out += (name.endsWith('}') ? name.chopped(1) + ',' + label + '}'
                                       : name + '{' + label + '}')
                + line.mid(space) + '\n';
        }
        return out;
    }

} // namespace

HttpResponse RestApi::metrics(const Route::Call &)
{
    const ChannelMetrics m = m_hub->metrics();
    const QByteArray text
        = QStringLiteral("# HELP kyozo_sockets Open WebSocket connections.\n# TYPE kyozo_sockets "
                         "gauge\nkyozo_sockets %1\n"
                         "# HELP kyozo_channels_joined Channels joined across all sockets.\n# TYPE "
                         "kyozo_channels_joined gauge\nkyozo_channels_joined %2\n"
                         "# HELP kyozo_messages_in_total Frames received.\n# TYPE "
                         "kyozo_messages_in_total counter\nkyozo_messages_in_total %3\n"
                         "# HELP kyozo_messages_out_total Frames sent.\n# TYPE "
                         "kyozo_messages_out_total counter\nkyozo_messages_out_total %4\n"
                         "# HELP kyozo_errors_total Refused or malformed client messages.\n# TYPE "
                         "kyozo_errors_total counter\nkyozo_errors_total %5\n"
                         "# HELP kyozo_frames_queued Frames waiting for slow readers.\n# TYPE "
                         "kyozo_frames_queued gauge\nkyozo_frames_queued %6\n")
              .arg(m.sockets)
              .arg(m.channelsJoined)
              .arg(m.messagesIn)
              .arg(m.messagesOut)
              .arg(m.errors)
              .arg(m.framesQueued)
              .toUtf8()
        + m.socketLifecycleText();
    const ClusterBus *cluster = m_hub->cluster();
    if (!cluster)
        return HttpResponse { 200, QByteArrayLiteral("text/plain; version=0.0.4"), text, {} };
    const QByteArray clusterText
        = "# HELP kyozo_cluster_processes Live processes of the database, this one included.\n"
          "# TYPE kyozo_cluster_processes gauge\nkyozo_cluster_processes "
        + QByteArray::number(cluster->liveProcesses())
        + "\n# HELP kyozo_cluster_messages_sent_total Messages published to the other processes.\n"
          "# TYPE kyozo_cluster_messages_sent_total counter\nkyozo_cluster_messages_sent_total "
        + QByteArray::number(cluster->messagesSent())
        + "\n# HELP kyozo_cluster_messages_received_total Messages of the other processes.\n"
          "# TYPE kyozo_cluster_messages_received_total counter\n"
          "kyozo_cluster_messages_received_total "
        + QByteArray::number(cluster->messagesReceived())
        + "\n# HELP kyozo_cluster_messages_dropped_total Messages not published: the database "
          "did not keep up.\n# TYPE kyozo_cluster_messages_dropped_total counter\n"
          "kyozo_cluster_messages_dropped_total "
        + QByteArray::number(cluster->messagesDropped())
        + "\n# HELP kyozo_cluster_notify_queue_usage PostgreSQL's NOTIFY queue in use, 0 to 1.\n"
          "# TYPE kyozo_cluster_notify_queue_usage gauge\nkyozo_cluster_notify_queue_usage "
        + QByteArray::number(cluster->notifyQueueUsage(), 'g', 6) + '\n';
    return HttpResponse { 200,
                          QByteArrayLiteral("text/plain; version=0.0.4"),
                          withProcessLabel(text + clusterText, cluster->processName().toUtf8()),
                          {} };
}

// Workspace events (docs/server.md "Workspace topic"): members watching the workspace's
// topic see its notebook list change as it happens.
void RestApi::notifyWorkspace(const QString &workspace, const QString &event,
                              const QJsonObject &payload)
{
    if (m_hub)
        m_hub->broadcastEvent(QStringLiteral("execution:workspace:") + workspace, event, payload);
}

HttpResponse RestApi::createNotebook(const Route::Call &call)
{
    const QString &workspaceName = call.params.at(0);
    const std::optional<QString> workspace = m_accounts->workspaceIdByName(workspaceName);
    const std::optional<Role> role
        = workspace ? m_accounts->role(call.userId, *workspace) : std::nullopt;
    if (!role) // not a member: the workspace's existence does not leak
        return jsonError(404, "not_found", tr("no workspace %1").arg(workspaceName));
    if (*role == Role::Viewer)
        return jsonError(403, "forbidden", tr("viewers cannot create notebooks"));
    QJsonParseError parseError;
    const QJsonDocument body = Protocol::parseJson(call.request.body, &parseError);
    const QJsonObject o = body.object();
    const QJsonValue title = o.value(QLatin1String("title"));
    const QJsonValue content = o.value(QLatin1String("content"));
    if (parseError.error != QJsonParseError::NoError || !body.isObject() || !title.isString()
        || !(content.isString() || content.isUndefined())) {
        return jsonError(400, "bad_request",
                         tr("expected a JSON object {\"title\": string, \"content\": string}"));
    }
    if (!isStorableText(title.toString()) || !isStorableText(content.toString()))
        return jsonError(400, "bad_request",
                         tr("the title or content holds U+0000 or an unpaired surrogate "
                            "(\\ud800-\\udfff)"));
    // SPEC §11: a missing content is an empty notebook; "" rather than a null string, which
    // the database would take for SQL NULL.
    const QString text = content.isString() ? content.toString() : QStringLiteral("");
    QString error;
    const std::optional<QString> id
        = m_notebooks->create(*workspace, title.toString(), text, &error);
    if (!id)
        return storageFailure("creating a notebook", error);
    if (const std::optional<Notebook> nb = m_notebooks->find(*id))
        notifyWorkspace(workspaceName, QStringLiteral("notebook_created"), listEntry(*nb));
    return jsonResponse(201, QJsonObject { { QStringLiteral("id"), *id } });
}

HttpRequestHandler::HeadVerdict RestApi::beginUpload(const HttpRequest &head, const QString &userId,
                                                     const QString &workspaceName)
{
    const auto respond = [](HttpResponse r) {
        HeadVerdict v;
        v.kind = HeadVerdict::Respond;
        v.response = std::move(r);
        return v;
    };
    if (!m_files)
        return respond(jsonError(503, "unavailable", tr("this server takes no uploads")));
    // Decided before a byte of the body is read: nobody may make the server store bytes for a
    // workspace they cannot write to.
    const std::optional<QString> workspace = m_accounts->workspaceIdByName(workspaceName);
    const std::optional<Role> role
        = workspace ? m_accounts->role(userId, *workspace) : std::nullopt;
    if (!role)
        return respond(jsonError(404, "not_found", tr("no workspace %1").arg(workspaceName)));
    if (*role == Role::Viewer)
        return respond(jsonError(403, "forbidden", tr("viewers cannot upload files")));
    if (!isUploadContentType(head.header("content-type")))
        return respond(
            jsonError(415, "unsupported_media_type", tr("send the file as text/markdown")));
    QString name = QUrlQuery(QString::fromUtf8(head.query))
                       .queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded);
    if (name.isEmpty())
        name = QStringLiteral("upload.md");
    if (name.size() > 255 || !isStorableText(name))
        return respond(jsonError(400, "bad_request",
                                 tr("the name must be 1 to 255 characters without U+0000")));
    // Each upload is analysed by the server: a metered operation (docs/billing.md "Usage").
    if (m_billing) {
        const BillingService::Charge charge
            = m_billing->charge(userId, QLatin1String(BillingService::kFileAnalyses));
        if (charge.kind != BillingService::Charge::Kind::Allowed)
            return respond(charge.response());
    }
    int status = 0;
    QString error;
    std::shared_ptr<UploadSink> sink = m_files->begin(*workspace, name, &status, &error);
    if (!sink) {
        if (m_billing)
            m_billing->refund(userId, QLatin1String(BillingService::kFileAnalyses));
        qCWarning(lcHttp) << "cannot take an upload:" << error;
        return respond(
            jsonError(status, status == 503 ? "unavailable" : "insufficient_storage", error));
    }
    HeadVerdict v;
    v.bodySink = std::move(sink);
    return v;
}

HttpResponse RestApi::uploadFile(const Route::Call &call)
{
    const auto sink = std::dynamic_pointer_cast<UploadSink>(call.request.bodySink);
    if (!sink)
        return jsonError(500, "internal_error", tr("the upload was not stored"));
    QString error;
    if (!m_files->commit(sink, &error))
        return storageFailure("storing an upload", error);
    return jsonResponse(201,
                        QJsonObject { { QStringLiteral("id"), sink->id },
                                      { QStringLiteral("name"), sink->name },
                                      { QStringLiteral("bytes"), call.request.bodyBytes } });
}

HttpResponse RestApi::stripeWebhook(const Route::Call &call)
{
    return m_billing->stripeWebhook(call.request);
}

HttpResponse RestApi::appleWebhook(const Route::Call &call)
{
    return m_billing->appleWebhook(call.request);
}

void RestApi::stripeWebhookLater(const Route::Call &call, Reply reply)
{
    m_billing->stripeWebhook(call.request, std::move(reply));
}

void RestApi::appleWebhookLater(const Route::Call &call, Reply reply)
{
    m_billing->appleWebhook(call.request, std::move(reply));
}

HttpResponse RestApi::appleValidate(const Route::Call &call)
{
    return m_billing->appleValidate(call.request, call.userId);
}

void RestApi::appleValidateLater(const Route::Call &call, Reply reply)
{
    m_billing->appleValidate(call.request, call.userId, std::move(reply));
}

HttpResponse RestApi::billingStatus(const Route::Call &call)
{
    return m_billing->subscriptionStatus(call.userId);
}

HttpResponse RestApi::billingHistory(const Route::Call &call)
{
    return m_billing->history(call.userId);
}

HttpResponse RestApi::billingLicense(const Route::Call &call)
{
    return m_billing->license(call.userId);
}

HttpResponse RestApi::billingKeys(const Route::Call &)
{
    return m_billing->keys();
}

HttpResponse RestApi::exportAccount(const Route::Call &call)
{
    QString error;
    const std::optional<QJsonObject> data
        = AccountData(m_notebooks->database()).exportOf(call.userId, &error);
    if (!data)
        return storageFailure("exporting an account", error);
    HttpResponse r = jsonResponse(200, *data);
    r.headers.append({ QByteArrayLiteral("Content-Disposition"),
                       QByteArrayLiteral("attachment; filename=\"kyozo-account.json\"") });
    return r;
}

HttpResponse RestApi::deleteAccount(const Route::Call &call)
{
    QString error;
    if (!AccountData(m_notebooks->database()).erase(call.userId, &error))
        return storageFailure("erasing an account", error);
    return HttpResponse { 204, {}, {}, {} };
}

HttpResponse RestApi::storageFailure(const char *what, const QString &error)
{
    qCWarning(lcHttp) << what << "failed:" << error;
    // docs/server.md "Storage": a full database is 507, one that cannot be written 503.
    const std::optional<Degradation> d = m_notebooks->database().degraded();
    if (d && d->kind == Degradation::Kind::Full)
        return jsonError(507, "insufficient_storage", d->reason);
    if (d)
        return jsonError(503, "unavailable", d->reason);
    return jsonError(500, "internal", tr("the database failed"));
}

std::optional<std::pair<Notebook, Role>> RestApi::memberNotebook(const Route::Call &call,
                                                                 HttpResponse *refusal)
{
    const QString &id = call.params.at(0);
    const std::optional<Notebook> nb = m_notebooks->find(id);
    const std::optional<Role> role
        = nb ? m_accounts->role(call.userId, nb->workspaceId) : std::nullopt;
    if (!role) { // SPEC §11: another workspace's notebook looks like a missing one
        *refusal = jsonError(404, "not_found", tr("no notebook %1").arg(id));
        return std::nullopt;
    }
    return std::pair { *nb, *role };
}

namespace {
    // A query parameter that must be a whole number from 0 when present.
    std::optional<qint64> wholeNumber(const QUrlQuery &query, const char *name, qint64 absent,
                                      bool *ok)
    {
        const QString key = QLatin1String(name);
        if (!query.hasQueryItem(key))
            return absent;
        const qint64 value = query.queryItemValue(key, QUrl::FullyDecoded).toLongLong(ok);
        if (!*ok || value < 0) {
            *ok = false;
            return std::nullopt;
        }
        return value;
    }

    // GET .../revisions: newest first, at most this many per request.
    constexpr qint64 kDefaultRevisions = 50;
    constexpr qint64 kMaxRevisions = 1000;

    // How long a DELETE waits for co-editing's commit under way (one sync, normally
    // milliseconds; as long as SQLite's busy timeout at most).
    constexpr int kDeleteWaitMs = 5000;
} // namespace

HttpResponse RestApi::getNotebook(const Route::Call &call)
{
    HttpResponse refusal;
    const auto member = memberNotebook(call, &refusal);
    if (!member)
        return refusal;
    const Notebook &nb = member->first;
    const QUrlQuery query(QString::fromUtf8(call.request.query));
    bool ok = true;
    const std::optional<qint64> at = wholeNumber(query, "revision", -1, &ok);
    if (!ok)
        return jsonError(400, "bad_request", tr("revision must be a whole number from 0"));
    QString error;
    qint64 revision = *at;
    QString content;
    if (revision < 0) {
        const std::optional<NotebookDocuments::State> state = m_documents->latest(nb.id, &error);
        if (!state)
            return storageFailure("reading a notebook", error);
        revision = state->revision;
        content = state->content;
    } else {
        switch (m_documents->contentAt(nb.id, revision, &content, &error)) {
        case NotebookDocuments::Lookup::Found:
            break;
        case NotebookDocuments::Lookup::NotKept:
            return jsonError(404, "not_found",
                             tr("revision %1 of notebook %2 is not kept").arg(revision).arg(nb.id));
        case NotebookDocuments::Lookup::Failed:
            return storageFailure("reading a notebook's revision", error);
        }
    }
    return jsonResponse(200,
                        QJsonObject { { QStringLiteral("id"), nb.id },
                                      { QStringLiteral("title"), nb.title },
                                      { QStringLiteral("content"), content },
                                      { QStringLiteral("revision"), revision } });
}

HttpResponse RestApi::listNotebooks(const Route::Call &call)
{
    const QString &workspaceName = call.params.at(0);
    const std::optional<QString> workspace = m_accounts->workspaceIdByName(workspaceName);
    if (!workspace || !m_accounts->role(call.userId, *workspace))
        return jsonError(404, "not_found", tr("no workspace %1").arg(workspaceName));
    QString error;
    const std::optional<QList<Notebook>> notebooks = m_notebooks->list(*workspace, &error);
    if (!notebooks)
        return storageFailure("listing notebooks", error);
    QJsonArray list;
    for (const Notebook &nb : *notebooks)
        list.append(listEntry(nb));
    return jsonResponse(200, QJsonObject { { QStringLiteral("notebooks"), list } });
}

std::optional<QString> RestApi::ownedWorkspace(const Route::Call &call, HttpResponse *refusal)
{
    const QString &workspaceName = call.params.at(0);
    const std::optional<QString> workspace = m_accounts->workspaceIdByName(workspaceName);
    const std::optional<Role> role
        = workspace ? m_accounts->role(call.userId, *workspace) : std::nullopt;
    // Not a member: the workspace is not there for them (as for its notebooks).
    if (!role) {
        *refusal = jsonError(404, "not_found", tr("no workspace %1").arg(workspaceName));
        return std::nullopt;
    }
    if (*role != Role::Owner) {
        *refusal
            = jsonError(403, "forbidden", tr("only the workspace's owners manage its members"));
        return std::nullopt;
    }
    return workspace;
}

namespace {
    QJsonObject memberJson(const QString &name, Role role)
    {
        return QJsonObject { { QStringLiteral("user"), name },
                             { QStringLiteral("role"), roleName(role) } };
    }
} // namespace

HttpResponse RestApi::listMembers(const Route::Call &call)
{
    HttpResponse refusal;
    const std::optional<QString> workspace = ownedWorkspace(call, &refusal);
    if (!workspace)
        return refusal;
    QString error;
    const std::optional<QList<Member>> members = m_accounts->members(*workspace, &error);
    if (!members)
        return storageFailure("listing members", error);
    QJsonArray list;
    for (const Member &m : *members)
        list.append(memberJson(m.name, m.role));
    return jsonResponse(200, QJsonObject { { QStringLiteral("members"), list } });
}

HttpResponse RestApi::getMember(const Route::Call &call)
{
    HttpResponse refusal;
    const std::optional<QString> workspace = ownedWorkspace(call, &refusal);
    if (!workspace)
        return refusal;
    QString error;
    const std::optional<QList<Member>> members = m_accounts->members(*workspace, &error);
    if (!members)
        return storageFailure("listing members", error);
    for (const Member &m : *members)
        if (m.name == call.params.at(1))
            return jsonResponse(200, memberJson(m.name, m.role));
    return jsonError(404, "not_found",
                     tr("%1 is not a member of %2").arg(call.params.at(1), call.params.at(0)));
}

HttpResponse RestApi::putMember(const Route::Call &call)
{
    HttpResponse refusal;
    const std::optional<QString> workspace = ownedWorkspace(call, &refusal);
    if (!workspace)
        return refusal;
    QJsonParseError parseError;
    const QJsonDocument body = Protocol::parseJson(call.request.body, &parseError);
    const QJsonObject o = body.object();
    const std::optional<Role> role = roleFromString(o.value(QLatin1String("role")).toString());
    if (parseError.error != QJsonParseError::NoError || !body.isObject() || o.size() != 1 || !role)
        return jsonError(
            400, "bad_request",
            tr("expected a JSON object {\"role\": \"owner\" | \"editor\" | \"viewer\"}"));
    QString error;
    const QString &user = call.params.at(1);
    return answerMemberChange(m_accounts->setMember(*workspace, user, *role, &error), call,
                              *workspace, role, error);
}

HttpResponse RestApi::deleteMember(const Route::Call &call)
{
    HttpResponse refusal;
    const std::optional<QString> workspace = ownedWorkspace(call, &refusal);
    if (!workspace)
        return refusal;
    QString error;
    return answerMemberChange(m_accounts->removeMember(*workspace, call.params.at(1), &error), call,
                              *workspace, std::nullopt, error);
}

// What PUT (`role`) and DELETE (no role) of /members/{user} answer.
HttpResponse RestApi::answerMemberChange(MemberChange change, const Route::Call &call,
                                         const QString &workspaceId, std::optional<Role> role,
                                         const QString &error)
{
    const QString &user = call.params.at(1);
    if ((change == MemberChange::Updated || change == MemberChange::Removed) && m_hub)
        m_hub->membershipChanged(workspaceId, user);
    switch (change) {
    case MemberChange::Created:
        return jsonResponse(201, memberJson(user, *role));
    case MemberChange::Updated:
        return jsonResponse(200, memberJson(user, *role));
    case MemberChange::Removed:
        return HttpResponse { 204, {}, {}, {} };
    case MemberChange::NoSuchUser:
        if (role) // someone to add, whom the operator never made
            return jsonError(404, "not_found", tr("no user %1 (kyozo-server user add)").arg(user));
        [[fallthrough]];
    case MemberChange::NotMember:
        return jsonError(404, "not_found",
                         tr("%1 is not a member of %2").arg(user, call.params.at(0)));
    case MemberChange::LastOwner:
        return jsonError(409, "last_owner", tr("%1 is the workspace's last owner").arg(user));
    case MemberChange::Failed:
        break;
    }
    return storageFailure(role ? "changing a member" : "removing a member", error);
}

HttpResponse RestApi::renameNotebook(const Route::Call &call)
{
    HttpResponse refusal;
    const auto member = memberNotebook(call, &refusal);
    if (!member)
        return refusal;
    if (member->second == Role::Viewer)
        return jsonError(403, "forbidden", tr("viewers cannot rename notebooks"));
    QJsonParseError parseError;
    const QJsonDocument body = Protocol::parseJson(call.request.body, &parseError);
    const QJsonObject o = body.object();
    const QJsonValue title = o.value(QLatin1String("title"));
    if (parseError.error != QJsonParseError::NoError || !body.isObject() || !title.isString()
        || o.size() != 1)
        return jsonError(400, "bad_request", tr("expected a JSON object {\"title\": string}"));
    if (!isStorableText(title.toString()))
        return jsonError(400, "bad_request",
                         tr("the title holds U+0000 or an unpaired surrogate (\\ud800-\\udfff)"));
    QString error;
    Notebook nb = member->first;
    nb.title = title.toString();
    nb.updatedAt = QDateTime::currentMSecsSinceEpoch();
    if (!m_notebooks->rename(nb.id, nb.title, nb.updatedAt, &error))
        return storageFailure("renaming a notebook", error);
    if (const std::optional<QString> workspace = m_accounts->workspaceNameById(nb.workspaceId))
        notifyWorkspace(*workspace, QStringLiteral("notebook_renamed"), listEntry(nb));
    return jsonResponse(200, listEntry(nb));
}

HttpResponse RestApi::deleteNotebook(const Route::Call &call)
{
    HttpResponse refusal;
    const auto member = memberNotebook(call, &refusal);
    if (!member)
        return refusal;
    // Owners only: editors (a shared session's guest among them) write, but deleting takes
    // the whole history with it (docs/server.md "REST").
    if (member->second != Role::Owner)
        return jsonError(403, "forbidden", tr("only the workspace's owners can delete notebooks"));
    // Co-editing's group being written, which may hold operations of this notebook, goes
    // first: deleted under it, its transaction would fail for every notebook in it.
    m_documents->waitForWrite(kDeleteWaitMs);
    QString error;
    if (!m_notebooks->remove(member->first.id, &error))
        return storageFailure("deleting a notebook", error);
    // Whoever has it open is told (phx_close) and its text leaves memory.
    m_hub->closeTopic(QStringLiteral("execution:notebook:") + member->first.id);
    m_documents->forget(member->first.id);
    if (const std::optional<QString> workspace
        = m_accounts->workspaceNameById(member->first.workspaceId))
        notifyWorkspace(*workspace, QStringLiteral("notebook_deleted"),
                        QJsonObject { { QStringLiteral("id"), member->first.id } });
    return HttpResponse { 204, {}, {}, {} };
}

HttpResponse RestApi::notebookRevisions(const Route::Call &call)
{
    HttpResponse refusal;
    const auto member = memberNotebook(call, &refusal);
    if (!member)
        return refusal;
    const QUrlQuery query(QString::fromUtf8(call.request.query));
    bool ok = true;
    const std::optional<qint64> before
        = wholeNumber(query, "before", member->first.revision + 1, &ok);
    const std::optional<qint64> limit
        = ok ? wholeNumber(query, "limit", kDefaultRevisions, &ok) : std::nullopt;
    if (!ok || *limit < 1 || *limit > kMaxRevisions)
        return jsonError(
            400, "bad_request",
            tr("before must be a whole number from 0, limit one from 1 to %1").arg(kMaxRevisions));
    QString error;
    const std::optional<QList<RevisionEntry>> revisions
        = m_notebooks->revisions(member->first.id, *before, int(*limit), &error);
    if (!revisions)
        return storageFailure("reading a notebook's history", error);
    QJsonArray list;
    for (const RevisionEntry &r : *revisions)
        list.append(QJsonObject { { QStringLiteral("revision"), r.revision },
                                  { QStringLiteral("user_id"), r.userId },
                                  { QStringLiteral("name"), r.userName },
                                  { QStringLiteral("time"), r.time } });
    return jsonResponse(200, QJsonObject { { QStringLiteral("revisions"), list } });
}

} // namespace Kyozo::Server
