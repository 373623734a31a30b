// SPEC §9: every user-visible string through tr(), and translations/kyozo_de.ts complete.
// lupdate runs over the app's sources into a copy of the committed file: a string the
// sources have and the file lacks comes back "unfinished", and so does an untranslated one.
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

class TestTranslations : public QObject
{
    Q_OBJECT
private slots:
    void germanIsComplete();
    void compiledIntoTheApp();
};

void TestTranslations::germanIsComplete()
{
    QTemporaryDir dir;
    const QString ts = dir.filePath(QStringLiteral("kyozo_de.ts"));
    QVERIFY(QFile::copy(QStringLiteral(KYOZO_SOURCE_DIR "/translations/kyozo_de.ts"), ts));
    QFile::setPermissions(ts, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QProcess lupdate;
    lupdate.start(QStringLiteral(KYOZO_LUPDATE),
                  { QStringLiteral("-recursive"), QStringLiteral("-locations"), QStringLiteral("none"),
                    QStringLiteral(KYOZO_SOURCE_DIR "/app"), QStringLiteral("-ts"), ts });
    QVERIFY(lupdate.waitForFinished(60000));
    QCOMPARE(lupdate.exitCode(), 0);
    QFile file(ts);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString xml = QString::fromUtf8(file.readAll());
    QStringList unfinished;
    static const QRegularExpression message(QStringLiteral("<source>([^<]*)</source>\\s*<translation type=\"unfinished\""),
                                            QRegularExpression::DotMatchesEverythingOption);
    for (auto it = message.globalMatch(xml); it.hasNext();)
        unfinished.append(it.next().captured(1));
    QVERIFY2(unfinished.isEmpty(), qPrintable(QStringLiteral("not translated: ") + unfinished.join(QLatin1String(" | "))));
    QVERIFY(xml.count(QLatin1String("<message")) > 50); // the sources were really read
}

void TestTranslations::compiledIntoTheApp()
{
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/kyozo_de.qm")));
    QCOMPARE(translator.translate("Kyozo::App::MainWindow", "Semantics"), QStringLiteral("Semantik"));
    QCOMPARE(translator.translate("Kyozo::App::SoloSession", "Connected to the local server"),
             QStringLiteral("Mit dem lokalen Server verbunden"));
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
