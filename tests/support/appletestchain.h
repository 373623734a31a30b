#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>

#include <memory>

namespace KyozoTest {

// A certificate chain in the shape of the App Store's, made with OpenSSL for the test (never
// Apple's keys): a self-signed root CA, an intermediate CA carrying Apple's intermediate
// marker 1.2.840.113635.100.6.2.1, a leaf carrying the leaf marker 1.2.840.113635.100.6.11.1,
// all EC P-256. Options leave a marker or the CA flag out, or move the leaf's validity, so
// that each refusal of the verifier can be provoked.
class AppleTestChain
{
public:
    struct Options
    {
        bool leafOid = true;
        bool intermediateOid = true;
        bool intermediateIsCa = true;
        qint64 leafNotBeforeSeconds = -3600; // relative to now
        qint64 leafNotAfterSeconds = 86400;
    };
    explicit AppleTestChain(const Options &options);
    AppleTestChain();
    ~AppleTestChain();

    QByteArray rootDer() const { return m_rootDer; }
    QByteArray rootPem() const;
    QByteArray intermediateDer() const { return m_intermediateDer; }
    QByteArray leafDer() const { return m_leafDer; }

    // A compact JWS of `payload`, ES256 with the leaf's key, header {"alg":"ES256","x5c":
    // [leaf, intermediate, root]} (or the given certificates, DER).
    QByteArray sign(const QJsonObject &payload) const;
    QByteArray sign(const QJsonObject &payload, const QList<QByteArray> &x5cDer) const;

private:
    struct Keys;
    std::shared_ptr<Keys> m_keys;
    QByteArray m_rootDer, m_intermediateDer, m_leafDer;
};

} // namespace KyozoTest
