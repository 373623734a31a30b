#pragma once

#include "httpmessage.h"

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QStringList>

namespace Kyozo::Server {

// Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed ([proxy]
// trusted_addresses, issue 21 item 2; docs/operator.md "TLS"). From any other peer those
// headers are ignored: anyone can send them. Connections from a trusted proxy carry many
// clients, so they are not counted against max_connections_per_address.
class TrustedProxies
{
public:
    // Addresses ("127.0.0.1", "::1") and subnets ("10.0.0.0/8", "fd00::/8").
    bool parse(const QStringList &entries, QString *error);
    bool isEmpty() const { return m_subnets.isEmpty(); }
    bool contains(const QHostAddress &address) const;

    // The client a request from `peer` is for: the peer itself, or, from a trusted proxy,
    // the nearest address in X-Forwarded-For (all such headers, in order, right to left) that
    // is not a trusted proxy. An entry that is not an address ends the walk at the hop
    // before it.
    QHostAddress clientOf(const QHostAddress &peer, const HttpRequest &request) const;
    // "https" or "http", as the client spoke to the first proxy: X-Forwarded-Proto from a
    // trusted proxy, else what this connection is.
    QByteArray schemeOf(const QHostAddress &peer, const HttpRequest &request, bool tls) const;

private:
    QList<QPair<QHostAddress, int>> m_subnets;
};

// IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; they are a.b.c.d.
QHostAddress withoutV4Mapping(const QHostAddress &address);

} // namespace Kyozo::Server
