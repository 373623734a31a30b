#include "clioutput.h"
#include "extractcommand.h"
#include "injectcommand.h"
#include "statscommand.h"
#include "stegocommand.h"

#include <QCoreApplication>

#include <clocale>

// kyozo-ld: the Markdown-LD parser on files and pipes (SPEC §2.7, §11).
int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // kyozo-ld answers in English and installs no translator: its output is read by scripts
    // (tests/app/tst_translations.cpp says why). QCoreApplication has just taken the desktop's
    // locale, and with it strerror() would answer in the desktop's language: "cannot read x:
    // Datei oder Verzeichnis nicht gefunden". Only the messages category goes back to "C".
    std::setlocale(LC_MESSAGES, "C");
    QCoreApplication::setApplicationName(QStringLiteral("kyozo-ld"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KYOZO_VERSION));

    QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    if (command == QLatin1String("extract") || command == QLatin1String("stats")) {
        args.removeAt(1); // the sub-command's parser sees "kyozo-ld FILE…"
        return command == QLatin1String("extract") ? runExtract(args) : runStats(args);
    }
    if (command == QLatin1String("stego")) {
        args.removeAt(1);
        return runStego(args); // args[1] is now the verb
    }
    if (command == QLatin1String("inject")) {
        args.removeAt(1);
        return runInject(args);
    }
    printError(QCoreApplication::translate(
        "kyozo-ld",
        "usage: kyozo-ld extract|stats|inject|stego [options] FILE|-   (kyozo-ld COMMAND --help)"));
    return ExitUsage;
}
