#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Kyozo::Server {

// UTF-8 bytes that arrive in pieces (a pipe read, a chunk of cell output) to UTF-16 text,
// never split inside a sequence: a sequence cut by the end of a piece is held (at most 3
// bytes) until the next piece completes it. Ill-formed bytes become U+FFFD, one per maximal
// subpart, as the Unicode Standard recommends (§3.9, "U+FFFD Substitution of Maximal
// Subparts", Table 3-8), and are counted. Linear in the input.
class Utf8StreamDecoder
{
public:
    QString decode(QByteArrayView bytes);
    // The end of the stream: a sequence still held is incomplete for good, so it becomes one
    // U+FFFD (empty when nothing is held).
    QString finish();
    // Bytes replaced by U+FFFD so far.
    qint64 invalidBytes() const { return m_invalidBytes; }
    // Bytes of an incomplete sequence waiting for the next piece (0..3).
    qsizetype heldBytes() const { return m_held.size(); }

private:
    QByteArray m_held;
    qint64 m_invalidBytes = 0;
};

} // namespace Kyozo::Server
