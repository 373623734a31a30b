#include "itemrelations.h"

#include <cstring>

namespace Kyozo::MarkdownLD {

void ItemRelations::headingClosed(const BlockEvent &heading)
{
    // A heading of level L closes every open section of level L or deeper (CommonMark has no
    // sections; this is the usual outline reading, HTML's and Pandoc's --section-divs).
    while (!m_sections.isEmpty() && m_sections.last().level >= heading.level)
        m_sections.removeLast();
    m_sections.append({ heading.level, heading.range.startLine, heading.range.endLine, -1 });
}

qint64 ItemRelations::sectionItem() const
{
    for (qsizetype i = m_sections.size() - 1; i >= 0; --i)
        if (m_sections[i].item >= 0)
            return m_sections[i].item;
    return -1;
}

void ItemRelations::linksIn(QByteArrayView t)
{
    const qint64 from = sectionItem();
    if (from < 0)
        return;
    qsizetype p = 0;
    while (p < t.size()) {
        const void *hit = std::memchr(t.data() + p, ']', size_t(t.size() - p));
        if (!hit)
            return;
        const qsizetype close = static_cast<const char *>(hit) - t.data();
        p = close + 1;
        if (p >= t.size() || t[p] != '(')
            continue;
        // The destination up to whitespace or ')' (CommonMark 6.3, without nested
        // parentheses or <…>: enough to name an @id).
        qsizetype q = p + 1;
        while (q < t.size() && (t[q] == ' ' || t[q] == '\t' || t[q] == '\n'))
            ++q;
        const qsizetype s = q;
        while (q < t.size() && quint8(t[q]) > 0x20 && t[q] != ')')
            ++q;
        if (q == s)
            continue;
        const QString destination = QString::fromUtf8(t.sliced(s, q - s));
        p = q;
        auto it = m_linkingSections.find(destination);
        if (it == m_linkingSections.end()) {
            if (m_remembered >= kMaxRemembered)
                continue;
            ++m_remembered;
            it = m_linkingSections.insert(destination, {});
        }
        if (it->size() < kMaxPerKey && (it->isEmpty() || it->last() != from))
            it->append(from);
    }
}

void ItemRelations::relate(SemanticItem &item, qint64 parent)
{
    const qint64 n = item.index;
    const SourceRange &r = item.range;
    // A section holds what lies after its heading, and what lies on the heading's own lines.
    // Sections are still open, so their end is not known yet: an item that starts on the
    // heading and runs past it (an inferred Question or HowTo, the whole-document Article) is
    // about the section, not in it.
    auto holds = [&](const Section &s) {
        return r.startLine > s.endLine || (r.startLine >= s.startLine && r.endLine <= s.endLine);
    };
    if (parent >= 0) {
        item.relations.append({ ItemRelation::Type::Contains, parent });
    } else if (!m_sections.isEmpty()) {
        qsizetype from = m_sections.size() - 1;
        Section &top = m_sections.last();
        if (top.item < 0 && r.startLine >= top.startLine && r.endLine <= top.endLine) {
            top.item = n; // the section's own item; its container is an enclosing section's
            --from;
        }
        for (qsizetype i = from; i >= 0; --i) {
            if (m_sections[i].item >= 0 && m_sections[i].item != n && holds(m_sections[i])) {
                item.relations.append({ ItemRelation::Type::Contains, m_sections[i].item });
                break;
            }
        }
    }
    if (!item.id.isString())
        return;
    const QString id = item.id.toString();
    for (const qint64 from : m_linkingSections.value(id))
        if (from != n)
            item.relations.append({ ItemRelation::Type::LinksTo, from });
    auto it = m_itemsById.find(id);
    if (it == m_itemsById.end()) {
        if (m_remembered >= kMaxRemembered)
            return;
        ++m_remembered;
        it = m_itemsById.insert(id, {});
    }
    for (const qint64 earlier : *it)
        item.relations.append({ ItemRelation::Type::SameId, earlier });
    if (it->size() < kMaxPerKey)
        it->append(n);
}

} // namespace Kyozo::MarkdownLD
