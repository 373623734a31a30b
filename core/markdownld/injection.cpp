#include "injection.h"

#include "jsonldextractor.h"
#include "streamparser.h"
#include "utf8.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Kyozo::MarkdownLD {

namespace {

    bool isContainer(BlockKind kind)
    {
        return kind == BlockKind::BlockQuote || kind == BlockKind::List
            || kind == BlockKind::ListItem;
    }

    bool sameRange(const SourceRange &a, const SourceRange &b)
    {
        return a.startByte == b.startByte && a.endByte == b.endByte;
    }

    // A top-level HTML block that is one <script type="application/ld+json"> element, so
    // that replacing it takes nothing else with it.
    bool isWholeScript(QByteArrayView content)
    {
        const QByteArray text = content.trimmed().toByteArray().toLower(); // indentation too
        return text.startsWith("<script") && text.endsWith("</script>")
            && text.indexOf("</script>") == text.size() - 9;
    }

    // What closes a CommonMark HTML block of type 1–5 (which only its end condition ends,
    // not a blank line), when `content` has not; empty when it has or needs none.
    QByteArray htmlTerminator(int type, QByteArrayView content)
    {
        // As the parser reads them: the start after up to 3 spaces of indentation, the end
        // condition anywhere in the block (a type 1 block ends at any of the four tags).
        const QByteArray text = content.toByteArray().toLower();
        switch (type) {
        case 1:
            for (const char *tag : { "</script>", "</pre>", "</style>", "</textarea>" })
                if (text.contains(tag))
                    return {};
            for (const char *tag : { "script", "pre", "style", "textarea" })
                if (text.trimmed().startsWith(QByteArray("<") + tag))
                    return QByteArray("</") + tag + ">";
            return {};
        case 2:
            return text.contains("-->") ? QByteArray() : QByteArray("-->");
        case 3:
            return text.contains("?>") ? QByteArray() : QByteArray("?>");
        case 4:
            return text.contains('>') ? QByteArray() : QByteArray(">");
        case 5:
            return text.contains("]]>") ? QByteArray() : QByteArray("]]>");
        default:
            return {};
        }
    }

} // namespace

std::optional<InjectPosition> injectPositionFromName(QByteArrayView name)
{
    if (name == "front-matter")
        return InjectPosition::FrontMatter;
    if (name == "after-title")
        return InjectPosition::AfterTitle;
    if (name == "end")
        return InjectPosition::End;
    return std::nullopt;
}

