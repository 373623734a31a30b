#include "documentstats.h"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace Kyozo::MarkdownLD {

namespace {

    // '\n' bytes in a chunk: sixteen at a time where SSE2 is there (x86-64's baseline), else
    // eight at a time in a 64-bit word.
    qint64 countNewlines(QByteArrayView chunk)
    {
        const char *p = chunk.data();
        const qsizetype n = chunk.size();
        qint64 count = 0;
        qsizetype at = 0;
#if defined(__SSE2__)
        const __m128i newline = _mm_set1_epi8('\n');
        while (at + 16 <= n) {
            // Each match subtracts -1 from its byte lane; 255 rounds cannot overflow a lane.
            __m128i lanes = _mm_setzero_si128();
            for (int round = 0; round < 255 && at + 16 <= n; ++round, at += 16) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + at));
                lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, newline));
            }
            const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
            count += _mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
        }
#else
        // A byte of `x` is zero exactly where a newline was; the high bit of each byte of
        // `~(((x & 0x7f…) + 0x7f…) | x | 0x7f…)` is set exactly for the zero bytes.
        constexpr quint64 sevens = 0x7f7f7f7f7f7f7f7fULL;
        for (; at + 8 <= n; at += 8) {
            quint64 word;
            std::memcpy(&word, p + at, 8);
            const quint64 x = word ^ 0x0a0a0a0a0a0a0a0aULL;
            count += std::popcount(~(((x & sevens) + sevens) | x | sevens));
        }
#endif
        for (; at < n; ++at)
            count += p[at] == '\n';
        return count;
    }

} // namespace

void DocumentStats::addBytes(QByteArrayView chunk)
{
    if (chunk.isEmpty())
        return;
    m_bytes += chunk.size();
    m_newlines += countNewlines(chunk);
    m_endsWithNewline = chunk.back() == '\n';
}

namespace {
    double per1000(double weighted, qint64 words) { return words > 0 ? weighted * 1000.0 / double(words) : 0.0; }
} // namespace

// Empty for what comes before the first heading when it holds neither words nor items.
QJsonObject DocumentStats::sectionJson(const Section &s)
{
    if (s.level == 0 && s.words == 0 && s.weightedItems == 0)
        return {};
    return QJsonObject{ { "name", s.level == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(s.name) },
                        { "level", s.level },
                        { "startLine", s.startLine },
                        { "words", s.words },
                        { "density", per1000(s.weightedItems, s.words) } };
}

void DocumentStats::blockClosed(const BlockEvent &event)
{
    ++m_blocks[size_t(event.kind)];
    if (event.kind == BlockKind::Heading) {
        // Past the cap a section is only counted in the totals: no name, no object.
        if (m_sections.size() < kMaxSections) {
            if (const QJsonObject closed = sectionJson(m_section); !closed.isEmpty())
                m_sections.append(closed);
        }
        m_section = Section{ m_sections.size() < kMaxSections ? QString::fromUtf8(event.content).simplified() : QString(),
                             event.level, event.range.startLine, 0, 0 };
    }
    if (event.kind == BlockKind::Paragraph || event.kind == BlockKind::Heading
        || event.kind == BlockKind::Table) {
        const qint64 words = countWords(event.content);
        m_words += words;
        m_section.words += words;
    }
}

void DocumentStats::itemFound(const SemanticItem &item)
{
    ++m_items[itemKindName(item.kind)];
    if (item.kind == ItemKind::Error)
        return;
    m_weightedItems += item.confidence;
    // The Article and the FAQ page cover the document, and come at its end: no section's.
    const bool wholeDocument = item.rule == QLatin1String("outline") || item.rule == QLatin1String("faq-page");
    if (!wholeDocument)
        m_section.weightedItems += item.confidence;
}

double DocumentStats::density() const { return per1000(m_weightedItems, m_words); }

QJsonObject DocumentStats::toJson() const
{
    QJsonObject blocks;
    for (size_t kind = 0; kind < m_blocks.size(); ++kind) {
        if (m_blocks[kind] > 0)
            blocks.insert(QLatin1String(blockKindName(BlockKind(kind))), m_blocks[kind]);
    }
    QJsonObject items;
    for (auto it = m_items.begin(); it != m_items.end(); ++it)
        items.insert(it.key(), it.value());
    const qint64 lines = m_newlines + ((m_bytes > 0 && !m_endsWithNewline) ? 1 : 0);
    // The section being read is listed as it stands.
    QJsonArray sections = m_sections;
    if (const QJsonObject last = sectionJson(m_section); !last.isEmpty() && sections.size() < kMaxSections)
        sections.append(last);
    return QJsonObject { { "bytes", m_bytes }, { "lines", lines }, { "words", m_words },
                         { "blocks", blocks }, { "items", items }, { "density", density() },
                         { "sections", sections } };
}

} // namespace Kyozo::MarkdownLD
