#include "extractionmemo.h"

#include "blockevent.h"

#include <cstring>

namespace Kyozo::MarkdownLD {

namespace {

    template<typename T> void put(QByteArray &key, T value)
    {
        key.append(reinterpret_cast<const char *>(&value), sizeof value);
    }

    void putBytes(QByteArray &key, QByteArrayView bytes)
    {
        put(key, qint64(bytes.size()));
        key.append(bytes);
    }

    SemanticItem moved(SemanticItem item, qint64 bytes, qint64 lines)
    {
        item.range.startByte += bytes;
        item.range.endByte += bytes;
        item.range.startLine += lines;
        item.range.endLine += lines;
        for (ItemError &e : item.errors)
            e.line += lines;
        return item;
    }

} // namespace

void ExtractionMemo::beginPass()
{
    m_previous = std::move(m_current);
    m_current.clear();
    m_stats = {};
}

void ExtractionMemo::endPass()
{
    m_previous.clear();
    m_previous.squeeze();
}

const QList<SemanticItem> *ExtractionMemo::find(const QByteArray &key)
{
    if (const auto it = m_current.constFind(key); it != m_current.cend()) {
        ++m_stats.reused;
        return &*it;
    }
    const auto old = m_previous.find(key);
    if (old == m_previous.end())
        return nullptr;
    ++m_stats.reused;
    const auto moved = m_current.insert(key, std::move(*old));
    m_previous.erase(old);
    return &*moved;
}

void ExtractionMemo::store(const QByteArray &key, QList<SemanticItem> relativeItems)
{
    ++m_stats.extracted;
    m_current.insert(key, std::move(relativeItems));
}

QByteArray ExtractionMemo::blockKey(qsizetype plugin, const BlockEvent &block,
                                    QByteArrayView prefixes)
{
    // Every field of the event an extractor may read, positions relative to the block.
    QByteArray key;
    const qsizetype lines = block.contentLines ? block.contentLines->size() : 0;
    key.reserve(64 + prefixes.size() + block.info.size() + block.content.size() + lines * 32);
    key.append('B');
    put(key, qint32(plugin));
    put(key, quint8(block.kind));
    put(key, qint32(block.level));
    put(key, quint8(block.ordered));
    put(key, qint64(block.listStart));
    put(key, qint32(block.htmlType));
    put(key, quint8(block.contentTruncated));
    put(key, quint8(block.unclosed));
    put(key, block.range.startColumn);
    put(key, block.range.endByte - block.range.startByte);
    put(key, block.range.endLine - block.range.startLine);
    putBytes(key, prefixes);
    putBytes(key, block.info);
    put(key, qint64(lines));
    for (qsizetype i = 0; i < lines; ++i) {
        const ContentLine &l = block.contentLines->at(i);
        put(key, l.contentOffset);
        put(key, l.documentByte - block.range.startByte);
        put(key, l.line - block.range.startLine);
        put(key, l.prefixCodePoints);
    }
    putBytes(key, block.content);
    return key;
}

QByteArray ExtractionMemo::lineKey(QByteArrayView text)
{
    QByteArray key;
    key.reserve(text.size() + 1);
    key.append('L');
    key.append(text);
    return key;
}

SemanticItem ExtractionMemo::relative(SemanticItem item, qint64 byte, qint64 line)
{
    return moved(std::move(item), -byte, -line);
}

SemanticItem ExtractionMemo::placed(SemanticItem item, qint64 byte, qint64 line)
{
    return moved(std::move(item), byte, line);
}

} // namespace Kyozo::MarkdownLD
