#pragma once

#include "storage/databaseurl.h"

#include <QStringList>

namespace Kyozo::Server {

// SPEC §11 admin: `user add NAME [--workspace W] [--role R]`, `user list`,
// `token create NAME`, `token revoke TOKEN`. Returns the exit code: 0, 1 for an unknown
// user or token (one line on stderr), 2 for bad usage.
int runAdminCommand(const DatabaseUrl &database, const QStringList &words);

} // namespace Kyozo::Server
