#pragma once

#include <QByteArray>
#include <QString>

namespace Kyozo::Server {

// Bearer tokens: 256 bits from OpenSSL's RAND_bytes, shown once as "kyz_" + base64url;
// only their SHA-256 (OpenSSL EVP) is stored, so a database leak reveals no token.
QString newToken();
QString tokenHash(const QString &token);
// A random identifier (128 bits, hex) for rows and notebooks.
QString newId();

} // namespace Kyozo::Server
