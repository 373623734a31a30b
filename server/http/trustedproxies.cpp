#include "trustedproxies.h"

#include <QCoreApplication>

namespace Kyozo::Server {

QHostAddress withoutV4Mapping(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

bool TrustedProxies::parse(const QStringList &entries, QString *error)
{
    m_subnets.clear();
    for (const QString &entry : entries) {
        QPair<QHostAddress, int> subnet;
        if (entry.contains(u'/')) {
            subnet = QHostAddress::parseSubnet(entry);
        } else {
            const QHostAddress address(entry);
            subnet = { address, address.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32 };
        }
        if (subnet.first.isNull() || subnet.second < 0) {
            *error = QCoreApplication::translate("kyozo-server", "not an address or subnet: %1")
                         .arg(entry);
            return false;
        }
        m_subnets.append(subnet);
    }
    return true;
}

bool TrustedProxies::contains(const QHostAddress &address) const
{
    const QHostAddress a = withoutV4Mapping(address);
    for (const auto &subnet : m_subnets)
        if (a.isInSubnet(subnet))
            return true;
    return false;
}

QHostAddress TrustedProxies::clientOf(const QHostAddress &peer, const HttpRequest &request) const
{
    QHostAddress client = withoutV4Mapping(peer);
    if (!contains(client))
        return client;
    QList<QByteArray> hops;
    for (const auto &[name, value] : request.headers)
        if (name == "x-forwarded-for")
            for (const QByteArray &hop : value.split(','))
                hops.append(hop.trimmed());
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        QByteArray hop = hops[i];
        if (hop.startsWith('[') && hop.endsWith(']')) // an IPv6 address as some proxies write it
            hop = hop.sliced(1, hop.size() - 2);
        const QHostAddress address(QString::fromLatin1(hop));
        if (address.isNull())
            return client; // "unknown", a name, garbage: nothing further can be believed
        client = withoutV4Mapping(address);
        if (!contains(client))
            return client;
    }
    return client;
}

QByteArray TrustedProxies::schemeOf(const QHostAddress &peer, const HttpRequest &request,
                                    bool tls) const
{
    if (contains(peer)) {
        // The first proxy's view: the leftmost of a list some chains send.
        const QByteArray proto
            = request.header("x-forwarded-proto").split(',').first().trimmed().toLower();
        if (proto == "https" || proto == "http")
            return proto;
    }
    return tls ? QByteArrayLiteral("https") : QByteArrayLiteral("http");
}

} // namespace Kyozo::Server
