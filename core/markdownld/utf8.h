#pragma once

#include <QByteArrayView>

namespace Kyozo::MarkdownLD::Utf8 {

// Code points in a valid UTF-8 span: every byte that is not a continuation byte.
qint64 codePointCount(QByteArrayView bytes);

// Validates UTF-8 across arbitrary chunk boundaries (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
class StreamValidator
{
public:
    // Returns false at the first invalid byte; invalidOffset() then names it.
    bool feed(QByteArrayView chunk);
    // False when the input ended inside a sequence.
    bool finish();
    qint64 invalidOffset() const { return m_invalidOffset; }
    qint64 bytesSeen() const { return m_offset; }

private:
    qint64 m_offset = 0;
    qint64 m_sequenceStart = 0;
    qint64 m_invalidOffset = -1;
    int m_needed = 0;
    quint8 m_lower = 0x80, m_upper = 0xBF;
};

} // namespace Kyozo::MarkdownLD::Utf8
