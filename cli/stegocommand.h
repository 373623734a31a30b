#pragma once

#include <QStringList>

// `kyozo-ld stego encode|decode|detect|strip` (SPEC §11). Returns the process exit code.
int runStego(const QStringList &arguments);
