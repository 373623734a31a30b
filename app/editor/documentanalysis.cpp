#include "documentanalysis.h"

#include "markdownld/jsonldextractor.h"
#include "markdownld/streamparser.h"

#include <QRegularExpression>
#include <algorithm>

namespace Kyozo::App {

using namespace MarkdownLD;

namespace {

    // One definition of "a JSON-LD fence": core's (a tab or `{` ends the info word too).
    bool isLinkedDataFence(QByteArrayView info)
    {
        return JsonLdExtractor::claimsFenceInfo(info);
}

class Collector : public StreamListener
{
public:
    QList<LineRange> ranges;
    QList<std::pair<BlockEvent, QByteArray>> fences; // info copied: views die with the callback
    QList<SemanticItem> items;

    void blockClosed(const BlockEvent &e) override
    {
        const int first = int(e.range.startLine) - 1;
        const int last = int(e.range.endLine) - 1;
        switch (e.kind) {
        case BlockKind::Heading:
            ranges.append({ first, last, Role::Heading });
            break;
        case BlockKind::FrontMatter:
            ranges.append({ first, last, Role::FrontMatter });
            break;
        case BlockKind::HtmlBlock:
            ranges.append({ first, last, Role::HtmlBlock });
            break;
        case BlockKind::IndentedCode:
            ranges.append({ first, last, Role::Code });
            break;
        case BlockKind::FencedCode:
            // A JSON-LD fence is data as a whole, fences and @graph wrapper included.
            ranges.append({ first, last, isLinkedDataFence(e.info) ? Role::JsonLd : Role::Code });
            fences.append({ e, e.info.toByteArray() });
            break;
        default:
            break;
        }
    }
    void itemFound(const SemanticItem &item) override { items.append(item); }
};

} // namespace

const MarkdownLD::Pipeline &DocumentAnalysis::editorPipeline()
{
    // SPEC §2.4: the plugin libraries of KYOZO_PLUGIN_PATH and the install prefix, loaded
    // once for every document the editor analyses.
    static const MarkdownLD::Pipeline pipeline = [] {
        MarkdownLD::Pipeline p;
        for (const QString &failure : p.addSearchPath())
            qWarning("kyozo: %s", qPrintable(failure));
        return p;
    }();
    return pipeline;
}

StreamParser::Options DocumentAnalysis::editorOptions()
{
    // SPEC §9: inferred items are highlighted and listed too (issue 16 item 7). The rules
    // cost little beside the parse (bench/README.md "bench/editor").
    StreamParser::Options options;
    options.includeImplicit = true;
    editorPipeline().configure(options);
    return options;
}

ItemSplice ItemSplice::then(const ItemSplice &next) const
{
    if (whole || next.whole)
        return {};
    if (next.isEmpty())
        return *this;
    if (isEmpty())
        return next;
    // In the list between the two: this splice left [first, first + inserted), the next
    // replaces [next.first, next.first + next.removed); one splice covers both.
    const qsizetype start = std::min(first, next.first);
    const qsizetype end = std::max(first + inserted, next.first + next.removed);
    return { start, end - inserted + removed - start, end - next.removed + next.inserted - start,
             false };
}

void DocumentAnalysis::analyse(const QString &text, IncrementalAnalyzer *incremental)
{
    m_text = text;
    m_lineStarts.clear();
    m_lineStarts.append(0);
    for (qsizetype i = m_text.indexOf(u'\n'); i >= 0; i = m_text.indexOf(u'\n', i + 1))
        m_lineStarts.append(i + 1);
    m_astral.clear();
    m_astralStarts.clear();
    for (int line = 0; line < lineCount(); ++line) {
        m_astralStarts.append(int(m_astral.size()));
        const QChar *text = m_text.constData() + m_lineStarts[line];
        const int length = lineLength(line);
        // As utf16Column() always counted: a high surrogate starts a two-unit code point.
        for (int unit = 0, cp = 0; unit < length; ++cp) {
            if (text[unit].isHighSurrogate()) {
                m_astral.append(cp);
                unit += 2;
            } else {
                ++unit;
            }
        }
    }
    m_astralStarts.append(int(m_astral.size()));
    m_astralValid = true;

    Collector collector;
    m_utf8 = m_text.toUtf8();
    if (incremental) {
        const MarkdownLD::ItemDiff diff = incremental->update(m_utf8, &collector);
        m_splice = { diff.first, diff.removedCount, diff.inserted.size(), false };
    } else {
        m_splice = {};
        StreamParser parser(editorOptions());
        parser.addListener(&collector);
        parser.feed(m_utf8);
        parser.finish();
    }

    m_ranges = std::move(collector.ranges);
    m_spans.clear();
    m_codeBlocks.clear();
    m_items = std::move(collector.items);
    m_hiddenMarkers.clear();
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        const SemanticItem &item = m_items[i];
        addItem(item);
        if (item.kind == ItemKind::HiddenData || item.kind == ItemKind::SuspiciousHidden) {
            const int line = int(item.range.startLine) - 1;
            if (line >= 0 && line < lineCount())
                m_hiddenMarkers.append({ line, utf16Column(line, item.range.startColumn), i });
        }
    }
    std::stable_sort(m_hiddenMarkers.begin(), m_hiddenMarkers.end(),
                     [](const HiddenMarker &a, const HiddenMarker &b) {
                         return a.line != b.line ? a.line < b.line : a.column < b.column;
                     });

