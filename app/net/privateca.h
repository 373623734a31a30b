#pragma once

#include <QString>

namespace Kyozo::App {

// A team server whose certificate a private CA signed (issue 21 item 2): the CA's
// certificates (a PEM file, one or more; or one DER certificate) are trusted from now on by
// every connection the app makes — REST and the channel socket — beside the system's CAs.
// False with one translated line in `error` when the file holds no certificate.
bool trustPrivateCa(const QString &path, QString *error);

} // namespace Kyozo::App
