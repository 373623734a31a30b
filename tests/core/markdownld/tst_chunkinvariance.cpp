// SPEC §2.1: output is identical for every chunking of the same input — splits inside a
// UTF-8 sequence, inside "\r\n", inside a fence marker, inside a BOM, one byte at a time.
#include "collectinglistener.h"
#include "randomdocument.h"
#include "testpaths.h"

#include <QDir>
#include <QtTest>

using KyozoTest::CollectingListener;

namespace {

void verifySame(const CollectingListener &whole, const CollectingListener &split, const QString &what)
{
    QVERIFY2(whole.events == split.events,
             qPrintable(QStringLiteral("%1: block events differ").arg(what)));
    QVERIFY2(whole.items == split.items, qPrintable(QStringLiteral("%1: items differ").arg(what)));
}

QList<QByteArray> committedDocuments(QStringList *names)
{
    const QDir dir(KyozoTest::sourcePath(QStringLiteral("tests/data/markdownld")));
    QList<QByteArray> docs;
    for (const QString &name : dir.entryList({ QStringLiteral("*.md") }, QDir::Files, QDir::Name)) {
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::ReadOnly)) {
            docs.append(f.readAll());
            names->append(name);
        }
    }
    return docs;
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
        const QList<QByteArray> docs = committedDocuments(&names);
        QVERIFY(docs.size() >= 40);
        for (qsizetype d = 0; d < docs.size(); ++d) {
            const QByteArray &doc = docs[d];
            const CollectingListener whole = KyozoTest::parse(doc);
            QVERIFY(!whole.events.isEmpty() || doc.isEmpty());
            for (qsizetype at = 1; at < doc.size(); ++at) {
                const CollectingListener split = KyozoTest::parse(doc, { at, doc.size() });
                verifySame(whole, split, QStringLiteral("%1 split at %2").arg(names[d]).arg(at));
            }
        }
    }

    void oneByteAtATime()
    {
        QStringList names;
        const QList<QByteArray> docs = committedDocuments(&names);
        for (qsizetype d = 0; d < docs.size(); ++d)
            verifySame(KyozoTest::parse(docs[d]), KyozoTest::parse(docs[d], { 1 }), names[d]);
    }

    void randomDocumentsRandomSplits()
    {
        QRandomGenerator random(20261125); // fixed seed: a failure reproduces
        for (int round = 0; round < 300; ++round) {
            const QByteArray doc = KyozoTest::randomDocument(random, 1 + int(random.bounded(30)));
            const CollectingListener whole = KyozoTest::parse(doc);
            QList<qsizetype> sizes;
            for (int i = 0; i < 16; ++i)
                sizes.append(1 + random.bounded(9));
            verifySame(whole, KyozoTest::parse(doc, sizes), QStringLiteral("round %1").arg(round));
            verifySame(whole, KyozoTest::parse(doc, { 1 }), QStringLiteral("round %1, 1 byte").arg(round));
        }
    }
};

QTEST_GUILESS_MAIN(TestChunkInvariance)
#include "tst_chunkinvariance.moc"
