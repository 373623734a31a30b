#include "documentstats.h"

#include <QTextBoundaryFinder>

#include <algorithm>

namespace Kyozo::MarkdownLD {

qint64 countWords(QByteArrayView utf8)
{
    const QString text = QString::fromUtf8(utf8);
    QTextBoundaryFinder finder(QTextBoundaryFinder::Word, text);
    qint64 words = 0;
    qsizetype start = -1;
    for (qsizetype pos = finder.toNextBoundary(); pos != -1; pos = finder.toNextBoundary()) {
        if (finder.boundaryReasons() & QTextBoundaryFinder::EndOfItem) {
            // A segment between boundaries is a word when it holds a letter or a digit.
            const qsizetype from = qMax<qsizetype>(0, start);
            if (std::any_of(text.begin() + from, text.begin() + pos,
                            [](QChar c) { return c.isLetterOrNumber(); }))
                ++words;
        }
        if (finder.boundaryReasons() & QTextBoundaryFinder::StartOfItem)
            start = pos;
    }
    return words;
}

void DocumentStats::addBytes(QByteArrayView chunk)
{
    if (chunk.isEmpty())
        return;
    m_bytes += chunk.size();
    m_newlines += std::count(chunk.begin(), chunk.end(), '\n');
    m_endsWithNewline = chunk.back() == '\n';
}

void DocumentStats::blockClosed(const BlockEvent &event)
{
    ++m_blocks[QString::fromLatin1(blockKindName(event.kind))];
    if (event.kind == BlockKind::Paragraph || event.kind == BlockKind::Heading
        || event.kind == BlockKind::Table)
        m_words += countWords(event.content);
}

void DocumentStats::itemFound(const SemanticItem &item)
{
    ++m_items[itemKindName(item.kind)];
    ++m_itemCount;
}

QJsonObject DocumentStats::toJson() const
{
    auto toObject = [](const QHash<QString, qint64> &h) {
        QJsonObject o;
        for (auto it = h.begin(); it != h.end(); ++it)
            o.insert(it.key(), it.value());
        return o;
    };
    const qint64 lines = m_newlines + ((m_bytes > 0 && !m_endsWithNewline) ? 1 : 0);
    // Unweighted until confidence scores land (issue 3): items per 1,000 words.
    const double density = m_words > 0 ? double(m_itemCount) * 1000.0 / double(m_words) : 0.0;
    return QJsonObject{ { "bytes", m_bytes },   { "lines", lines },
                        { "words", m_words },   { "blocks", toObject(m_blocks) },
                        { "items", toObject(m_items) }, { "density", density } };
}

} // namespace Kyozo::MarkdownLD
