#pragma once

#include "blockparser.h"
#include "contextwindow.h"
#include "curieprefixes.h"
#include "extractionmemo.h"
#include "implicitextractor.h"
#include "itemrelations.h"
#include "plugin.h"
#include "streamlistener.h"

#include <QByteArray>
#include <QList>
#include <memory>
#include <optional>
#include <vector>

namespace Kyozo::MarkdownLD {

// SPEC §2.1: the push parser. feed() any chunking of a document, then finish(); listeners
// receive block events and semantic items as soon as each block closes. Memory stays
// bounded by maxBlockBytes plus constant state, whatever the document's size.
class StreamParser : private StreamListener
{
public:
    struct Options
    {
        qsizetype maxBlockBytes = 1024 * 1024;
        // SPEC §2.2.6 (`kyozo-ld extract --implicit`): run the implicit rules too.
        bool includeImplicit = false;
        // SPEC §2.2.7 contextWindow (`--context N`): each item carries the document's lines
        // from N before its first line to N after its last (SemanticItem::context); an item
        // is then output once those lines are read. -1: no context.
        int contextLines = -1;
        // SPEC §2.2.7 semanticDepth (`--depth N`): nested JSON-LD, microdata and RDFa nodes
        // down to depth N are items of their own too (after the item they are in); 1: none.
        int semanticDepth = 1;
        // SPEC §2.4 (docs/plugins.md): parser plugins after the built-in ones, in order;
        // transforms applied to every item in order; each untrusted parser plugin's time
        // budget per block.
        QList<std::shared_ptr<ParserPlugin>> plugins;
        QList<std::shared_ptr<TransformPlugin>> transforms;
        int pluginBudgetMs = 200;
        // SPEC §2.6: the built-in extractions of an earlier stream of the same document
        // (IncrementalAnalyzer): blocks and lines seen before are not extracted again. One
        // stream at a time per memo; the stream is one pass of it, from here to finish().
        std::shared_ptr<ExtractionMemo> memo;
    };

    StreamParser();
    explicit StreamParser(Options options);
    ~StreamParser() override;
    StreamParser(const StreamParser &) = delete;
    StreamParser &operator=(const StreamParser &) = delete;

    // The front matter a document starts with, as this parser reads it (SPEC §2.2.2): what
    // the preview hides or shows as a table. Reads only as far as the front matter goes.
    struct LeadingFrontMatter
    {
        SourceRange range; // the delimiter lines included
        qint64 bodyStart = 0; // the first byte after its closing line's line ending
        bool toml = false;
        QByteArray content; // the lines between the delimiters, joined by '\n'
    };
    static std::optional<LeadingFrontMatter> leadingFrontMatter(QByteArrayView document);

    void addListener(StreamListener *listener);
    void feed(QByteArrayView chunk);
    void finish();

    // Bytes held for the block being buffered plus the incomplete line, now and at most
    // (measured whenever the parser holds them: after a chunk's tail is carried and after
    // each line is consumed). While a carried line is being copied into its block's content
    // it briefly exists twice; that transient copy is not counted.
    qsizetype bufferedBytes() const;
    qsizetype bufferedHighWaterMark() const { return m_highWater; }
    // Bytes of document lines held for --context (Options::contextLines), at most
    // maxBlockBytes + 64 KiB; not part of bufferedBytes().
    qsizetype contextBytes() const { return m_context ? m_context->heldBytes() : 0; }
    // Slack above maxBlockBytes that bufferedBytes() may reach: a line prefix kept to
    // classify a line that does not fit.
    static constexpr qsizetype kLinePrefixBytes = 4096;

private:
    void blockOpened(const BlockEvent &event) override;
    void blockClosed(const BlockEvent &event) override;
    void itemFound(const SemanticItem &item) override;

    qsizetype lineLimit() const;
    void appendCarry(QByteArrayView bytes);
    void handleLine(QByteArrayView raw, qint64 rawLength, bool newline);
    void processText(QByteArrayView text, qint64 startByte);
    bool frontMatterLine(QByteArrayView text, qint64 startByte, QByteArrayView raw, bool newline);
    void closeFrontMatter(qint64 endLine, qint64 endByte);
    void replayFrontMatter();
    void emitItem(const SemanticItem &item);
    void runParserPlugins(const BlockEvent &event);
    void extractRemembered(qsizetype plugin, const BlockEvent &event);
    void scanHiddenData(QByteArrayView text, qint64 startByte);
    // A stage that threw, returned garbage or ran too long: said once, off for the stream.
    void isolate(const QString &stage, const QString &why, const SourceRange &range);
    void output(SemanticItem item, qint64 parent, int depth);
    void deliver(SemanticItem item);
    void deliverReady(qint64 linesRead);
    void noteBuffered();

    Options m_options;
    QList<StreamListener *> m_listeners;
    std::unique_ptr<BlockParser> m_blocks;
    std::unique_ptr<ImplicitExtractor> m_implicit;
    QList<std::shared_ptr<ParserPlugin>> m_parsers; // the built-ins, then Options::plugins
    std::vector<char> m_parserOff; // disabled for the rest of the stream
    std::vector<char> m_transformOff;
    std::function<void(const SemanticItem &)> m_emit; // emitItem, made once

    QByteArray m_carry; // the incomplete last line, at most lineLimit() bytes of it
    qint64 m_carryOverflow = 0; // bytes of that line dropped past the limit
    qint64 m_lineStart = 0;
    qint64 m_lineNumber = 0;
    qsizetype m_highWater = 0;
    bool m_finished = false;

    enum class FrontMatterState { Possible, Inside, Done };
    FrontMatterState m_frontMatter = FrontMatterState::Possible;
    QByteArray m_frontMatterRaw; // its lines as read, for a replay when it never closes
    qint64 m_frontMatterStartByte = 0;
    qint64 m_frontMatterFirstLine = 0;
    char m_frontMatterDelimiter = 0;
    bool m_frontMatterOverflow = false;
    CuriePrefixes m_prefixes; // built-in, plus front matter's `prefixes:`
    QByteArray m_declaredPrefixes; // those of front matter, as memo keys see them

    qint64 m_nextIndex = 0;
    ItemRelations m_relations;
    std::unique_ptr<ContextWindow> m_context; // with Options::contextLines >= 0
    struct Pending
    {
        SemanticItem item;
        qint64 readyLine = 0; // its last context line
    };
    QList<Pending> m_pending; // items waiting for their context's last lines, in output order
};

} // namespace Kyozo::MarkdownLD