    for (const auto &[e, info] : std::as_const(collector.fences)) {
        if (isLinkedDataFence(info))
            continue;
        const QString language = QString::fromUtf8(info).trimmed().section(u' ', 0, 0);
        const int first = int(e.range.startLine); // the line after the opening fence, 0-based
        const int last = int(e.range.endLine) - (e.unclosed ? 1 : 2);
        if (language.isEmpty() || last < first)
            continue;
        CodeBlock block{ first, last - first + 1, language, {} };
        block.code = m_text.sliced(m_lineStarts[first], m_lineStarts[last] + lineLength(last) - m_lineStarts[first]);
        m_codeBlocks.append(block);
    }

    m_lineRoles.fill(0, lineCount());
    for (const LineRange &r : std::as_const(m_ranges))
        for (int line = std::max(0, r.firstLine); line <= r.lastLine && line < lineCount(); ++line)
            m_lineRoles[line] |= quint16(1u << int(r.role));

    // Keys inside front matter and JSON-LD: a lexical refinement of lines the parser
    // already classified.
    static const QRegularExpression frontMatterKey(QStringLiteral(R"(^\s*([\w.:@-]+)\s*[:=])"));
    for (int line = 0; line < lineCount(); ++line) {
        if (m_lineRoles[line] & (1u << int(Role::JsonLd))) {
            addJsonKeys(line);
        } else if (m_lineRoles[line] & (1u << int(Role::FrontMatter))) {
            const auto m = frontMatterKey.match(QStringView(m_text).sliced(m_lineStarts[line], lineLength(line)));
            if (m.hasMatch())
                addInline(line, int(m.capturedStart(1)), int(m.capturedLength(1)), Role::FrontMatterKey);
        }
    }

    std::stable_sort(m_spans.begin(), m_spans.end(),
                     [](const LineSpan &a, const LineSpan &b) { return a.line < b.line; });
}

void DocumentAnalysis::addItem(const SemanticItem &item)
{
    const int first = int(item.range.startLine) - 1;
    const int last = int(item.range.endLine) - 1;
    switch (item.kind) {
    case ItemKind::JsonLd:
        m_ranges.append({ first, last, item.inferred ? Role::Inferred : Role::JsonLd });
        break;
    case ItemKind::OpenGraph:
    case ItemKind::DublinCore:
    case ItemKind::Microdata:
    case ItemKind::Rdfa:
    case ItemKind::Plugin:
        // Front matter's og:/dc. keys are items of their own but lie inside its block,
        // which keeps its own look. Front matter only ever starts on the first line.
        if (first == 0 && !m_ranges.isEmpty() && m_ranges.first().role == Role::FrontMatter)
            break;
        m_ranges.append({ first, last, item.inferred ? Role::Inferred : Role::Metadata });
        break;
    case ItemKind::Annotation:
    case ItemKind::Implicit: {
        const int column = utf16Column(first, item.range.startColumn);
        const int length = utf16Length(item.range);
        addInline(first, column, first == last ? length : lineLength(first) - column,
                  item.inferred ? Role::Inferred : Role::Annotation);
        break;
    }
    case ItemKind::HiddenData:
    case ItemKind::SuspiciousHidden: {
        // The run is the item's exact byte range (3-byte characters are one UTF-16 unit, the
        // 4-byte tag characters two).
        const int column = utf16Column(first, item.range.startColumn);
        const int units = utf16Length(item.range);
        addInline(first, column, units,
                  item.kind == ItemKind::HiddenData ? Role::HiddenData : Role::SuspiciousHidden);
        break;
    }
    case ItemKind::Error:
    case ItemKind::FrontMatter:
        break;
    }
    for (const ItemError &e : item.errors) {
        const int line = int(e.line) - 1;
        if (line < 0 || line >= lineCount())
            continue;
        const int column = utf16Column(line, e.column);
        addInline(line, column, std::max(1, lineLength(line) - column), Role::Error);
    }
}

