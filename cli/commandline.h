#pragma once

#include <QCommandLineParser>
#include <optional>

class InputSource;
namespace Kyozo::MarkdownLD {
class StreamParser;
class DocumentStats;
}

// What every kyozo-ld command does with its arguments: bad usage is one line and exit 2,
// --help prints and exits 0, and there must be exactly one FILE (or -). Returns the exit
// code to return now, or nullopt to go on.
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                                    const QString &command);

// Streams the input through the parser chunk by chunk, flushing what listeners printed
// after each chunk. Returns the exit code (0, or 1 after a one-line error).
int feedInput(InputSource &input, Kyozo::MarkdownLD::StreamParser &parser,
              Kyozo::MarkdownLD::DocumentStats &stats);
