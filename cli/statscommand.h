#pragma once

#include <QStringList>

// `kyozo-ld stats` (SPEC §11). Returns the process exit code.
int runStats(const QStringList &arguments);
