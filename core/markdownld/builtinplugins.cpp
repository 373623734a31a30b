#include "builtinplugins.h"

#include "annotationextractor.h"
#include "contentmap.h"
#include "htmlmetadataextractor.h"
#include "jsonldextractor.h"

#include <QCoreApplication>

namespace Kyozo::MarkdownLD {

namespace {

    struct Tr
    {
        Q_DECLARE_TR_FUNCTIONS(StreamParser)
    };

    ItemSink sinkOf(PluginContext &context)
    {
        return [&context](const SemanticItem &item) { context.addItem(item); };
    }

    class JsonLdFences final : public ParserPlugin
    {
    public:
        QString name() const override { return QStringLiteral("json-ld"); }
        bool trusted() const override { return true; }
        bool claimsFenceInfo(QByteArrayView info) const override
        {
            return JsonLdExtractor::claimsFenceInfo(info);
        }
        void extract(const BlockEvent &block, PluginContext &context) const override
        {
            if (block.contentTruncated) {
                context.addItem(
                    blockTooLarge(block.range, Tr::tr("JSON-LD block"), context.maxBlockBytes()));
                return;
            }
            static const QList<ContentLine> none;
            const ContentMap map(block.content, block.contentLines ? *block.contentLines : none);
            JsonLdExtractor::extract(block.content, map, 0, block.range, sinkOf(context));
        }
    };

    class HtmlMetadata final : public ParserPlugin
    {
    public:
        QString name() const override { return QStringLiteral("html-metadata"); }
        bool trusted() const override { return true; }
        bool claims(const BlockEvent &block) const override
        {
            return block.kind == BlockKind::HtmlBlock
                && (block.htmlType == 1 || block.htmlType >= 6);
        }
        void extract(const BlockEvent &block, PluginContext &context) const override
        {
            if (block.contentTruncated) {
                context.addItem(
                    blockTooLarge(block.range, Tr::tr("HTML block"), context.maxBlockBytes()));
                return;
            }
            const ContentMap map(block.content, *block.contentLines);
            HtmlMetadataExtractor::extract(block.content, map, block.range, sinkOf(context));
        }
    };

    class Annotations final : public ParserPlugin
    {
    public:
        QString name() const override { return QStringLiteral("annotations"); }
        bool trusted() const override { return true; }
        bool claims(const BlockEvent &block) const override
        {
            return (block.kind == BlockKind::Paragraph || block.kind == BlockKind::Heading)
                && !block.contentTruncated && block.contentLines
                && AnnotationExtractor::mayContain(block.content);
        }
        void extract(const BlockEvent &block, PluginContext &context) const override
        {
            const ContentMap map(block.content, *block.contentLines);
            AnnotationExtractor::extract(block.content, map,
                                         block.kind == BlockKind::Heading
                                             ? AnnotationExtractor::Block::Heading
                                             : AnnotationExtractor::Block::Paragraph,
                                         context.prefixes(), sinkOf(context));
        }
    };

} // namespace

SemanticItem blockTooLarge(const SourceRange &range, const QString &what, qsizetype limit)
{
    return errorItem(range,
                     Tr::tr("%1 is larger than maxBlockBytes (%2 bytes); its data was skipped")
                         .arg(what)
                         .arg(limit),
                     range.startLine, range.startColumn);
}

QList<std::shared_ptr<ParserPlugin>> builtInParserPlugins()
{
    static const QList<std::shared_ptr<ParserPlugin>> plugins { std::make_shared<JsonLdFences>(),
                                                                std::make_shared<HtmlMetadata>(),
                                                                std::make_shared<Annotations>() };
    return plugins;
}

} // namespace Kyozo::MarkdownLD
