#pragma once

#include "linearity.h"

#include <QByteArray>
#include <QJsonObject>

#include <functional>

namespace KyozoTest {

// What `kyozo-ld extract` and `kyozo-ld stats` make of a document: every item serialised as
// its jsonl line, and the document's statistics.
struct ExtractAndStats
{
    qint64 items = 0;
    qint64 outputBytes = 0; // of the jsonl lines
    QJsonObject stats;
};

// The document fed in 64 KiB chunks, as the CLI reads it.
// includeImplicit: as `kyozo-ld extract --implicit`.
ExtractAndStats extractAndStats(const QByteArray &document, qsizetype maxBlockBytes = 1024 * 1024,
                                bool includeImplicit = false);

using DocumentMaker = std::function<QByteArray(qint64 n)>;

// checkGrowth() of extractAndStats() on make(n), n growing from startN while the document at
// 2n stays under kMaxDocumentBytes (make(n) is taken to grow in proportion to n); where one
// parse of that is still quick, each measurement parses it as many times as make it cost
// checkGrowth's minimum. The cap keeps what a parse touches (the document, its longest block
// buffered, the statistics' copy of it) inside a processor's last-level cache at n and at 2n:
// across that edge, or with blocks big enough that every parse faults fresh pages in, CPU time
// per byte changes by more than the 3x the check allows. Each size is made once, outside the
// measurement. The block cap is above any document a test makes: the check is how the
// parser's work grows with a block, not the 1 MiB default that would cut a long line down
// to its first bytes.
GrowthCheck checkParserGrowth(const DocumentMaker &make, qint64 startN, bool includeImplicit = false);
constexpr qsizetype kMaxDocumentBytes = 4 * 1024 * 1024;

// `piece` n times.
QByteArray times(QByteArrayView piece, qint64 n);

} // namespace KyozoTest
