#pragma once

#include <QByteArray>
#include <QString>

// One line on stderr prefixed with the program's name, as SPEC §11 asks of every failure.
void printError(const QString &message);
void writeOut(const QByteArray &bytes);
void flushOut();

enum ExitCode { ExitOk = 0, ExitInputError = 1, ExitUsage = 2, ExitStrict = 3 };
