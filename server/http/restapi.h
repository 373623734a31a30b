#pragma once

#include "httpconnection.h"
#include "storage/accountstore.h"
#include "storage/notebookstore.h"

#include <QCoreApplication>
#include <QList>
#include <QStringList>

namespace Kyozo::Server {

class AccountStore;
class BillingService;
class ChannelHub;
class FileUploads;
class NotebookDocuments;
class NotebookStore;
class RestApi;

// One row of the route table: everything a client can reach over HTTP, in one place (SPEC
// §11, docs/server.md "REST"). A later OpenAPI check reads this table.
struct Route
{
    enum class Access {
        Public, // no token (/healthz, /metrics)
        Bearer, // Authorization: Bearer TOKEN; 401 with WWW-Authenticate otherwise
        SocketToken, // ?token= on a WebSocket upgrade; 403 before the handshake otherwise
    };
    enum class Body {
        None, // no body expected; bodies are still capped at max_body_bytes
        Json, // a JSON object up to max_body_bytes; an explicit non-JSON type is 415
        Notebook, // a JSON object holding a notebook, up to max_notebook_bytes
        Upload, // a file's bytes, streamed to disk, up to [files] max_upload_bytes
    };
    struct Call
    {
        const HttpRequest &request;
        QStringList params; // the pattern's {names}, percent-decoded exactly once
        QString userId; // the caller, for Bearer routes
    };
    using Handler = HttpResponse (RestApi::*)(const Call &call);
    // For routes answered later (HttpRequestHandler::handleLater): webhooks that are stored
    // with others in one commit.
    using LaterHandler = void (RestApi::*)(const Call &call, HttpRequestHandler::Reply reply);

    QByteArrayView method; // GET routes answer HEAD too
    QByteArrayView pattern; // segments; "{name}" matches one segment
    Access access;
    Body body;
    Handler handler; // null for the WebSocket upgrade, which ChannelHub takes over
    LaterHandler later = nullptr; // when set, it answers instead of `handler`
};

// SPEC §11's REST contracts behind the HTTP front: the route table and its handlers.
class RestApi : public HttpRequestHandler
{
    Q_DECLARE_TR_FUNCTIONS(RestApi)
public:
    RestApi(const HttpLimits &limits, qint64 maxNotebookBytes, AccountStore *accounts,
            NotebookStore *notebooks, NotebookDocuments *documents, ChannelHub *hub,
            FileUploads *files, BillingService *billing);

    static const QList<Route> &routes();

    struct Match
    {
        const Route *route = nullptr; // null: no route, or none for this method
        QStringList params;
        QByteArrayList allowed; // the path's methods when the method is not one of them (405)
    };
    static Match match(QByteArrayView method, QByteArrayView path);

    qint64 bodyLimit(const HttpRequest &head) const override;
    HeadVerdict onHead(const HttpRequest &head) override;
    HttpResponse handle(const HttpRequest &request) override;
    bool handleLater(const HttpRequest &request, Reply reply) override;

private:
    HttpResponse healthz(const Route::Call &call);
    HttpResponse metrics(const Route::Call &call);
    HttpResponse createNotebook(const Route::Call &call);
    HttpResponse getNotebook(const Route::Call &call);
    HttpResponse listNotebooks(const Route::Call &call);
    // Workspace members (issue 21 item 3), owners only.
    std::optional<QString> ownedWorkspace(const Route::Call &call, HttpResponse *refusal);
    HttpResponse listMembers(const Route::Call &call);
    HttpResponse getMember(const Route::Call &call);
    HttpResponse putMember(const Route::Call &call);
    HttpResponse deleteMember(const Route::Call &call);
    // Also tells the channels (ChannelHub::membershipChanged) of a change or removal.
    HttpResponse answerMemberChange(MemberChange change, const Route::Call &call,
                                    const QString &workspaceId, std::optional<Role> role,
                                    const QString &error);
    HttpResponse renameNotebook(const Route::Call &call);
    HttpResponse deleteNotebook(const Route::Call &call);
    HttpResponse notebookRevisions(const Route::Call &call);
    HttpResponse uploadFile(const Route::Call &call);
    HttpResponse stripeWebhook(const Route::Call &call);
    HttpResponse appleWebhook(const Route::Call &call);
    void stripeWebhookLater(const Route::Call &call, Reply reply);
    void appleWebhookLater(const Route::Call &call, Reply reply);
    HttpResponse appleValidate(const Route::Call &call);
    void appleValidateLater(const Route::Call &call, Reply reply);
    HttpResponse billingStatus(const Route::Call &call);
    HttpResponse billingHistory(const Route::Call &call);
    HttpResponse billingLicense(const Route::Call &call);
    HttpResponse billingKeys(const Route::Call &call);
    HttpResponse exportAccount(const Route::Call &call);
    HttpResponse deleteAccount(const Route::Call &call);
    // Before an upload's body: who may upload there, and where the bytes go.
    HeadVerdict beginUpload(const HttpRequest &head, const QString &userId,
                            const QString &workspaceName);
    void notifyWorkspace(const QString &workspace, const QString &event,
                         const QJsonObject &payload);
    // The notebook and the caller's role in its workspace, or the 404 that hides it.
    std::optional<std::pair<Notebook, Role>> memberNotebook(const Route::Call &call,
                                                            HttpResponse *refusal);
    // A write or read the database refused: 507, 503 or 500 (docs/server.md "Storage").
    HttpResponse storageFailure(const char *what, const QString &error);
    // 401 (with WWW-Authenticate) or the caller's user id.
    std::optional<QString> authenticate(const HttpRequest &request, HttpResponse *refusal);

    HttpLimits m_limits;
    qint64 m_maxNotebookBytes;
    AccountStore *m_accounts;
    NotebookStore *m_notebooks;
    NotebookDocuments *m_documents;
    ChannelHub *m_hub;
    FileUploads *m_files;
    BillingService *m_billing;
};

} // namespace Kyozo::Server
