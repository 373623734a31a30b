#include "incrementalanalyzer.h"

#include <algorithm>
#include <cstring>

namespace Kyozo::MarkdownLD {

namespace {

    class Collector final : public StreamListener
    {
    public:
        explicit Collector(StreamListener *forward)
            : m_forward(forward)
        {
        }
        QList<SemanticItem> items;

        void blockOpened(const BlockEvent &e) override
        {
            if (m_forward)
                m_forward->blockOpened(e);
        }
        void blockClosed(const BlockEvent &e) override
        {
            if (m_forward)
                m_forward->blockClosed(e);
        }
        void itemFound(const SemanticItem &item) override
        {
            items.append(item);
            if (m_forward)
                m_forward->itemFound(item);
        }

    private:
        StreamListener *m_forward;
    };

    // 1-based line and code-point column of `pos` in `text`.
    std::pair<qint64, qint64> lineAndColumn(QByteArrayView text, qint64 pos)
    {
        const char *begin = text.data();
        const qint64 lines = std::count(begin, begin + pos, '\n');
        qint64 lineStart = pos;
        while (lineStart > 0 && begin[lineStart - 1] != '\n')
            --lineStart;
        qint64 column = 1;
        for (qint64 i = lineStart; i < pos; ++i)
            column += (quint8(begin[i]) & 0xC0) != 0x80;
        return { lines + 1, column };
    }

} // namespace

IncrementalAnalyzer::IncrementalAnalyzer(StreamParser::Options options)
    : m_options(std::move(options))
    , m_memo(std::make_shared<ExtractionMemo>())
{
    m_options.memo = m_memo;
}

TextEdit IncrementalAnalyzer::editBetween(const QByteArray &old, qint64 start, qint64 oldEnd,
                                          qint64 newEnd) const
{
    TextEdit edit;
    edit.startByte = start;
    edit.oldEndByte = oldEnd;
    edit.newEndByte = newEnd;
    edit.startLine = lineAndColumn(old, start).first;
    std::tie(edit.oldEndLine, edit.oldEndColumn) = lineAndColumn(old, oldEnd);
    std::tie(edit.newEndLine, edit.newEndColumn) = lineAndColumn(m_text, newEnd);
    return edit;
}

ItemDiff IncrementalAnalyzer::update(const QByteArray &text, StreamListener *listener)
{
    // The edit is what lies between the longest common prefix and suffix.
    const qint64 common = std::min(m_text.size(), text.size());
    const char *a = m_text.constData();
    const char *b = text.constData();
    const qint64 prefix = std::mismatch(a, a + common, b).first - a;
    const auto ra = std::make_reverse_iterator(a + m_text.size());
    const qint64 suffix
        = std::mismatch(ra, ra + (common - prefix), std::make_reverse_iterator(b + text.size()))
              .first
        - ra;
    const QByteArray old = std::exchange(m_text, text);
    return reanalyse(editBetween(old, prefix, old.size() - suffix, text.size() - suffix), listener);
}

ItemDiff IncrementalAnalyzer::replace(qint64 startByte, qint64 removedBytes,
                                      QByteArrayView inserted, StreamListener *listener)
{
    startByte = std::clamp<qint64>(startByte, 0, m_text.size());
    removedBytes = std::clamp<qint64>(removedBytes, 0, m_text.size() - startByte);
    const QByteArray old = m_text;
    m_text.replace(startByte, removedBytes, inserted.toByteArray());
    return reanalyse(
        editBetween(old, startByte, startByte + removedBytes, startByte + inserted.size()),
        listener);
}

ItemDiff IncrementalAnalyzer::reanalyse(const TextEdit &edit, StreamListener *listener)
{
    Collector collector(listener);
    {
        StreamParser parser(m_options);
        parser.addListener(&collector);
        parser.feed(m_text);
        parser.finish();
    }
    QList<SemanticItem> items = std::move(collector.items);

    ItemDiff diff;
    diff.edit = edit;
    diff.indexDelta = items.size() - m_items.size();
    // Unchanged before the edit, the same moved after it; the rest is the splice.
    const qsizetype common = std::min(items.size(), m_items.size());
    qsizetype head = 0;
    while (head < common && items[head] == m_items[head])
        ++head;
    diff.first = head;
    qsizetype tail = 0;
    while (tail < common - head) {
        const qsizetype o = m_items.size() - 1 - tail;
        const qsizetype n = items.size() - 1 - tail;
        if (!(diff.moved(m_items[o]) == items[n]))
            break;
        ++tail;
    }
    diff.removedCount = m_items.size() - tail - head;
    diff.inserted = items.mid(head, items.size() - tail - head);

    // The splice's items, paired by kind and place.
    QHash<std::pair<int, qint64>, int> before;
    for (qsizetype i = head; i < head + diff.removedCount; ++i) {
        const SemanticItem &item = m_items[i];
        const qint64 start = item.range.startByte < edit.startByte ? item.range.startByte
            : item.range.startByte >= edit.oldEndByte
            ? item.range.startByte + edit.newEndByte - edit.oldEndByte
            : -1;
        ++before[{ int(item.kind), start }];
    }
    for (const SemanticItem &item : std::as_const(diff.inserted)) {
        auto it = before.find({ int(item.kind), item.range.startByte });
        if (it != before.end() && it.value() > 0) {
            --it.value();
            ++diff.changed;
        } else {
            ++diff.added;
        }
    }
    diff.removed = diff.removedCount - diff.changed;
    m_items = std::move(items);
    return diff;
}

SemanticItem ItemDiff::moved(SemanticItem item) const
{
    const qint64 bytes = edit.newEndByte - edit.oldEndByte;
    const qint64 lines = edit.newEndLine - edit.oldEndLine;
    const auto byte = [&](qint64 &b) {
        if (b >= edit.oldEndByte)
            b += bytes;
    };
    // A line after the edit moves by the lines it added; a column on the edit's last line,
    // after it, by what the edit changed of that line.
    const auto line = [&](qint64 &l) {
        if (l > edit.oldEndLine)
            l += lines;
    };
    const auto lineColumn = [&](qint64 &l, qint64 &c) {
        if (l == edit.oldEndLine && c >= edit.oldEndColumn) {
            l = edit.newEndLine;
            c += edit.newEndColumn - edit.oldEndColumn;
        } else {
            line(l);
        }
    };
    byte(item.range.startByte);
    byte(item.range.endByte);
    lineColumn(item.range.startLine, item.range.startColumn);
    line(item.range.endLine);
    for (ItemError &e : item.errors)
        lineColumn(e.line, e.column);
    // Every index from the splice on moves by what the splice added. (A relation into the
    // splice is then compared as renumbered too: the item is "the same" only if the new one
    // holds exactly that, so apply() stays exact.)
    const auto renumber = [&](qint64 &n) {
        if (n >= first)
            n += indexDelta;
    };
    renumber(item.index);
    for (ItemRelation &r : item.relations)
        renumber(r.n);
    return item;
}

void ItemDiff::apply(QList<SemanticItem> &items) const
{
    QList<SemanticItem> out;
    out.reserve(items.size() + indexDelta);
    out.append(items.mid(0, first));
    out.append(inserted);
    for (qsizetype i = first + removedCount; i < items.size(); ++i)
        out.append(moved(items[i]));
    items = std::move(out);
}

} // namespace Kyozo::MarkdownLD
