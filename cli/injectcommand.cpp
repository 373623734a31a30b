#include "injectcommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "markdownld/injection.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTemporaryFile>

#include <cstdio>

using namespace Kyozo::MarkdownLD;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kyozo-ld", text);
}

// Standard input cannot be read twice: it goes to a temporary file first (O(1) memory).
bool spoolStdin(QTemporaryFile &spool, QString *error)
{
    QFile in;
    if (!spool.open() || !in.open(stdin, QIODevice::ReadOnly, QFileDevice::DontCloseHandle)) {
        *error = tr("cannot spool standard input: %1").arg(spool.errorString());
        return false;
    }
    for (;;) {
        const QByteArray chunk = in.read(256 * 1024);
        if (chunk.isEmpty()) {
            if (in.error() != QFileDevice::NoError) {
                *error = tr("cannot read standard input: %1").arg(in.errorString());
                return false;
            }
            return true;
        }
        if (spool.write(chunk) != chunk.size()) {
            *error = tr("cannot spool standard input: %1").arg(spool.errorString());
            return false;
        }
    }
}

} // namespace

int runInject(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Write a JSON-LD block into a Markdown document: inserted at the position, or in "
           "place of the block with the same @id. Every other byte is left as it was."));
    parser.addHelpOption();
    const QCommandLineOption dataOption(QStringLiteral("data"),
                                        tr("The JSON-LD to write (an object or an array of "
                                           "objects, each with @context)."),
                                        QStringLiteral("X.json"));
    const QCommandLineOption positionOption(
        QStringLiteral("position"),
        tr("Where a new block goes: front-matter (after it; the default), after-title (after "
           "the first level-1 heading) or end."),
        QStringLiteral("front-matter|after-title|end"), QStringLiteral("front-matter"));
    parser.addOption(dataOption);
    parser.addOption(positionOption);
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 tr("A Markdown file, or - for standard input."));
    if (const auto exit = parseCommandLine(parser, arguments, QStringLiteral("inject")))
        return *exit;
    if (!parser.isSet(dataOption)) {
        printError(tr("inject needs --data X.json"));
        return ExitUsage;
    }
    const std::optional<InjectPosition> position
        = injectPositionFromName(parser.value(positionOption).toUtf8());
    if (!position) {
        printError(tr("--position must be front-matter, after-title or end"));
        return ExitUsage;
    }

    QFile dataFile(parser.value(dataOption));
    if (!dataFile.open(QIODevice::ReadOnly)) {
        printError(tr("cannot read %1: %2").arg(dataFile.fileName(), dataFile.errorString()));
        return ExitUsage;
    }
    QString error;
    const QByteArray json = dataFile.read(InjectionData::kMaxBytes + 1);
    const std::optional<InjectionData> data = InjectionData::fromJson(json, &error);
    if (!data) {
        printError(tr("%1: %2").arg(dataFile.fileName(), error));
        return ExitUsage;
    }

    const QString path = parser.positionalArguments().first();
    QTemporaryFile spool;
    QFile file(path);
    QIODevice *input = &file;
    if (path == QLatin1String("-")) {
        if (!spoolStdin(spool, &error)) {
            printError(error);
            return ExitInputError;
        }
        input = &spool;
    } else if (!file.open(QIODevice::ReadOnly)) {
        printError(tr("cannot read %1: %2").arg(path, file.errorString()));
        return ExitInputError;
    }
    QFile out;
    out.open(stdout, QIODevice::WriteOnly, QFileDevice::DontCloseHandle);
    if (!inject(*input, out, *data, *position, &error) || !out.flush()) {
        printError(error.isEmpty() ? tr("cannot write the output: %1").arg(out.errorString())
                                   : error);
        return ExitInputError;
    }
    return ExitOk;
}
