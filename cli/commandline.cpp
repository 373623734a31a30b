#include "commandline.h"

#include "clioutput.h"
#include "inputsource.h"
#include "markdownld/documentstats.h"
#include "markdownld/streamparser.h"

#include <QCoreApplication>

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, const QString &command)
{
    if (!parser.parse(arguments)) {
        printError(parser.errorText());
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        writeOut(parser.helpText().toUtf8());
        return ExitOk;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(QCoreApplication::translate("kyozo-ld", "%1 takes one FILE (or - for standard input)").arg(command));
        return ExitUsage;
    }
    return std::nullopt;
}

int feedInput(InputSource &input, Kyozo::MarkdownLD::StreamParser &parser, Kyozo::MarkdownLD::DocumentStats &stats)
{
    QString error;
    for (;;) {
        const QByteArray chunk = input.read(&error);
        if (!error.isEmpty()) {
            flushOut(); // what was printed stays printed
            printError(error);
            return ExitInputError;
        }
        if (chunk.isEmpty())
            break;
        parser.feed(chunk);
        stats.addBytes(chunk);
        flushOut();
    }
    parser.finish();
    return ExitOk;
}
