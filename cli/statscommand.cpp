#include "statscommand.h"

#include "clioutput.h"
#include "markdownld/documentstats.h"
#include "inputsource.h"
#include "markdownld/streamparser.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

using namespace Kyozo::MarkdownLD;

int runStats(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
            QCoreApplication::translate("kyozo-ld", "Print counts of a Markdown-LD document as JSON."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QCoreApplication::translate("kyozo-ld", "A Markdown file, or - for standard input."));
    if (!parser.parse(arguments)) {
        printError(parser.errorText());
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        writeOut(parser.helpText().toUtf8());
        return ExitOk;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(QCoreApplication::translate("kyozo-ld", "stats takes one FILE (or - for standard input)"));
        return ExitUsage;
    }
    InputSource input;
    QString error;
    if (!input.open(parser.positionalArguments().first(), &error)) {
        printError(error);
        return ExitInputError;
    }
    StreamParser streamParser;
    DocumentStats stats;
    streamParser.addListener(&stats);
    for (;;) {
        const QByteArray chunk = input.read(&error);
        if (!error.isEmpty()) {
            printError(error);
            return ExitInputError;
        }
        if (chunk.isEmpty())
            break;
        streamParser.feed(chunk);
        stats.addBytes(chunk);
    }
    streamParser.finish();
    writeOut(QJsonDocument(stats.toJson()).toJson(QJsonDocument::Compact));
    writeOut("\n");
    flushOut();
    return ExitOk;
}
