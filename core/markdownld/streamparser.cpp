#include "streamparser.h"

#include "builtinplugins.h"
#include "contentmap.h"
#include "frontmatterextractor.h"
#include "hiddendatascanner.h"
#include "pluginrunner.h"

#include <QCoreApplication>

#include <cstring>
#include <limits>

namespace Kyozo::MarkdownLD {

namespace {
// lupdate takes the context from Q_DECLARE_TR_FUNCTIONS; a free tr() would be filed under the
// enclosing class ("lacks Q_OBJECT macro") and its translation never found at run time.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(StreamParser)
};

bool isDelimiterLine(QByteArrayView text, const char *delimiter)
{
    if (!text.startsWith(delimiter))
        return false;
    for (qsizetype i = 3; i < text.size(); ++i)
        if (text[i] != ' ' && text[i] != '\t')
            return false;
    return true;
}

} // namespace

StreamParser::StreamParser() : StreamParser(Options{}) { }

StreamParser::StreamParser(Options options)
    : m_options(options), m_prefixes(CuriePrefixes::builtIn())
{
    StreamListener *self = this; // the block parser reports to our private listener side
    m_emit = [this](const SemanticItem &i) { emitItem(i); };
    m_parsers = builtInParserPlugins() + options.plugins;
    m_parserOff.assign(size_t(m_parsers.size()), 0);
    m_transformOff.assign(size_t(options.transforms.size()), 0);
    // A fence's content is kept when a parser plugin claims its info string.
    m_blocks
        = std::make_unique<BlockParser>(self, options.maxBlockBytes, [this](QByteArrayView info) {
              for (qsizetype i = 0; i < m_parsers.size(); ++i) {
                  if (m_parserOff[size_t(i)])
                      continue;
                  try {
                      if (std::as_const(m_parsers)[i]->claimsFenceInfo(info))
                          return true;
                  } catch (...) {
                  }
              }
              return false;
          });
    if (options.includeImplicit) {
        // Inferred items leave through output() too: numbered and related like the others.
        m_implicit = std::make_unique<ImplicitExtractor>(
                [this](const SemanticItem &i) { output(i, -1, 1); });
    }
    if (m_options.memo)
        m_options.memo->beginPass();
    if (options.contextLines >= 0) {
        // The lines a context may still need: those of the block being buffered (bounded by
        // maxBlockBytes) and N around it.
        m_context = std::make_unique<ContextWindow>(options.maxBlockBytes + 64 * 1024);
    }
}

StreamParser::~StreamParser() = default;

void StreamParser::addListener(StreamListener *listener) { m_listeners.append(listener); }

qsizetype StreamParser::bufferedBytes() const
{
    return m_carry.size() + m_blocks->bufferedBytes() + m_frontMatterRaw.size();
}

void StreamParser::noteBuffered() { m_highWater = qMax(m_highWater, bufferedBytes()); }

qsizetype StreamParser::lineLimit() const
{
    // A line is kept whole while it fits in what maxBlockBytes leaves; past that only a
    // prefix is kept, enough to classify it (the block it belongs to is over the cap anyway).
    const qsizetype held = m_blocks->bufferedBytes() + m_frontMatterRaw.size();
    return qMax(kLinePrefixBytes, m_options.maxBlockBytes - held);
}

void StreamParser::appendCarry(QByteArrayView bytes)
{
    const qsizetype room = qMax<qsizetype>(0, lineLimit() - m_carry.size());
    const qsizetype take = qMin(room, bytes.size());
    m_carry.append(bytes.first(take));
    m_carryOverflow += bytes.size() - take;
    noteBuffered();
}

