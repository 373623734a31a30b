#include "privateca.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>

namespace Kyozo::App {

std::optional<QList<QSslCertificate>> readCaFile(const QString &path, QString *error)
{
    QFile f(path);
    constexpr qint64 kMaxBytes = 1024 * 1024; // a CA bundle is kilobytes
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QCoreApplication::translate("Kyozo::App", "Cannot read the CA file %1: %2")
                     .arg(QDir::toNativeSeparators(path), f.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = f.read(kMaxBytes + 1);
    QList<QSslCertificate> certificates;
    if (bytes.size() <= kMaxBytes) {
        certificates = QSslCertificate::fromData(bytes, QSsl::Pem);
        if (certificates.isEmpty())
            certificates = QSslCertificate::fromData(bytes, QSsl::Der);
    }
    certificates.removeIf([](const QSslCertificate &c) { return c.isNull(); });
    if (certificates.isEmpty()) {
        *error = QCoreApplication::translate("Kyozo::App", "%1 holds no PEM or DER certificate")
                     .arg(QDir::toNativeSeparators(path));
        return std::nullopt;
    }
    return certificates;
}

bool trustPrivateCa(const QString &path, QString *error)
{
    const std::optional<QList<QSslCertificate>> certificates = readCaFile(path, error);
    if (!certificates)
        return false;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.addCaCertificates(*certificates);
    QSslConfiguration::setDefaultConfiguration(configuration);
    return true;
}

} // namespace Kyozo::App
