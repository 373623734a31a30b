#pragma once

#include "serverconfig.h"

#include <QStringList>

namespace Kyozo::Server {

// SPEC §11 admin: `user add NAME [--workspace W] [--role R]`, `user list`,
// `token create NAME`, `token revoke TOKEN`; `billing report [--from D] [--to D]`
// (docs/billing.md "Report"). Returns the exit code: 0, 1 for an unknown user or token (one
// line on stderr), 2 for bad usage.
int runAdminCommand(const ServerConfig &settings, const QStringList &words);

} // namespace Kyozo::Server