void StreamParser::feed(QByteArrayView chunk)
{
    while (!chunk.isEmpty()) {
        const void *nl = std::memchr(chunk.data(), '\n', size_t(chunk.size()));
        if (!nl) {
            appendCarry(chunk);
            return;
        }
        const qsizetype len = static_cast<const char *>(nl) - chunk.data();
        if (m_carry.isEmpty() && m_carryOverflow == 0) {
            handleLine(chunk.first(qMin(len, lineLimit())), len, true);
        } else {
            appendCarry(chunk.first(len));
            const qint64 full = m_carry.size() + m_carryOverflow;
            handleLine(m_carry, full, true);
            // The carried line was copied into the block's content if it belongs there;
            // the carry is released before buffered bytes are counted again.
            m_carry.clear();
            m_carryOverflow = 0;
        }
        noteBuffered();
        chunk = chunk.sliced(len + 1);
    }
}

void StreamParser::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (!m_carry.isEmpty() || m_carryOverflow > 0) {
        handleLine(m_carry, m_carry.size() + m_carryOverflow, false);
        m_carry.clear();
        m_carryOverflow = 0;
    }
    if (m_frontMatter == FrontMatterState::Inside)
        replayFrontMatter();
    m_blocks->finish();
    if (m_implicit)
        m_implicit->finish();
    deliverReady(std::numeric_limits<qint64>::max());
    if (m_options.memo)
        m_options.memo->endPass();
}

void StreamParser::handleLine(QByteArrayView raw, qint64 rawLength, bool newline)
{
    ++m_lineNumber;
    const qint64 startByte = m_lineStart;
    m_lineStart += rawLength + (newline ? 1 : 0);
    QByteArrayView text = raw;
    qint64 textStart = startByte;
    if (text.size() == rawLength && text.endsWith('\r'))
        text.chop(1);
    if (m_lineNumber == 1 && text.startsWith("\xEF\xBB\xBF")) {
        text = text.sliced(3);
        textStart += 3;
    }
    if (m_context)
        m_context->addLine(m_lineNumber, text);
    if (HiddenDataScanner::mayContainInvisible(text))
        scanHiddenData(text, textStart);
    if (m_frontMatter == FrontMatterState::Done || !frontMatterLine(text, textStart, raw, newline))
        processText(text, textStart);
    if (m_context)
        deliverReady(m_lineNumber);
}

void StreamParser::scanHiddenData(QByteArrayView text, qint64 startByte)
{
    if (!m_options.memo) {
        HiddenDataScanner::scanLine(text, startByte, m_lineNumber, m_emit);
        return;
    }
    // A line's runs depend on its text alone.
    const QByteArray key = ExtractionMemo::lineKey(text);
    if (const QList<SemanticItem> *known = m_options.memo->find(key)) {
        for (const SemanticItem &item : *known)
            emitItem(ExtractionMemo::placed(item, startByte, m_lineNumber));
        return;
    }
    QList<SemanticItem> found;
    HiddenDataScanner::scanLine(text, startByte, m_lineNumber, [&](const SemanticItem &item) {
        found.append(ExtractionMemo::relative(item, startByte, m_lineNumber));
        emitItem(item);
    });
    m_options.memo->store(key, std::move(found));
}

void StreamParser::processText(QByteArrayView text, qint64 startByte)
{
    m_blocks->processLine(text, startByte, m_lineNumber);
}

