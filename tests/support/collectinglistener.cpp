#include "collectinglistener.h"

#include "markdownld/streamparser.h"

#include <QJsonDocument>

using namespace Kyozo::MarkdownLD;

namespace KyozoTest {

namespace {
QString describe(const char *what, const BlockEvent &e)
{
    // One arg() call: chained ones would substitute into content that itself holds "%1".
    const auto n = [](qint64 v) { return QString::number(v); };
    return QStringLiteral("%1 %2 %3:%4-%5 bytes %6-%7 level %8 html %9 info '%10' content '%11'%12"
                          "%13 start %14%15")
            .arg(QLatin1String(what), QLatin1String(blockKindName(e.kind)), n(e.range.startLine),
                 n(e.range.startColumn), n(e.range.endLine), n(e.range.startByte),
                 n(e.range.endByte), n(e.level), n(e.htmlType), QString::fromUtf8(e.info),
                 QString::fromUtf8(e.content),
                 e.contentTruncated ? QStringLiteral(" truncated") : QString(),
                 e.ordered ? QStringLiteral(" ordered") : QString(), n(e.listStart),
                 e.unclosed ? QStringLiteral(" unclosed") : QString());
}
} // namespace

void CollectingListener::blockOpened(const BlockEvent &e) { events.append(describe("open", e)); }

void CollectingListener::blockClosed(const BlockEvent &e)
{
    events.append(describe("close", e));
    blocks.append({ e.kind, e.range.startLine, e.range.endLine, e.level, e.htmlType, e.unclosed });
}

void CollectingListener::itemFound(const SemanticItem &item) { items.append(item.toJson()); }

CollectingListener parse(const QByteArray &document, const QList<qsizetype> &chunkSizes,
                         qsizetype maxBlockBytes, bool includeImplicit)
{
    StreamParser::Options options;
    options.maxBlockBytes = maxBlockBytes;
    options.includeImplicit = includeImplicit;
    return parseWith(document, chunkSizes, options);
}

CollectingListener parseWith(const QByteArray &document, const QList<qsizetype> &chunkSizes,
                             const StreamParser::Options &options)
{
    CollectingListener listener;
    StreamParser parser(options);
    parser.addListener(&listener);
    if (chunkSizes.isEmpty()) {
        parser.feed(document);
    } else {
        qsizetype pos = 0;
        for (qsizetype i = 0; pos < document.size(); ++i) {
            const qsizetype n = qMax<qsizetype>(1, chunkSizes[i % chunkSizes.size()]);
            parser.feed(QByteArrayView(document).sliced(pos, qMin(n, document.size() - pos)));
            pos += n;
        }
    }
    parser.finish();
    return listener;
}

} // namespace KyozoTest
