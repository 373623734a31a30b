#pragma once

#include "collab/textoperation.h"

#include <QList>
#include <QString>

namespace KyozoTest {

// A real keystroke trace of josephg/editing-traces (tests/data/editing-traces, CC BY 4.0):
// `{"endContent", "txns": [{"patches": [[pos, numDeleted, "inserted"]], "agent"?}]}`,
// positions in code points of the text as that agent saw it.
struct EditingTrace
{
    struct Patch
    {
        qsizetype position = 0; // code points
        qsizetype deleted = 0; // code points
        QString inserted;
        int agent = 0;
    };
    QString endContent;
    QList<Patch> patches; // every transaction's patches, in order
    int agents = 1;
};

// Reads a gzipped trace; nullopt (and `error`) when it cannot be read or parsed.
std::optional<EditingTrace> readEditingTrace(const QString &path, QString *error);

// One patch as an operation on `text`, its code-point position and length clamped to the
// text (for concurrent traces replayed on each agent's own copy).
Kyozo::Collab::TextOperation patchOperation(const EditingTrace::Patch &patch, const QString &text);

} // namespace KyozoTest