// SPEC §2.2.2: `---` (YAML) or `+++` (TOML) on the first line opens front matter; it is
// buffered until its closing line. If the document ends first, it was not front matter
// and its lines are replayed as Markdown.
bool StreamParser::frontMatterLine(QByteArrayView text, qint64 startByte, QByteArrayView raw,
                                   bool newline)
{
    if (m_frontMatter == FrontMatterState::Possible) {
        m_frontMatter = FrontMatterState::Done;
        if (isDelimiterLine(text, "---") || isDelimiterLine(text, "+++")) {
            m_frontMatter = FrontMatterState::Inside;
            m_frontMatterDelimiter = text[0];
            m_frontMatterStartByte = startByte;
            m_frontMatterFirstLine = m_lineNumber;
            // The BOM, if any, is not part of the front matter.
            m_frontMatterRaw = raw.sliced(raw.size() - text.size() - (raw.endsWith('\r') ? 1 : 0))
                                       .toByteArray();
            if (newline)
                m_frontMatterRaw.append('\n');
            return true;
        }
        return false;
    }
    const bool closes = m_frontMatterDelimiter == '+'
            ? isDelimiterLine(text, "+++")
            : (isDelimiterLine(text, "---") || isDelimiterLine(text, "..."));
    if (closes) {
        closeFrontMatter(m_lineNumber, startByte + text.size());
        return true;
    }
    if (!m_frontMatterOverflow) {
        if (m_frontMatterRaw.size() + raw.size() + 1 > m_options.maxBlockBytes) {
            m_frontMatterOverflow = true;
            m_frontMatterRaw.clear();
            SourceRange range{ m_frontMatterStartByte, startByte, m_frontMatterFirstLine,
                               m_lineNumber, 1 };
            emitItem(blockTooLarge(range, Tr::tr("front matter"), m_options.maxBlockBytes));
        } else {
            m_frontMatterRaw.append(raw);
            if (newline)
                m_frontMatterRaw.append('\n');
        }
    }
    noteBuffered();
    return true;
}

void StreamParser::closeFrontMatter(qint64 endLine, qint64 endByte)
{
    m_frontMatter = FrontMatterState::Done;
    SourceRange range{ m_frontMatterStartByte, endByte, m_frontMatterFirstLine, endLine, 1 };
    // Content: the lines between the delimiters, '\r' removed, with their positions.
    QByteArray content;
    QList<ContentLine> lines;
    if (!m_frontMatterOverflow) {
        qsizetype p = m_frontMatterRaw.indexOf('\n');
        qint64 docByte = m_frontMatterStartByte + p + 1;
        qint64 line = m_frontMatterFirstLine + 1;
        p = p < 0 ? m_frontMatterRaw.size() : p + 1;
        while (p < m_frontMatterRaw.size()) {
            qsizetype e = m_frontMatterRaw.indexOf('\n', p);
            if (e < 0)
                e = m_frontMatterRaw.size();
            QByteArrayView l = QByteArrayView(m_frontMatterRaw).sliced(p, e - p);
            if (l.endsWith('\r'))
                l.chop(1);
            if (!lines.isEmpty())
                content.append('\n');
            lines.append({ qint32(content.size()), docByte, line, 0 });
            content.append(l);
            docByte += e + 1 - p;
            ++line;
            p = e + 1;
        }
    }
    BlockEvent event;
    event.kind = BlockKind::FrontMatter;
    event.range = range;
    event.info = m_frontMatterDelimiter == '+' ? QByteArrayView("+++") : QByteArrayView("---");
    event.content = content;
    event.contentLines = &lines;
    event.contentTruncated = m_frontMatterOverflow;
    for (StreamListener *l : m_listeners)
        l->blockClosed(event);
    if (m_implicit)
        m_implicit->blockClosed(event);
    if (!m_frontMatterOverflow) {
        const ContentMap map(content, lines);
        QJsonObject keys;
        FrontMatterExtractor::extract(m_frontMatterDelimiter == '+'
                                              ? FrontMatterExtractor::Syntax::Toml
                                              : FrontMatterExtractor::Syntax::Yaml,
                                      content, map, range,
                                      [this](const SemanticItem &i) { emitItem(i); }, &keys);
        // SPEC §2.2.4: `prefixes:` (a mapping of prefix to namespace IRI) adds to the
        // built-in CURIE prefixes for the document's annotations. Front matter comes first,
        // so every annotation sees them whatever the chunking.
        const QJsonObject declared = keys.value(QLatin1String("prefixes")).toObject();
        for (auto it = declared.begin(); it != declared.end(); ++it) {
            if (it.value().isString()) {
                m_prefixes.insert(it.key(), it.value().toString());
                m_declaredPrefixes
                    += it.key().toUtf8() + '\0' + it.value().toString().toUtf8() + '\0';
            }
        }
    }
    m_frontMatterRaw.clear();
    m_frontMatterRaw.squeeze();
}

