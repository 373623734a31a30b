#pragma once

#include <QAbstractHttpServer>
#include <QSet>

class QHttpServerResponder;

namespace Kyozo::Server {

class AccountStore;
class ChannelHub;
class NotebookStore;

// One port for everything (SPEC §4, §8): the WebSocket endpoint, REST under /api/v1,
// /healthz and /metrics. A QAbstractHttpServer subclass rather than QHttpServer because
// SPEC §11 wants a missing, unknown or revoked token refused with HTTP 403 *before* the
// upgrade: Qt 6.4 hands an upgrade to the WebSocket server whenever handleRequest()
// returns true, and answering from a QHttpServer route still hands the socket over.
// Returning false for a refused upgrade makes Qt call missingHandler(), which writes 403.
class HttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    HttpServer(AccountStore *accounts, NotebookStore *notebooks, ChannelHub *hub,
               QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void handleRest(const QHttpServerRequest &request, QHttpServerResponder &responder);
    AccountStore *m_accounts;
    NotebookStore *m_notebooks;
    ChannelHub *m_hub;
    QSet<QTcpSocket *> m_refusedUpgrades;
};

} // namespace Kyozo::Server
