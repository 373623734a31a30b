#include "extractcommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "inputsource.h"
#include "markdownld/aiview.h"
#include "markdownld/documentstats.h"
#include "markdownld/jsonwriter.h"
#include "markdownld/pipeline.h"
#include "markdownld/streamparser.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>

using namespace Kyozo::MarkdownLD;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kyozo-ld", text);
}

constexpr int kMaxContextLines = 1000;
constexpr int kMaxDepth = 64;

// Items as JSON text, written as they are found (jsonl) or gathered into the `json` object.
// Through JsonWriter rather than QJsonObject/QJsonDocument: the same bytes, a fraction of the
// time (bench/README.md, issue 16).
class ItemPrinter : public StreamListener
{
public:
    explicit ItemPrinter(bool jsonl)
        : m_jsonl(jsonl)
    {
    }
    void itemFound(const SemanticItem &item) override
    {
        if (item.kind == ItemKind::Error)
            ++errorItems;
        if (m_jsonl) {
            m_line.clear();
            item.appendJson(m_line);
            m_line.append('\n');
            writeOut(m_line);
        } else {
            if (itemCount++)
                items.append(',');
            item.appendJson(items);
        }
    }
    QByteArray items; // the `json` format's items, comma-separated
    qsizetype itemCount = 0;
    int errorItems = 0;

private:
    bool m_jsonl;
    QByteArray m_line;
};

} // namespace

int runExtract(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Print the linked data found in a Markdown-LD document."));
    parser.addHelpOption();
    const QCommandLineOption formatOption(QStringLiteral("format"),
                                          tr("Output format: jsonl (default), json or ai."),
                                          QStringLiteral("format"), QStringLiteral("jsonl"));
    const QCommandLineOption implicitOption(QStringLiteral("implicit"),
                                            tr("Also infer implicit semantics."));
    const QCommandLineOption contextOption(QStringLiteral("context"),
                                           tr("Lines of context kept with each item."),
                                           QStringLiteral("N"));
    const QCommandLineOption depthOption(
        QStringLiteral("depth"),
        tr("Depth to which nested JSON-LD, microdata and RDFa nodes become items (default 1)."),
        QStringLiteral("N"));
    const QCommandLineOption budgetOption(
        QStringLiteral("budget"), tr("Token budget of the AI view."), QStringLiteral("TOKENS"));
    const QCommandLineOption strictOption(
        QStringLiteral("strict"), tr("Exit with status 3 when the document has error items."));
    const QCommandLineOption pluginOption(
        QStringLiteral("plugin"),
        tr("Load a plugin library too (besides those in KYOZO_PLUGIN_PATH and the install "
           "prefix); may be repeated."),
        QStringLiteral("PATH"));
    parser.addOptions({ formatOption, implicitOption, contextOption, depthOption, budgetOption,
                        strictOption, pluginOption });
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 tr("A Markdown file, or - for standard input."));
    if (const auto exit = parseCommandLine(parser, arguments, QStringLiteral("extract")))
        return *exit;
    const QString format = parser.value(formatOption);
    if (format != QLatin1String("jsonl") && format != QLatin1String("json")
        && format != QLatin1String("ai")) {
        printError(tr("unknown format %1 (use jsonl, json or ai)").arg(format));
        return ExitUsage;
    }
    const bool ai = format == QLatin1String("ai");
    qint64 budget = 0;
    if (parser.isSet(budgetOption)) {
        bool ok = false;
        budget = parser.value(budgetOption).toLongLong(&ok);
        if (!ai || !ok || budget <= 0) {
            printError(ai ? tr("--budget takes a positive number of tokens")
                          : tr("--budget needs --format ai"));
            return ExitUsage;
        }
    }
    // SPEC §2.2.7 contextWindow and semanticDepth. Bounded, so that what one item carries
    // (its context is cut to 2 KB anyway) and how far nodes are expanded stay small.
    StreamParser::Options options;
    auto count = [&](const QCommandLineOption &option, int min, int max, int *out) {
        if (!parser.isSet(option))
            return true;
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < min || value > max) {
            printError(tr("--%1 takes a whole number from %2 to %3")
                           .arg(option.names().first())
                           .arg(min)
                           .arg(max));
            return false;
        }
        *out = value;
        return true;
    };
    if (!count(contextOption, 0, kMaxContextLines, &options.contextLines)
        || !count(depthOption, 1, kMaxDepth, &options.semanticDepth))
        return ExitUsage;
    // SPEC §2.4: the plugins of the search path, then --plugin's, after the built-ins.
    Pipeline pipeline;
    for (const QString &failure : pipeline.addSearchPath())
        printError(tr("warning: %1").arg(failure));
    QString error;
    for (const QString &path : parser.values(pluginOption)) {
        if (!pipeline.addLibrary(path, &error)) {
            printError(error);
            return ExitUsage;
        }
    }
    pipeline.configure(options);
    InputSource input;
    if (!input.open(parser.positionalArguments().first(), &error)) {
        printError(error);
        return ExitInputError;
    }
    const bool jsonl = format == QLatin1String("jsonl");
    options.includeImplicit = parser.isSet(implicitOption);
    StreamParser streamParser(options);
    ItemPrinter printer(jsonl);
    DocumentStats stats;
    AiView aiView;
    if (ai) {
        streamParser.addListener(&aiView);
    } else {
        streamParser.addListener(&printer);
        if (!jsonl)
            streamParser.addListener(&stats);
    }
    if (const int exit = feedInput(input, streamParser, stats); exit != ExitOk)
        return exit;
    if (ai) {
        // SPEC §2.3: the whole view once the input has ended; its size under the token rule
        // stays within --budget, or nothing is printed and the run fails as bad usage.
        QString renderError;
        const std::optional<QByteArray> view = aiView.render(budget, &renderError);
        if (!view) {
            printError(renderError);
            return ExitUsage;
        }
        writeOut(*view);
        flushOut();
        const qint64 errors = aiView.stats()
                                  .toJson()
                                  .value(QLatin1String("items"))
                                  .toObject()
                                  .value(QLatin1String("error"))
                                  .toInteger();
        return parser.isSet(strictOption) && errors > 0 ? ExitStrict : ExitOk;
    }
    if (!jsonl) {
        // {"items":[…],"stats":{…}}: the keys in QJsonObject's order, as before.
        writeOut("{\"items\":[");
        writeOut(printer.items);
        QByteArray tail = "],\"stats\":";
        JsonWriter::appendObject(tail, stats.toJson());
        tail.append("}\n");
        writeOut(tail);
    }
    flushOut();
    return parser.isSet(strictOption) && printer.errorItems > 0 ? ExitStrict : ExitOk;
}