void StreamParser::replayFrontMatter()
{
    m_frontMatter = FrontMatterState::Done;
    const QByteArray raw = std::exchange(m_frontMatterRaw, {});
    qint64 line = m_frontMatterFirstLine;
    qint64 byte = m_frontMatterStartByte;
    const qint64 savedLineNumber = m_lineNumber;
    qsizetype p = 0;
    while (p < raw.size()) {
        qsizetype e = raw.indexOf('\n', p);
        const bool newline = e >= 0;
        if (!newline)
            e = raw.size();
        QByteArrayView text = QByteArrayView(raw).sliced(p, e - p);
        const qint64 lineBytes = text.size();
        if (text.endsWith('\r'))
            text.chop(1);
        m_lineNumber = line;
        processText(text, byte);
        byte += lineBytes + (newline ? 1 : 0);
        ++line;
        p = e + 1;
    }
    m_lineNumber = savedLineNumber;
}

void StreamParser::emitItem(const SemanticItem &found)
{
    if (m_options.transforms.isEmpty()) { // the common case: no copy
        output(found, -1, 1);
        if (m_implicit)
            m_implicit->itemFound(found);
        return;
    }
    SemanticItem item = found;
    for (qsizetype i = 0; i < m_options.transforms.size(); ++i) {
        if (m_transformOff[size_t(i)])
            continue;
        bool keep = true;
        const SemanticItem before = item;
        try {
            keep = m_options.transforms[i]->transform(item);
        } catch (...) {
            m_transformOff[size_t(i)] = 1;
            isolate(m_options.transforms[i]->name(), Tr::tr("it threw"), found.range);
            item = before;
            continue;
        }
        if (!keep)
            return;
    }
    output(item, -1, 1);
    if (m_implicit)
        m_implicit->itemFound(item);
}

namespace {
// The node objects directly inside an item's properties (SPEC §2.2.7 semanticDepth): objects
// that are values of a property, alone or in an array; not JSON-LD value objects (@value),
// lists (@list, @set) or the keywords' own objects (@context…).
QList<SemanticItem> nestedNodes(const SemanticItem &item)
{
    QList<SemanticItem> nodes;
    auto add = [&](const QJsonValue &v) {
        if (!v.isObject())
            return;
        const QJsonObject o = v.toObject();
        if (o.contains(QLatin1String("@value")) || o.contains(QLatin1String("@list"))
            || o.contains(QLatin1String("@set")))
            return;
        SemanticItem node;
        node.kind = item.kind;
        node.type = o.value(QLatin1String("@type"));
        if (node.type.isUndefined())
            node.type = QJsonValue::Null;
        node.id = o.value(QLatin1String("@id")).isString() ? o.value(QLatin1String("@id"))
                                                            : QJsonValue(QJsonValue::Null);
        node.properties = o;
        node.range = item.range;
        node.confidence = item.confidence;
        node.inferred = item.inferred;
        nodes.append(node);
    };
    for (auto it = item.properties.begin(); it != item.properties.end(); ++it) {
        if (it.key().startsWith(QLatin1Char('@')))
            continue;
        if (it.value().isArray()) {
            for (const QJsonValue &v : it.value().toArray())
                add(v);
        } else {
            add(it.value());
        }
    }
    return nodes;
}
} // namespace

