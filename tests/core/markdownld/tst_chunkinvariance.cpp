// SPEC §2.1: output is identical for every chunking of the same input — splits inside a
// UTF-8 sequence, inside "\r\n", inside a fence marker, inside a BOM, one byte at a time.
#include "collectinglistener.h"
#include "randomdocument.h"
#include "testpaths.h"

#include <QDir>
#include <QJsonObject>
#include <QtTest>

using KyozoTest::CollectingListener;

namespace {

// Every parse here runs the implicit rules too (issue 16: the random-split test covers
// `implicit` items), which also checks every explicit item: the rules only add items.
constexpr qsizetype kMaxBlock = 1024 * 1024;

void verifySame(const CollectingListener &whole, const CollectingListener &split,
                const QString &what)
{
    QVERIFY2(whole.events == split.events,
             qPrintable(QStringLiteral("%1: block events differ").arg(what)));
    QVERIFY2(whole.items == split.items, qPrintable(QStringLiteral("%1: items differ").arg(what)));
}

} // namespace

class TestChunkInvariance : public QObject
{
    Q_OBJECT
private slots:
    // Every split point of every committed case: that covers every boundary kind there is.
    void everyTwoPieceSplitOfCommittedCases()
    {
        QStringList names;
        const QList<QByteArray> docs = KyozoTest::committedDocuments(&names);
        QVERIFY(docs.size() >= 40);
        for (qsizetype d = 0; d < docs.size(); ++d) {
            const QByteArray &doc = docs[d];
            const CollectingListener whole = KyozoTest::parse(doc, {}, kMaxBlock, true);
            QVERIFY(!whole.events.isEmpty() || doc.isEmpty());
            for (qsizetype at = 1; at < doc.size(); ++at) {
                const CollectingListener split
                    = KyozoTest::parse(doc, { at, doc.size() }, kMaxBlock, true);
                verifySame(whole, split, QStringLiteral("%1 split at %2").arg(names[d]).arg(at));
            }
        }
    }

    void oneByteAtATime()
    {
        QStringList names;
        const QList<QByteArray> docs = KyozoTest::committedDocuments(&names);
        for (qsizetype d = 0; d < docs.size(); ++d)
            verifySame(KyozoTest::parse(docs[d], {}, kMaxBlock, true),
                       KyozoTest::parse(docs[d], { 1 }, kMaxBlock, true), names[d]);
    }

    // Issue 16 item 5: with --context and --depth (and the implicit rules) items wait for
    // lines and nested nodes become items; none of that may depend on the chunking either.
    void contextAndDepthAreChunkInvariant()
    {
        QStringList names;
        const QList<QByteArray> docs = KyozoTest::committedDocuments(&names);
        Kyozo::MarkdownLD::StreamParser::Options options;
        options.contextLines = 2;
        options.semanticDepth = 3;
        options.includeImplicit = true;
        QRandomGenerator random(20261202);
        for (qsizetype d = 0; d < docs.size(); ++d) {
            const CollectingListener whole = KyozoTest::parseWith(docs[d], {}, options);
            verifySame(whole, KyozoTest::parseWith(docs[d], { 1 }, options), names[d]);
            QList<qsizetype> sizes;
            for (int i = 0; i < 16; ++i)
                sizes.append(1 + random.bounded(9));
            verifySame(whole, KyozoTest::parseWith(docs[d], sizes, options),
                       names[d] + QStringLiteral(" random"));
            // Every item has its context, and n counts the output.
            for (qsizetype i = 0; i < whole.items.size(); ++i) {
                const QJsonObject item = whole.items[i].toObject();
                QVERIFY2(item.contains(QLatin1String("context")), qPrintable(names[d]));
                QCOMPARE(item.value(QLatin1String("n")).toInteger(), i);
            }
        }
    }

    void randomDocumentsRandomSplits()
    {
        QRandomGenerator random(20261125); // fixed seed: a failure reproduces
        for (int round = 0; round < 300; ++round) {
            const QByteArray doc = KyozoTest::randomDocument(random, 1 + int(random.bounded(30)));
            const CollectingListener whole = KyozoTest::parse(doc, {}, kMaxBlock, true);
            QList<qsizetype> sizes;
            for (int i = 0; i < 16; ++i)
                sizes.append(1 + random.bounded(9));
            verifySame(whole, KyozoTest::parse(doc, sizes, kMaxBlock, true),
                       QStringLiteral("round %1").arg(round));
            verifySame(whole, KyozoTest::parse(doc, { 1 }, kMaxBlock, true),
                       QStringLiteral("round %1, 1 byte").arg(round));
        }
    }
};

QTEST_GUILESS_MAIN(TestChunkInvariance)
#include "tst_chunkinvariance.moc"
