#include "clioutput.h"

#include <cstdio>

void printError(const QString &message)
{
    std::fprintf(stderr, "kyozo-ld: %s\n", message.toLocal8Bit().constData());
}

void writeOut(const QByteArray &bytes) { std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout); }

void flushOut() { std::fflush(stdout); }
