#pragma once

#include "blockparser.h"
#include "implicitextractor.h"
#include "streamlistener.h"

#include <QByteArray>
#include <QList>
#include <memory>

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
    };

    StreamParser();
    explicit StreamParser(Options options);
    ~StreamParser() override;
    StreamParser(const StreamParser &) = delete;
    StreamParser &operator=(const StreamParser &) = delete;

    void addListener(StreamListener *listener);
    void feed(QByteArrayView chunk);
    void finish();

    // Bytes held for the block being buffered plus the incomplete line, now and at most
    // (measured whenever the parser holds them: after a chunk's tail is carried and after
    // each line is consumed). While a carried line is being copied into its block's content
    // it briefly exists twice; that transient copy is not counted.
    qsizetype bufferedBytes() const;
    qsizetype bufferedHighWaterMark() const { return m_highWater; }
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
    void noteBuffered();

    Options m_options;
    QList<StreamListener *> m_listeners;
    std::unique_ptr<BlockParser> m_blocks;
    std::unique_ptr<ImplicitExtractor> m_implicit;

    QByteArray m_carry;         // the incomplete last line, at most lineLimit() bytes of it
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
};

} // namespace Kyozo::MarkdownLD
