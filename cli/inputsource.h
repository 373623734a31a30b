#pragma once

#include "markdownld/utf8.h"

#include <QByteArray>
#include <QString>

// FILE or "-" read in chunks as they arrive (never the whole input at once), checked as
// UTF-8 across chunk boundaries (SPEC §11: non-UTF-8 input stops the run with exit 1).
class InputSource
{
public:
    ~InputSource();
    bool open(const QString &path, QString *error);
    // Next chunk; empty at the end. *error is set (and the chunk empty) on a read error or
    // on invalid UTF-8; the chunk then holds the valid bytes before the bad one.
    QByteArray read(QString *error);
    qint64 bytesRead() const { return m_validator.bytesSeen(); }

private:
    int m_fd = -1;
    bool m_ownsFd = false;
    bool m_done = false;
    Kyozo::MarkdownLD::Utf8::StreamValidator m_validator;
};