// Each "string" followed by a colon is a key: a hand-written scan, since this runs on every
// JSON-LD line at every keystroke and a regular expression per line cost more than the parse.
void DocumentAnalysis::addJsonKeys(int line0)
{
    const QChar *text = m_text.constData() + m_lineStarts[line0];
    const int length = lineLength(line0);
    for (int i = 0; i < length; ++i) {
        if (text[i] != u'"')
            continue;
        int j = i + 1;
        while (j < length && text[j] != u'"')
            j += text[j] == u'\\' ? 2 : 1;
        if (j >= length)
            return;
        int k = j + 1;
        while (k < length && (text[k] == u' ' || text[k] == u'\t'))
            ++k;
        if (k < length && text[k] == u':')
            addInline(line0, i, j - i + 1, Role::JsonLdKey);
        i = j;
    }
}

int DocumentAnalysis::utf16Length(const SourceRange &range) const
{
    return int(QString::fromUtf8(QByteArrayView(m_utf8).sliced(range.startByte, range.endByte - range.startByte)).size());
}

void DocumentAnalysis::addInline(int line0, int start, int length, Role role)
{
    if (line0 < 0 || line0 >= lineCount() || length <= 0)
        return;
    m_spans.append({ line0, start, length, role });
}

int DocumentAnalysis::lineLength(int line0) const
{
    const qsizetype end = line0 + 1 < lineCount() ? m_lineStarts[line0 + 1] - 1 : m_text.size();
    return int(end - m_lineStarts[line0]);
}

int DocumentAnalysis::utf16Column(int line0, qint64 codePointColumn) const
{
    if (line0 < 0 || line0 >= lineCount())
        return 0;
    const qint64 before = codePointColumn - 1; // code points before the column
    if (before <= 0)
        return 0;
    if (!m_astralValid) {
        const QChar *text = m_text.constData() + m_lineStarts[line0];
        const int length = lineLength(line0);
        int unit = 0;
        for (qint64 cp = 0; cp < before && unit < length; ++cp)
            unit += text[unit].isHighSurrogate() ? 2 : 1;
        return std::min(unit, length);
    }
    // Each code point is one unit, and one more for every two-unit one before the column.
    const auto first = m_astral.cbegin() + m_astralStarts[line0];
    const auto last = m_astral.cbegin() + m_astralStarts[line0 + 1];
    const qint64 astral = std::lower_bound(first, last, before) - first;
    return int(std::min<qint64>(before + astral, lineLength(line0)));
}

const CodeBlock *DocumentAnalysis::codeBlockAt(int line) const
{
    auto it = std::upper_bound(m_codeBlocks.cbegin(), m_codeBlocks.cend(), line,
                               [](int l, const CodeBlock &b) { return l < b.firstContentLine; });
    if (it == m_codeBlocks.cbegin())
        return nullptr;
    --it;
    return line < it->firstContentLine + it->lineCount ? &*it : nullptr;
}

void DocumentAnalysis::spansOfLine(int line, QList<LineSpan> *out) const
{
    out->clear();
    if (line < 0 || line >= lineCount())
        return;
    for (int role = 0; role < 16; ++role)
        if (m_lineRoles[line] & (1u << role))
            out->append({ line, 0, lineLength(line), Role(role) });
    auto it = std::lower_bound(m_spans.cbegin(), m_spans.cend(), line,
                               [](const LineSpan &s, int l) { return s.line < l; });
    for (; it != m_spans.cend() && it->line == line; ++it)
        out->append(*it);
}

} // namespace Kyozo::App

namespace Kyozo::App {

namespace {

    qint64 utf8Length(QStringView text)
    {
        qint64 bytes = 0;
        for (const QChar c : text) {
            const char16_t u = c.unicode();
            bytes += u < 0x80 ? 1 : u < 0x800 ? 2 : c.isSurrogate() ? 2 : 3; // a pair: 4
        }
        return bytes;
    }

    qint64 codePoints(QStringView text)
    {
        qint64 n = 0;
        for (const QChar c : text)
            n += !c.isLowSurrogate();
        return n;
    }

