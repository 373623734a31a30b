// SPEC §9: every user-visible string through tr(), and translations/kyozo_de.ts complete.
// lupdate runs over the covered sources into a copy of the committed file: a string the
// sources have and the file lacks comes back "unfinished", and so does an untranslated one.
//
// Covered: every library whose strings reach a user through a translator, which only the app
// installs (app/main.cpp loads :/i18n/kyozo_de.qm):
// - app/;
// - core/ (libkyozo-core, linked into the app): parser errors in the Semantics panel, stego
//   errors when hidden data is opened, frame errors.
// Not covered, on purpose, because neither installs a translator:
// - server/: kyozo-server's REST and channel errors are English, the convention for HTTP APIs,
//   beside the machine-readable code a client acts on ("not_found", "bad_payload"; SPEC §11,
//   docs/server.md); its admin commands and logs are for operators and English like its docs.
// - cli/: kyozo-ld's output is a contract for scripts (SPEC §11): extract's items carry the
//   core's error messages and unsupported options answer "not supported yet", so one input
//   gives the same bytes on every desktop. Its tr() marks stay for a later translation of
//   --help and stderr alone. It answers wholly in English: kyozoLdAnswersInEnglish.
#include "markdownld/streamparser.h"
#include "requiredtool.h"
#include "stego/kyozocontainer.h"
#include "testpaths.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

using namespace Kyozo;

namespace {

// The directories lupdate reads: the same as qt_add_translations' SOURCES in app/CMakeLists.txt.
const char *const kCovered[] = { "app", "core" };

class ErrorCollector : public MarkdownLD::StreamListener
{
public:
    QStringList messages;
    void itemFound(const MarkdownLD::SemanticItem &item) override
    {
        for (const MarkdownLD::ItemError &e : item.errors)
            messages.append(e.message);
    }
};

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT
private slots:
    void germanIsComplete();
    void compiledIntoTheApp();
    void coreSpeaksGermanAtRunTime();
    void qtsOwnStringsAreGerman();
    void kyozoLdAnswersInEnglish();
};

void TestTranslations::germanIsComplete()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ts = dir.filePath(QStringLiteral("kyozo_de.ts"));
    QVERIFY(QFile::copy(QStringLiteral(KYOZO_SOURCE_DIR "/translations/kyozo_de.ts"), ts));
    QFile::setPermissions(ts, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QStringList arguments{ QStringLiteral("-recursive"), QStringLiteral("-locations"), QStringLiteral("none") };
    for (const char *covered : kCovered)
        arguments.append(QStringLiteral(KYOZO_SOURCE_DIR "/") + QLatin1String(covered));
    arguments << QStringLiteral("-ts") << ts;
    QProcess lupdate;
    lupdate.setProcessChannelMode(QProcess::MergedChannels);
    lupdate.start(QStringLiteral(KYOZO_LUPDATE), arguments);
    QVERIFY(lupdate.waitForFinished(60000));
    QCOMPARE(lupdate.exitCode(), 0);

    // "file:line: …" is lupdate's warning. The one that matters most: a tr() it cannot place
    // ("Class 'Kyozo::Stego::Container' lacks Q_OBJECT macro") is filed under a context the
    // code does not use at run time, so its translation would never be found.
    QStringList warnings;
    static const QRegularExpression warning(QStringLiteral("^\\S+:\\d+: .*$"), QRegularExpression::MultilineOption);
    const QString log = QString::fromLocal8Bit(lupdate.readAll());
    for (auto it = warning.globalMatch(log); it.hasNext();)
        warnings.append(it.next().captured(0));
    QVERIFY2(warnings.isEmpty(), qPrintable(QStringLiteral("lupdate: ") + warnings.join(QLatin1String(" | "))));

    QFile file(ts);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString xml = QString::fromUtf8(file.readAll());
    QStringList unfinished;
    static const QRegularExpression message(QStringLiteral("<source>([^<]*)</source>\\s*<translation type=\"unfinished\""),
                                            QRegularExpression::DotMatchesEverythingOption);
    for (auto it = message.globalMatch(xml); it.hasNext();)
        unfinished.append(it.next().captured(1));
    QVERIFY2(unfinished.isEmpty(), qPrintable(QStringLiteral("not translated: ") + unfinished.join(QLatin1String(" | "))));
    // An empty translation not marked unfinished: lrelease drops it and the user reads English.
    static const QRegularExpression empty(QStringLiteral("<source>([^<]*)</source>\\s*<translation>(\\s*<numerusform>\\s*</numerusform>)*\\s*</translation>"));
    const QRegularExpressionMatch blank = empty.match(xml);
    QVERIFY2(!blank.hasMatch(), qPrintable(QStringLiteral("empty translation: ") + blank.captured(1)));
    static const QRegularExpression emptyForm(QStringLiteral("<numerusform>\\s*</numerusform>"));
    QVERIFY2(!emptyForm.match(xml).hasMatch(), "an empty plural form");

    // The sources of every covered library were really read: one context of each.
    QVERIFY(xml.count(QLatin1String("<message")) > 100);
    QVERIFY(xml.contains(QLatin1String("<name>Kyozo::App::MainWindow</name>")));
    QVERIFY(xml.contains(QLatin1String("<name>StreamParser</name>")));
}

