#pragma once

#include <QStringList>

// `kyozo-ld extract` (SPEC §11). Returns the process exit code.
int runExtract(const QStringList &arguments);
