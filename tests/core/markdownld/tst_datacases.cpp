// Data-driven parser cases (STYLE.md, cmark's spec tests): tests/data/markdownld/NAME.md
// with NAME.jsonl beside it, the expected `kyozo-ld extract` items written by hand from
// SPEC §2.2 and §11. Items are compared in order, as JSON values.
#include "collectinglistener.h"
#include "testpaths.h"

#include <QDir>
#include <QJsonDocument>
#include <QtTest>

class TestDataCases : public QObject
{
    Q_OBJECT
private slots:
    void cases_data()
    {
        QTest::addColumn<QString>("markdown");
        QTest::addColumn<QString>("expected");
        const QDir dir(KyozoTest::sourcePath(QStringLiteral("tests/data/markdownld")));
        const QStringList names = dir.entryList({ QStringLiteral("*.md") }, QDir::Files, QDir::Name);
        QVERIFY2(names.size() >= 40, "SPEC/issue 3 asks for at least 40 committed cases");
        for (const QString &name : names) {
            const QString expected = dir.filePath(QFileInfo(name).completeBaseName() + QStringLiteral(".jsonl"));
            QVERIFY2(QFile::exists(expected), qPrintable(expected + QStringLiteral(" is missing")));
            QTest::newRow(qPrintable(name)) << dir.filePath(name) << expected;
        }
    }

    void cases()
    {
        QFETCH(QString, markdown);
        QFETCH(QString, expected);
        QFile md(markdown), jsonl(expected);
        QVERIFY(md.open(QIODevice::ReadOnly));
        QVERIFY(jsonl.open(QIODevice::ReadOnly));
        QJsonArray want;
        int lineNumber = 0;
        for (const QByteArray &line : jsonl.readAll().split('\n')) {
            ++lineNumber;
            if (line.trimmed().isEmpty())
                continue;
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(error.error == QJsonParseError::NoError,
                     qPrintable(QStringLiteral("%1:%2: %3").arg(expected).arg(lineNumber).arg(error.errorString())));
            // Every item carries its output index `n` and its `relations` (SPEC §11, issue
            // 16 item 5). A case that does not write them expects its own position in the
            // file and no relations.
            QJsonObject w = doc.object();
            if (!w.contains(QLatin1String("n")))
                w.insert(QLatin1String("n"), want.size());
            if (!w.contains(QLatin1String("relations")))
                w.insert(QLatin1String("relations"), QJsonArray());
            want.append(w);
        }
        // Cases named implicit-* run the implicit rules too (`kyozo-ld extract --implicit`).
        const bool implicit = QFileInfo(markdown).fileName().startsWith(QLatin1String("implicit-"));
        QJsonArray got = KyozoTest::parse(md.readAll(), {}, 1024 * 1024, implicit).items;
        // Expected error messages are written as prefixes ("invalid JSON-LD"), since the
        // rest of the message is the JSON/YAML/TOML library's own wording.
        for (qsizetype i = 0; i < qMin(got.size(), want.size()); ++i) {
            QJsonObject g = got[i].toObject();
            const QJsonArray wantErrors = want[i].toObject().value(QLatin1String("errors")).toArray();
            QJsonArray gotErrors = g.value(QLatin1String("errors")).toArray();
            for (qsizetype e = 0; e < qMin(wantErrors.size(), gotErrors.size()); ++e) {
                QJsonObject ge = gotErrors[e].toObject();
                const QString prefix = wantErrors[e].toObject().value(QLatin1String("message")).toString();
                if (!prefix.isEmpty() && ge.value(QLatin1String("message")).toString().startsWith(prefix))
                    ge.insert(QLatin1String("message"), prefix);
                gotErrors[e] = ge;
            }
            g.insert(QLatin1String("errors"), gotErrors);
            got[i] = g;
        }
        for (qsizetype i = 0; i < qMax(got.size(), want.size()); ++i) {
            const QByteArray g = i < got.size() ? QJsonDocument(got[i].toObject()).toJson(QJsonDocument::Compact) : "(none)";
            const QByteArray w = i < want.size() ? QJsonDocument(want[i].toObject()).toJson(QJsonDocument::Compact) : "(none)";
            QVERIFY2(g == w, qPrintable(QStringLiteral("item %1\n   got: %2\n  want: %3")
                                                .arg(i).arg(QString::fromUtf8(g), QString::fromUtf8(w))));
        }
    }
};

QTEST_GUILESS_MAIN(TestDataCases)
#include "tst_datacases.moc"
