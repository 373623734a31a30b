#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace Kyozo::Billing {

// App Store signed data (StoreKit 2 transactions, renewal infos and App Store Server
// Notifications V2): a JWS whose `x5c` header carries the signing chain. Verified as Apple's
// app-store-server-library `SignedDataVerifier` does (jws_verification.ts, read at its 2025
// main): exactly three certificates in `x5c`, of which the leaf and the intermediate are used;
// the intermediate signed by one of the configured roots and issued by its subject, the leaf
// signed by the intermediate and issued by its subject, the intermediate a CA, the leaf
// carrying the extension 1.2.840.113635.100.6.11.1 and the intermediate
// 1.2.840.113635.100.6.2.1, each of the three valid at the effective time with 60 s of skew;
// then the ES256 signature with the leaf's key. Apple's library checks validity at the data's
// `signedDate` unless its online checks (OCSP) are on; we have no OCSP and check at the
// server's clock, which refuses a chain that has expired since.
class AppStoreVerifier
{
public:
    enum class Refusal {
        None,
        Malformed, // not a JWS of JSON objects, or alg is not ES256
        InvalidChainLength, // x5c has not exactly three certificates
        InvalidCertificate, // a certificate does not parse, or is not valid at the time
        VerificationFailure, // chain, CA flag, OIDs or signature
        InvalidAppIdentifier, // bundle id (or appAppleId in production) is not ours
        InvalidEnvironment,
    };
    struct Result
    {
        Refusal refusal = Refusal::None;
        QJsonObject payload;
    };

    // DER or PEM; Apple Root CA - G3 in production, a test root in tests.
    bool addRootCertificate(const QByteArray &certificate, QString *error);
    QString bundleId;
    QString environment = QStringLiteral("Production"); // or "Sandbox"
    std::optional<qint64> appAppleId; // required in production, as Apple's library requires it

    // The JWS's signature and chain only.
    Result verifySignedData(const QByteArray &jws, qint64 nowMs) const;
    // A notification's signedPayload: its data's bundleId, environment and appAppleId too.
    Result verifyNotification(const QByteArray &signedPayload, qint64 nowMs) const;
    // signedTransactionInfo: bundleId and environment.
    Result verifyTransaction(const QByteArray &signedTransaction, qint64 nowMs) const;
    // signedRenewalInfo: environment.
    Result verifyRenewalInfo(const QByteArray &signedRenewalInfo, qint64 nowMs) const;

    static QString reasonCode(Refusal refusal);

private:
    // Chains verified before (leaf + intermediate, by their SHA-256), with the leaf's key and
    // the window in which all three certificates are valid: a notification signed by a known
    // chain costs one ES256 verification instead of three. At most 32, as Apple's library
    // keeps (its verifiedPublicKeyCache). Not thread-safe: one verifier per thread.
    struct VerifiedChain
    {
        std::shared_ptr<void> leafKey; // EVP_PKEY
        qint64 notBeforeMs = 0; // the latest notBefore of the three
        qint64 notAfterMs = 0; // the earliest notAfter
    };
    mutable QHash<QByteArray, VerifiedChain> m_verified;
    QByteArrayList m_rootsDer;
};

} // namespace Kyozo::Billing