std::optional<InjectionData> InjectionData::fromJson(QByteArrayView json, QString *error)
{
    if (json.size() > kMaxBytes) {
        *error = QCoreApplication::translate("Injection", "the data is larger than %1 KiB")
                     .arg(kMaxBytes / 1024);
        return std::nullopt;
    }
    Utf8::StreamValidator utf8;
    if (!utf8.feed(json) || !utf8.finish()) {
        *error = QCoreApplication::translate("Injection", "the data is not UTF-8 (byte %1)")
                     .arg(utf8.invalidOffset());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QCoreApplication::translate("Injection", "the data is not JSON: %1 at byte %2")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    const auto hasContext = [](const QJsonValue &v) {
        return v.isObject() && v.toObject().contains(QLatin1String("@context"));
    };
    bool ok = hasContext(doc.object());
    if (doc.isArray()) {
        const QJsonArray nodes = doc.array();
        ok = !nodes.isEmpty() && std::all_of(nodes.begin(), nodes.end(), hasContext);
    }
    if (!ok) {
        *error = QCoreApplication::translate(
            "Injection",
            "the data must be a JSON-LD object with \"@context\", or an array of them");
        return std::nullopt;
    }
    InjectionData data;
    // A BOM the data file may start with stays out of the document (U+FEFF is invisible).
    data.m_json = (json.startsWith("\xEF\xBB\xBF") ? json.sliced(3) : json).trimmed().toByteArray();
    data.m_json.replace("\r\n", "\n").replace('\r', '\n');
    if (doc.isObject())
        data.m_id = doc.object().value(QLatin1String("@id")).toString();
    return data;
}

QByteArray InjectionData::block(QByteArrayView eol) const
{
    // A run of backticks in the text as long as the fence would close it early.
    qsizetype longest = 0, run = 0;
    for (const char c : m_json) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const QByteArray fence(std::max<qsizetype>(3, longest + 1), '`');
    QByteArray text = m_json;
    text.replace("\n", eol.toByteArray());
    return fence + "json-ld" + eol.toByteArray() + text + eol.toByteArray() + fence;
}

// Pass one: a listener on the stream parser that keeps only offsets.
struct InjectionPlanner::State : StreamListener
{
    InjectionData data;
    InjectPosition position;
    StreamParser parser;
    Utf8::StreamValidator utf8;
    QString error;

    qint64 size = 0;
    qint64 bomBytes = 0;
    QByteArray head; // the first 3 bytes, for the BOM
    QByteArray eol; // the document's first line ending; "\n" when it has none
    bool pendingCr = false; // a '\r' ended the last chunk, perhaps of a "\r\n"
    char lastByte = 0;

    int depth = 0; // open containers
    std::optional<qint64> frontMatterEnd;
    std::optional<qint64> titleEnd;
    // The block to replace: the first top-level JSON-LD block whose item has our @id.
    std::optional<SourceRange> lastBlock;
    std::optional<SourceRange> lastIdItem;
    std::optional<SourceRange> replace;
    // Top-level JSON-LD fences with our text, at most kCandidates: without an @id (or one
    // the extractor gives no block-wide item, as an @graph's), the block already written.
    static constexpr int kCandidates = 16;
    QList<SourceRange> candidates;
    // The last top-level block, when the document ends inside it: what closes it.
    QByteArray closer;
    bool unclosedFence = false;
    SourceRange unclosedFenceRange;

    State(const InjectionData &d, InjectPosition p)
        : data(d)
        , position(p)
    {
        parser.addListener(this);
    }

    void blockOpened(const BlockEvent &e) override
    {
        if (isContainer(e.kind))
            ++depth;
    }

    void blockClosed(const BlockEvent &e) override
    {
        if (isContainer(e.kind)) {
            --depth;
            return;
        }
        if (depth > 0)
            return; // only top-level blocks are places to write or blocks to replace
        closer.clear();
        unclosedFence = false;
        switch (e.kind) {
        case BlockKind::FrontMatter:
            frontMatterEnd = e.range.endByte;
            break;
        case BlockKind::Heading:
            if (e.level == 1 && !titleEnd)
                titleEnd = e.range.endByte;
            break;
        case BlockKind::FencedCode:
            if (e.unclosed) {
                unclosedFence = true;
                unclosedFenceRange = e.range;
            }
            if (!JsonLdExtractor::claimsFenceInfo(e.info))
                break;
            onLinkedDataBlock(e.range);
            if (candidates.size() < kCandidates && !e.contentTruncated
                && e.content == data.text())
                candidates.append(e.range);
            break;
        case BlockKind::HtmlBlock:
            closer = htmlTerminator(e.htmlType, e.content);
            if (isWholeScript(e.content))
                onLinkedDataBlock(e.range);
            break;
        default:
            break;
        }
    }

    void itemFound(const SemanticItem &item) override
    {
        if (replace || data.id().isEmpty() || item.kind != ItemKind::JsonLd
            || item.id.toString() != data.id())
            return;
        // The extractor may report the item before or after the block closes.
        if (lastBlock && sameRange(*lastBlock, item.range))
            replace = item.range;
        else
            lastIdItem = item.range;
    }

    void onLinkedDataBlock(const SourceRange &range)
    {
        lastBlock = range;
        if (!replace && lastIdItem && sameRange(*lastIdItem, range))
            replace = range;
    }

    // Line endings are "\n" and "\r\n"; a lone "\r" is none, as for the parser (README,
    // known limits).
    void watchLineEndings(QByteArrayView chunk)
    {
        if (!eol.isEmpty())
            return;
        const qsizetype at = chunk.indexOf('\n');
        if (at < 0) {
            pendingCr = chunk.endsWith('\r');
            return;
        }
        eol = (at > 0 ? chunk[at - 1] == '\r' : pendingCr) ? "\r\n" : "\n";
    }
};

InjectionPlanner::InjectionPlanner(const InjectionData &data, InjectPosition position)
    : d(std::make_unique<State>(data, position))
{
}

InjectionPlanner::~InjectionPlanner() = default;

QString InjectionPlanner::error() const
{
    return d->error;
}

bool InjectionPlanner::feed(QByteArrayView chunk)
{
    if (chunk.isEmpty())
        return true;
    if (!d->utf8.feed(chunk)) {
        d->error = QCoreApplication::translate("Injection", "the input is not UTF-8 (byte %1)")
                       .arg(d->utf8.invalidOffset());
        return false;
    }
    if (d->head.size() < 3)
        d->head += chunk.first(std::min<qsizetype>(chunk.size(), 3 - d->head.size()));
    d->watchLineEndings(chunk);
    d->lastByte = chunk.back();
    d->size += chunk.size();
    d->parser.feed(chunk);
    return true;
}

bool InjectionPlanner::finish()
{
    if (!d->utf8.finish()) {
        d->error
            = QCoreApplication::translate("Injection", "the input ends inside a UTF-8 sequence");
        return false;
    }
    d->parser.finish();
    // No "\n" at all: "\n", or "\r\n" when the text ends in a '\r' (which the edit completes).
    if (d->eol.isEmpty())
        d->eol = d->pendingCr ? "\r\n" : "\n";
    if (d->head.startsWith("\xEF\xBB\xBF"))
        d->bomBytes = 3;
    return true;
}

InjectionEdit InjectionPlanner::edit(const Reader &read) const
{
    const State &s = *d;
    const QByteArray block = s.data.block(s.eol);
    // Replace the block with our @id, wherever it is.
    if (s.replace) {
        InjectionEdit e { s.replace->startByte, s.replace->endByte, block };
        e.changesNothing = read(e.startByte, e.endByte - e.startByte) == block;
        return e;
    }
    // The very block already there is left alone.
    for (const SourceRange &r : s.candidates) {
        if (r.endByte - r.startByte == block.size() && read(r.startByte, block.size()) == block)
            return InjectionEdit { r.startByte, r.endByte, block, true };
    }

    // Insert at a line boundary: after the front matter or the title line (and its line
    // ending), at the start (after a BOM), or at the end.
    const auto lineBoundaryAfter = [&](qint64 at) {
        const QByteArray next = read(at, 2);
        if (next.startsWith("\r\n"))
            return at + 2;
        if (next == "\r" && at + 1 == s.size)
            return s.size; // a last line ended by a lone '\r': the end, completed there
        return next.startsWith('\n') ? at + 1 : at;
    };
    // "The start" is the start of the body: after the front matter, which must stay first.
    qint64 at = s.frontMatterEnd ? lineBoundaryAfter(*s.frontMatterEnd) : s.bomBytes;
    if (s.position == InjectPosition::AfterTitle && s.titleEnd)
        at = lineBoundaryAfter(*s.titleEnd);
    else if (s.position == InjectPosition::End)
        at = s.size;

    const bool empty = s.size == s.bomBytes;
    const bool finalNewline = s.lastByte == '\n';
    QByteArray text;
    if (at == s.size && !empty) {
        // At the end: close what the document left open, so the block is a block.
        // End the last line; a lone '\r' there (which the parser drops at the end) becomes
        // a "\r\n" rather than a line "…\r" that would no longer close a fence.
        if (!finalNewline)
            text += s.lastByte == '\r' ? QByteArray("\n") : s.eol;
        // An unclosed top-level fence, or an HTML block without its end condition, ran to
        // the end of the input: it is the last block.
        {
            if (s.unclosedFence) {
                // The opening fence's own marker: its first run of ` or ~ after indentation.
                const QByteArray open = read(s.unclosedFenceRange.startByte, 4096);
                qsizetype i = 0;
                while (i < open.size() && open[i] == ' ')
                    ++i;
                qsizetype n = i;
                while (n < open.size() && open[n] == open[i])
                    ++n;
                text += open.mid(i, n - i) + s.eol;
            } else if (!s.closer.isEmpty()) {
                text += s.closer + s.eol;
            }
        }
        const QByteArray before = read(std::max<qint64>(s.bomBytes, s.size - 4), 4) + text;
        const bool blankBefore = before.endsWith(s.eol + s.eol) || before == s.eol;
        if (!blankBefore)
            text += s.eol;
        text += block;
        if (finalNewline)
            text += s.eol;
        return InjectionEdit { at, at, text };
    }
    if (empty)
        return InjectionEdit { at, at, block + s.eol };
    // Elsewhere: a blank line between the block and a title above it, and below it when
    // the next line is not blank already.
    if (s.position == InjectPosition::AfterTitle && s.titleEnd) {
        const qint64 from = std::max<qint64>(s.bomBytes, at - 4);
        if (!read(from, at - from).endsWith(s.eol + s.eol))
            text += s.eol;
    }
    text += block + s.eol;
    const QByteArray next = read(at, s.eol.size());
    if (next != s.eol)
        text += s.eol;
    return InjectionEdit { at, at, text };
}

bool inject(QIODevice &input, QIODevice &output, const InjectionData &data, InjectPosition position,
            QString *error)
{
    constexpr qint64 kChunk = 256 * 1024;
    InjectionPlanner planner(data, position);
    if (!input.seek(0)) {
        *error = QCoreApplication::translate("Injection", "the input cannot be read twice: %1")
                     .arg(input.errorString());
        return false;
    }
    for (;;) {
        const QByteArray chunk = input.read(kChunk);
        if (chunk.isEmpty()) {
            if (!input.atEnd()) {
                *error = QCoreApplication::translate("Injection", "cannot read the input: %1")
                             .arg(input.errorString());
                return false;
            }
            break;
        }
        if (!planner.feed(chunk)) {
            *error = planner.error();
            return false;
        }
    }
    if (!planner.finish()) {
        *error = planner.error();
        return false;
    }
    const InjectionEdit edit = planner.edit([&input](qint64 at, qint64 size) {
        return input.seek(at) ? input.read(size) : QByteArray();
    });
    // Pass two: the bytes before the edit, the edit, the bytes after it.
    const auto copy = [&](qint64 from, qint64 to) {
        if (!input.seek(from))
            return false;
        for (qint64 pos = from; pos < to;) {
            const QByteArray chunk = input.read(std::min(kChunk, to - pos));
            if (chunk.isEmpty() || output.write(chunk) != chunk.size())
                return false;
            pos += chunk.size();
        }
        return true;
    };
    const qint64 end = input.size();
    if (!copy(0, edit.startByte) || output.write(edit.text) != edit.text.size()
        || !copy(edit.endByte, end)) {
        *error
            = QCoreApplication::translate("Injection", "cannot write the output: %1")
                  .arg(output.errorString().isEmpty() ? input.errorString() : output.errorString());
        return false;
    }
    return true;
}

std::optional<QByteArray> injectInto(const QByteArray &document, const InjectionData &data,
                                     InjectPosition position, QString *error)
{
    QBuffer in;
    in.setData(document);
    in.open(QIODevice::ReadOnly);
    QByteArray result;
    QBuffer out(&result);
    out.open(QIODevice::WriteOnly);
    if (!inject(in, out, data, position, error))
        return std::nullopt;
    return result;
}

} // namespace Kyozo::MarkdownLD
