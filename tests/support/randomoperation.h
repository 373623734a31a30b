#pragma once

#include "collab/textoperation.h"

#include <QRandomGenerator>
#include <QString>

namespace KyozoTest {

// Random text made of the characters co-editing must get right: ASCII, Latin-1, CJK,
// astral-plane emoji (surrogate pairs), "\r\n", lone "\n" and "\r". Up to `maxCodePoints`
// code points; sometimes empty.
QString randomText(QRandomGenerator &random, int maxCodePoints);

// A random operation on `text` whose part boundaries never fall inside a surrogate pair
// (ot.js, counting code units, knows nothing of pairs) and whose inserts are randomText.
// About `edits` retained-or-edited stretches; sometimes a no-op, sometimes all deleted.
Kyozo::Collab::TextOperation randomOperation(QRandomGenerator &random, const QString &text,
                                             int edits = 3);

// A random edit as an editor makes one: at one place (a code-point boundary) delete up to
// `maxDelete` code points and/or insert a short randomText.
Kyozo::Collab::TextOperation randomEdit(QRandomGenerator &random, const QString &text,
                                        int maxDelete = 4, int maxInsert = 6);

} // namespace KyozoTest