// SPEC §11: every item leaves with its output index and its relations to earlier items;
// --depth puts the nodes nested in it right after it, each related to it by `contains`.
void StreamParser::output(SemanticItem item, qint64 parent, int depth)
{
    item.index = m_nextIndex++;
    m_relations.relate(item, parent);
    const qint64 n = item.index;
    QList<SemanticItem> nested;
    if (depth < m_options.semanticDepth
        && (item.kind == ItemKind::JsonLd || item.kind == ItemKind::Microdata
            || item.kind == ItemKind::Rdfa))
        nested = nestedNodes(item);
    deliver(std::move(item));
    for (SemanticItem &node : nested)
        output(std::move(node), n, depth + 1);
}

void StreamParser::deliver(SemanticItem item)
{
    if (!m_context) {
        for (StreamListener *l : m_listeners)
            l->itemFound(item);
        return;
    }
    const qint64 ready = item.range.endLine + m_options.contextLines;
    m_pending.append({ std::move(item), ready });
}

void StreamParser::deliverReady(qint64 linesRead)
{
    if (!m_context)
        return;
    const qint64 n = m_options.contextLines;
    qsizetype done = 0;
    for (; done < m_pending.size() && m_pending[done].readyLine <= linesRead; ++done) {
        SemanticItem &item = m_pending[done].item;
        item.context = m_context->text(item.range.startLine - n, item.range.endLine + n);
        for (StreamListener *l : m_listeners)
            l->itemFound(item);
    }
    m_pending.remove(0, done);
    // Lines still needed: from N before the first line of a waiting item, of the block being
    // buffered (its items may start on any of its lines), of front matter, or of the next line.
    qint64 keep = m_lineNumber + 1;
    if (!m_pending.isEmpty())
        keep = qMin(keep, m_pending.first().item.range.startLine);
    if (const qint64 leaf = m_blocks->bufferedLeafStartLine(); leaf > 0)
        keep = qMin(keep, leaf);
    if (m_frontMatter == FrontMatterState::Inside)
        keep = qMin(keep, m_frontMatterFirstLine);
    m_context->releaseBefore(keep - n);
}

void StreamParser::blockOpened(const BlockEvent &event)
{
    for (StreamListener *l : m_listeners)
        l->blockOpened(event);
    if (m_implicit)
        m_implicit->blockOpened(event);
}

void StreamParser::blockClosed(const BlockEvent &event)
{
    for (StreamListener *l : m_listeners)
        l->blockClosed(event);
    if (m_implicit)
        m_implicit->blockClosed(event);
    if (event.kind == BlockKind::Heading)
        m_relations.headingClosed(event);
    if ((event.kind == BlockKind::Paragraph || event.kind == BlockKind::Heading)
        && !event.contentTruncated)
        m_relations.linksIn(event.content);
    runParserPlugins(event);
}

namespace {
    // The context of a trusted (built-in) plugin: straight into the stream.
    class InlineContext final : public PluginContext
    {
    public:
        InlineContext(const std::function<void(const SemanticItem &)> &sink,
                      const CuriePrefixes &prefixes, qsizetype maxBlockBytes)
            : m_sink(sink)
            , m_prefixes(prefixes)
            , m_max(maxBlockBytes)
        {
        }
        bool expired() const override { return false; }
        void addItem(SemanticItem item) override { m_sink(item); }
        void addJson(QByteArrayView node) override
        {
            if (std::optional<SemanticItem> item = pluginItemFromJson(node, {}))
                m_sink(*item);
        }
        const CuriePrefixes &prefixes() const override { return m_prefixes; }
        qsizetype maxBlockBytes() const override { return m_max; }

    private:
        const std::function<void(const SemanticItem &)> &m_sink;
        const CuriePrefixes &m_prefixes;
        qsizetype m_max;
    };
} // namespace

