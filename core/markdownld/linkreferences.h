#pragma once

#include <QByteArrayView>

namespace Kyozo::MarkdownLD {

// How many bytes at the start of a paragraph's text are CommonMark link reference
// definitions (`[label]: destination "title"`), lines joined by '\n'. cmark removes
// those from the paragraph, and drops the paragraph when nothing else is left.
qsizetype linkReferenceDefinitionsLength(QByteArrayView text);

} // namespace Kyozo::MarkdownLD
