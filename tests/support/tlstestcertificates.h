#pragma once

#include <QByteArray>
#include <QString>

namespace KyozoTest {

// A private CA and a server certificate it signed for 127.0.0.1 and localhost (subjectAltName),
// made with OpenSSL for the test, EC P-256, PEM. The server certificate's validity is
// relative to now, so that an expired or not-yet-valid one can be made.
struct TlsTestCertificates
{
    struct Options
    {
        qint64 notBeforeSeconds = -3600;
        qint64 notAfterSeconds = 86400;
        long serial = 2;
    };
    explicit TlsTestCertificates(const Options &options);
    TlsTestCertificates();

    QByteArray caPem;
    QByteArray certificatePem;
    QByteArray privateKeyPem;
    QByteArray otherKeyPem; // a key of no certificate here

    // Writes ca.pem, server.pem, server.key and other.key into `directory`.
    bool writeTo(const QString &directory) const;
};

} // namespace KyozoTest
