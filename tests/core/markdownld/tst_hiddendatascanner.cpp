// The hidden-data precheck and scanner (SPEC §2.2 item 5): every invisible code point is
// found wherever it sits relative to the 8-byte ASCII skip; look-alikes are not.
#include "markdownld/hiddendatascanner.h"

#include <QtTest>

using namespace Kyozo::MarkdownLD;

class TestHiddenDataScanner : public QObject
{
    Q_OBJECT
private slots:
    void precheckFindsEveryInvisibleAtEveryOffset()
    {
        const QList<QByteArray> invisible = { "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x81\xA0",
                                              "\xE2\x81\xA4", "\xEF\xBB\xBF", "\xE1\xA0\x8E", "\xF3\xA0\x80\x81" };
        for (const QByteArray &c : invisible) {
            for (int offset = 0; offset < 20; ++offset) {
                const QByteArray line = QByteArray(offset, 'a') + c + QByteArray(offset % 5, 'b');
                QVERIFY2(HiddenDataScanner::mayContainInvisible(line), qPrintable(QStringLiteral("offset %1").arg(offset)));
                // After other non-ASCII text too.
                QVERIFY(HiddenDataScanner::mayContainInvisible("\xE2\x80\x9C" + QByteArray(offset, 'a') + c));
            }
        }
        // Curly quotes, dashes, CJK, emoji: no.
        QVERIFY(!HiddenDataScanner::mayContainInvisible("\xE2\x80\x9Cquote\xE2\x80\x9D \xE2\x80\x94 dash \xE6\x97\xA5 \xF0\x9F\x98\x80 plain ascii text"));
        QVERIFY(!HiddenDataScanner::mayContainInvisible(""));
    }

    void scanReportsRunsWithTheirLine()
    {
        QList<SemanticItem> items;
        HiddenDataScanner::scanLine("ab\xE2\x80\x8B" "cd", 100, 7, [&](const SemanticItem &i) { items.append(i); });
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].kind, ItemKind::SuspiciousHidden);
        QCOMPARE(items[0].range.startByte, 102);
        QCOMPARE(items[0].range.endByte, 105);
        QCOMPARE(items[0].range.startLine, 7);
        QCOMPARE(items[0].confidence, 1.0);
    }
};

QTEST_GUILESS_MAIN(TestHiddenDataScanner)
#include "tst_hiddendatascanner.moc"
