#pragma once

#include <QSslConfiguration>
#include <QString>
#include <optional>

namespace Kyozo::Server {

// What the one port speaks TLS with ([tls] in the config, issue 21 item 2): the certificate
// chain (PEM, the server's certificate first, intermediates after it) and its private key
// (PEM: PKCS#8, or traditional RSA or EC). Checked when loaded, so that a server with a
// certificate no client would accept does not start: the key must belong to the certificate,
// and the certificate must be valid now. The error is one line naming the file.
std::optional<QSslConfiguration> loadTlsIdentity(const QString &certificateFile,
                                                 const QString &privateKeyFile, QString *error);

} // namespace Kyozo::Server