void StreamParser::runParserPlugins(const BlockEvent &event)
{
    // Once per closed block: const access only (no QList detach checks on the hot path).
    const QList<std::shared_ptr<ParserPlugin>> &parsers = m_parsers;
    for (qsizetype i = 0; i < parsers.size(); ++i) {
        if (m_parserOff[size_t(i)])
            continue;
        ParserPlugin *plugin = parsers[i].get();
        if (plugin->trusted()) {
            if (!plugin->claims(event))
                continue;
            if (m_options.memo) {
                extractRemembered(i, event);
                continue;
            }
            InlineContext context(m_emit, m_prefixes, m_options.maxBlockBytes);
            plugin->extract(event, context);
            continue;
        }
        bool claimed = false;
        try {
            claimed = plugin->claims(event);
        } catch (...) {
            m_parserOff[size_t(i)] = 1;
            isolate(plugin->name(), Tr::tr("it threw"), event.range);
            continue;
        }
        if (!claimed)
            continue;
        const PluginRun run = runPlugin(parsers[i], event, m_prefixes, m_options.maxBlockBytes,
                                        m_options.pluginBudgetMs);
        if (!run.failure.isEmpty()) {
            m_parserOff[size_t(i)] = 1;
            isolate(plugin->name(), run.failure, event.range);
            continue;
        }
        for (const SemanticItem &item : run.items)
            emitItem(item);
    }
}

// A built-in extraction, or what it gave for the same block before. (Other plugins are not
// remembered: their time budget can make them answer differently for the same block.)
void StreamParser::extractRemembered(qsizetype plugin, const BlockEvent &event)
{
    const QByteArray key = ExtractionMemo::blockKey(plugin, event, m_declaredPrefixes);
    const qint64 byte = event.range.startByte;
    const qint64 line = event.range.startLine;
    if (const QList<SemanticItem> *known = m_options.memo->find(key)) {
        for (const SemanticItem &item : *known)
            emitItem(ExtractionMemo::placed(item, byte, line));
        return;
    }
    QList<SemanticItem> found;
    const std::function<void(const SemanticItem &)> keep = [&](const SemanticItem &item) {
        found.append(ExtractionMemo::relative(item, byte, line));
        emitItem(item);
    };
    InlineContext context(keep, m_prefixes, m_options.maxBlockBytes);
    std::as_const(m_parsers)[plugin]->extract(event, context);
    m_options.memo->store(key, std::move(found));
}

void StreamParser::isolate(const QString &stage, const QString &why, const SourceRange &range)
{
    SemanticItem e = errorItem(
        range, Tr::tr("plugin %1 was disabled for the rest of the document: %2").arg(stage, why),
        range.startLine, range.startColumn);
    e.plugin = stage;
    output(e, -1, 1); // not through the transforms: one of them may be the culprit
}

void StreamParser::itemFound(const SemanticItem &item) { emitItem(item); }

std::optional<StreamParser::LeadingFrontMatter>
StreamParser::leadingFrontMatter(QByteArrayView document)
{
    struct Watcher : StreamListener
    {
        std::optional<LeadingFrontMatter> found;
        bool done = false;
        void blockOpened(const BlockEvent &) override { done = true; }
        void blockClosed(const BlockEvent &e) override
        {
            done = true;
            if (e.kind == BlockKind::FrontMatter && !e.contentTruncated)
                found = LeadingFrontMatter { e.range, e.range.endByte, e.info == "+++",
                                             e.content.toByteArray() };
        }
    } watcher;
    StreamParser parser;
    parser.addListener(&watcher);
    // Front matter is at most maxBlockBytes: feeding stops at the first block of any kind.
    constexpr qsizetype kChunk = 64 * 1024;
    for (qsizetype at = 0; at < document.size() && !watcher.done; at += kChunk)
        parser.feed(document.sliced(at, qMin(kChunk, document.size() - at)));
    if (!watcher.done)
        parser.finish();
    if (watcher.found) {
        qint64 &p = watcher.found->bodyStart;
        if (p < document.size() && document[p] == '\r')
            ++p;
        if (p < document.size() && document[p] == '\n')
            ++p;
    }
    return watcher.found;
}

} // namespace Kyozo::MarkdownLD
