#pragma once

#include <QByteArrayView>
#include <QVarLengthArray>

namespace Kyozo::MarkdownLD {

// The inline constructs the implicit rules (docs/semantics.md) and the AI view's reference
// count read in a paragraph's, heading's or table's text: links, e-mail addresses and ISO
// dates, with code spans, escapes, autolinked URLs and link destinations skipped so that
// nothing inside them is taken for text. One pass, linear in the text: no construct is
// scanned twice (a code span's closer is looked for once per backtick-run length; a
// failed search marks that length as closerless for the rest of the text, as cmark does).
//
// This is not a CommonMark inline parser: link text is what lies between the last
// unmatched `[` and a `](`; reference links (`[text][label]`) are not resolved (in a stream
// the definition may come later); inline HTML is text.
struct InlineEvent
{
    enum Kind : quint8 { Link, Email, Date };
    Kind kind = Link;
    qsizetype begin = 0; // the construct in the text: [begin, end)
    qsizetype end = 0;
    qsizetype textBegin = 0; // Link: its text; Email, Date: the address or date itself
    qsizetype textEnd = 0;
    qsizetype destinationBegin = 0; // Link only
    qsizetype destinationEnd = 0;
};

using InlineEvents = QVarLengthArray<InlineEvent, 16>;

// Appends what `text` holds, in text order, at most maxEvents (the rest is dropped: a
// block's items are bounded whatever it holds).
void scanInlines(QByteArrayView text, InlineEvents *events, qsizetype maxEvents = 256);

// `YYYY-MM-DD` with a real month and day (leap years included), optionally followed by
// `Thh:mm[:ss[.fff]][Z|±hh:mm]`; returns its length at `at`, or 0.
qsizetype isoDateLength(QByteArrayView text, qsizetype at);

} // namespace Kyozo::MarkdownLD
