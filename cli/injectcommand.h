#pragma once

#include <QStringList>

// kyozo-ld inject --data X.json [--position front-matter|after-title|end] FILE|- (SPEC §11).
int runInject(const QStringList &arguments);
