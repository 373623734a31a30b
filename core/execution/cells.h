#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringView>

namespace Kyozo::Execution {

// One code cell of a notebook (issue 17 item 1, SPEC §6 and §11 "Execution"): a fenced code
// block. Whether it can run is the server's business (a runner for its language); every
// fenced block is a Cell here, so that `cell-N` counts all of them.
struct Cell
{
    QString id; // {#id} or {name=...} from the info string's braces, else "cell-N"
    QString language; // the info string's first word, lower-cased ("python", "sh")
    QString service; // {service=NAME}, else empty
    QString code; // the fenced block's content, exactly (line endings kept)
    QByteArray hash; // hex SHA-256 of `code` in UTF-8 (QCryptographicHash)
    int index = 0; // 1-based among fenced code blocks
    qsizetype startOffset = 0, endOffset = 0; // UTF-16 offsets of the whole block in the text
    int startLine = 0, endLine = 0; // 1-based, fence lines included
};

// Every fenced code block of the notebook text, in order (CommonMark fences: ``` and ~~~,
// indented up to 3 spaces, a closing fence at least as long; an unclosed fence runs to the
// end), found by the core's block parser, so fences inside lists and block quotes count and
// front matter does not. Linear in the text. Duplicate ids: the later ones get "-2", "-3"
// (the first free one).
QList<Cell> cellsOf(QStringView notebookText);

// The parts of an info string: its first word, and the attributes in braces after it.
struct CellInfo
{
    QString language; // lower-cased
    QString id; // #id, else name=
    QString service;
};
CellInfo parseCellInfo(QStringView info);

} // namespace Kyozo::Execution
