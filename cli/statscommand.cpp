#include "statscommand.h"

#include "clioutput.h"
#include "commandline.h"
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
    const QCommandLineOption implicitOption(QStringLiteral("implicit"),
                                            QCoreApplication::translate("kyozo-ld", "Count implicit items too."));
    parser.addOption(implicitOption);
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QCoreApplication::translate("kyozo-ld", "A Markdown file, or - for standard input."));
    if (const auto exit = parseCommandLine(parser, arguments, QStringLiteral("stats")))
        return *exit;
    InputSource input;
    QString error;
    if (!input.open(parser.positionalArguments().first(), &error)) {
        printError(error);
        return ExitInputError;
    }
    StreamParser::Options options;
    options.includeImplicit = parser.isSet(implicitOption);
    StreamParser streamParser(options);
    DocumentStats stats;
    streamParser.addListener(&stats);
    if (const int exit = feedInput(input, streamParser, stats); exit != ExitOk)
        return exit;
    writeOut(QJsonDocument(stats.toJson()).toJson(QJsonDocument::Compact));
    writeOut("\n");
    flushOut();
    return ExitOk;
}