void TestTranslations::compiledIntoTheApp()
{
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/kyozo_de.qm")));
    QCOMPARE(translator.translate("Kyozo::App::MainWindow", "Semantics"), QStringLiteral("Semantik"));
    QCOMPARE(translator.translate("Kyozo::App::SoloSession", "Connected to the local server"),
             QStringLiteral("Mit dem lokalen Server verbunden"));
    // core/stego/kyozocontainer.cpp, shown under "Cannot open hidden data".
    QCOMPARE(translator.translate("KyozoContainer", "wrong password, or the payload is damaged (authentication failed)"),
             QStringLiteral("falsche Passphrase oder beschädigte Daten (Authentifizierung fehlgeschlagen)"));
    // core/markdownld/frontmatterextractor.cpp, in the Semantics panel.
    QCOMPARE(translator.translate("FrontMatter", "invalid YAML front matter: %1"),
             QStringLiteral("ungültiges Front Matter (YAML): %1"));
}

// The core asks for its strings under the contexts the .ts files them in: through the core's own
// code, with the app's translator installed, its errors come out German.
void TestTranslations::coreSpeaksGermanAtRunTime()
{
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/kyozo_de.qm")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    const auto uninstall = qScopeGuard([&] { QCoreApplication::removeTranslator(&translator); });

    QString error;
    QVERIFY(!Stego::Container::open("not a container", {}, &error));
    QCOMPARE(error, QStringLiteral("keine Kyozo-Daten oder beschädigte Daten (ungültiger Header)"));

    MarkdownLD::StreamParser::Options options;
    options.maxBlockBytes = 16;
    MarkdownLD::StreamParser parser(options);
    ErrorCollector errors;
    parser.addListener(&errors);
    parser.feed("```json-ld\n{\"@type\": \"Thing\", \"name\": \"longer than sixteen bytes\"}\n```\n");
    parser.finish();
    QCOMPARE(errors.messages,
             QStringList{ QStringLiteral("JSON-LD-Block ist größer als maxBlockBytes (16 Bytes); seine Daten wurden übersprungen") });
}

// app/main.cpp also installs Qt's own German for the desktop's language: the standard buttons
// of "Unsaved changes" and the file dialogs. Debian ships it in qt6-translations-l10n, which
// kyozo-dev installs; without it those buttons stay English in a German window.
void TestTranslations::qtsOwnStringsAreGerman()
{
    QTranslator qt;
    QVERIFY2(qt.load(QLocale(QLocale::German, QLocale::Germany), QStringLiteral("qtbase"), QStringLiteral("_"),
                     QLibraryInfo::path(QLibraryInfo::TranslationsPath)),
             "no qtbase_de.qm: the Debian package qt6-translations-l10n is missing");
    QCOMPARE(qt.translate("QPlatformTheme", "Cancel"), QStringLiteral("Abbrechen"));
    QCOMPARE(qt.translate("QPlatformTheme", "Discard"), QStringLiteral("Verwerfen"));
}

// kyozo-ld's one-line errors stay one language on a German desktop: the C library's part
// (strerror) is English like the rest, not "Datei oder Verzeichnis nicht gefunden".
void TestTranslations::kyozoLdAnswersInEnglish()
{
    // glibc's German messages (Debian: libc-l10n), without which the C library is English
    // anyway and this test would prove nothing.
    KYOZO_REQUIRE(QFile::exists(QStringLiteral("/usr/share/locale/de/LC_MESSAGES/libc.mo")),
                  QStringLiteral("glibc's German messages (libc-l10n)"));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("missing.md"));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("LC_ALL"));
    environment.remove(QStringLiteral("LC_MESSAGES"));
    // A German desktop as this machine can have one without a de_DE locale: LANGUAGE picks
    // the messages' language whenever the locale is not plain "C".
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    environment.insert(QStringLiteral("LANGUAGE"), QStringLiteral("de"));
    QProcess ld;
    ld.setProcessEnvironment(environment);
    ld.start(KyozoTest::binaryPath(QStringLiteral("kyozo-ld")), { QStringLiteral("extract"), missing });
    QVERIFY(ld.waitForFinished(30000));
    QCOMPARE(ld.exitCode(), 1); // SPEC §11: a file that cannot be read
    QCOMPARE(QString::fromUtf8(ld.readAllStandardError()),
             QStringLiteral("kyozo-ld: cannot read %1: No such file or directory\n").arg(missing));
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