    // A (line, UTF-16 column) place through an edit from (l0, c0) to old end (l1, c1), now
    // ending at (l2, c2); false for a place inside what was removed.
    struct LinePlaceMap
    {
        int l0, c0, l1, c1, l2, c2;
        bool map(int &line, int &column) const
        {
            if (line < l0 || (line == l0 && column < c0))
                return true;
            if (line > l1 || (line == l1 && column >= c1)) {
                if (line == l1) {
                    column += c2 - c1;
                    line = l2;
                } else {
                    line += l2 - l1;
                }
                return true;
            }
            return false;
        }
    };

} // namespace

bool DocumentAnalysis::moveWith(int position, int removed, const QString &inserted)
{
    if (position < 0 || removed < 0 || position + qsizetype(removed) > m_text.size())
        return false;
    const auto lineOf = [this](qsizetype pos) {
        return int(std::upper_bound(m_lineStarts.cbegin(), m_lineStarts.cend(), pos)
                   - m_lineStarts.cbegin())
            - 1;
    };
    const QStringView old(m_text);
    const QStringView gone = old.sliced(position, removed);
    LinePlaceMap places;
    places.l0 = lineOf(position);
    places.c0 = int(position - m_lineStarts[places.l0]);
    places.l1 = lineOf(position + removed);
    places.c1 = int(position + removed - m_lineStarts[places.l1]);
    const int added = int(inserted.count(u'\n'));
    places.l2 = places.l0 + added;
    places.c2 = added == 0 ? places.c0 + int(inserted.size())
                           : int(inserted.size() - inserted.lastIndexOf(u'\n') - 1);

    // The same edit for the parser's items: bytes, 1-based lines, code-point columns.
    MarkdownLD::ItemDiff edit;
    const qsizetype lineStart0 = m_lineStarts[places.l0];
    const qsizetype lineStart1 = m_lineStarts[places.l1];
    edit.edit.startByte = utf8Length(old.first(position));
    edit.edit.oldEndByte = edit.edit.startByte + utf8Length(gone);
    edit.edit.newEndByte = edit.edit.startByte + utf8Length(inserted);
    edit.edit.startLine = places.l0 + 1;
    edit.edit.oldEndLine = places.l1 + 1;
    edit.edit.oldEndColumn
        = 1 + codePoints(old.sliced(lineStart1, position + removed - lineStart1));
    edit.edit.newEndLine = places.l2 + 1;
    const QString newLastLine = added == 0
        ? old.sliced(lineStart0, position - lineStart0).toString() + inserted
        : inserted.sliced(inserted.lastIndexOf(u'\n') + 1);
    edit.edit.newEndColumn = 1 + codePoints(newLastLine);
    edit.first = m_items.size(); // no splice: every item moves
    for (SemanticItem &item : m_items)
        item = edit.moved(std::move(item));
    m_utf8.replace(edit.edit.startByte, edit.edit.oldEndByte - edit.edit.startByte,
                   inserted.toUtf8());

    // Lines: the removed ones go, the inserted ones take the roles of the line they split.
    const int delta = int(inserted.size()) - removed;
    m_text.replace(position, removed, inserted);
    QList<qsizetype> starts;
    for (qsizetype i = inserted.indexOf(u'\n'); i >= 0; i = inserted.indexOf(u'\n', i + 1))
        starts.append(position + i + 1);
    m_lineStarts.remove(places.l0 + 1, places.l1 - places.l0);
    for (qsizetype i = places.l0 + 1; i < m_lineStarts.size(); ++i)
        m_lineStarts[i] += delta;
    m_lineStarts.insert(places.l0 + 1, starts.size(), 0);
    std::copy(starts.cbegin(), starts.cend(), m_lineStarts.begin() + places.l0 + 1);
    const quint16 roles = rolesOfLine(places.l0);
    m_lineRoles.remove(
        places.l0 + 1,
        std::min<qsizetype>(places.l1 - places.l0, m_lineRoles.size() - places.l0 - 1));
    m_lineRoles.insert(std::min<qsizetype>(places.l0 + 1, m_lineRoles.size()), added, roles);
    m_astralValid = false;

    // Spans and markers on their text; those inside what was removed go.
    QList<LineSpan> spans;
    spans.reserve(m_spans.size());
    for (LineSpan span : std::as_const(m_spans)) {
        int end = span.start + span.length;
        int endLine = span.line;
        if (!places.map(span.line, span.start))
            continue;
        if (!places.map(endLine, end) || endLine != span.line)
            end = span.line == places.l2 ? places.c2 : lineLength(span.line); // cut at the edit
        span.length = end - span.start;
        if (span.length > 0)
            spans.append(span);
    }
    m_spans = std::move(spans);
    QList<HiddenMarker> markers;
    for (HiddenMarker marker : std::as_const(m_hiddenMarkers))
        if (places.map(marker.line, marker.column))
            markers.append(marker);
    m_hiddenMarkers = std::move(markers);
    for (CodeBlock &block : m_codeBlocks) {
        if (block.firstContentLine > places.l1)
            block.firstContentLine += added - (places.l1 - places.l0);
        else if (block.firstContentLine + block.lineCount > places.l0)
            block.lineCount = std::max(1, block.lineCount + added - (places.l1 - places.l0));
    }
    return true;
}

} // namespace Kyozo::App
