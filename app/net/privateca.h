#pragma once

#include <QList>
#include <QSslCertificate>
#include <QString>

#include <optional>

namespace Kyozo::App {

// A team server whose certificate a private CA signed (issue 21 item 2): the CA's
// certificates (a PEM file, one or more; or one DER certificate) are trusted from now on by
// every connection the app makes — REST and the channel socket — beside the system's CAs.
// False with one translated line in `error` when the file holds no certificate.
bool trustPrivateCa(const QString &path, QString *error);

// The certificates of such a file, or nothing with the same line in `error` (the Connect
// dialog checks a file before it is used).
std::optional<QList<QSslCertificate>> readCaFile(const QString &path, QString *error);

} // namespace Kyozo::App
