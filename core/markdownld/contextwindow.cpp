#include "contextwindow.h"

namespace Kyozo::MarkdownLD {

namespace {
    // The longest prefix of `bytes` of at most `limit` bytes that does not cut a UTF-8 sequence.
    qsizetype utf8Prefix(QByteArrayView bytes, qsizetype limit)
    {
        if (bytes.size() <= limit)
            return bytes.size();
        qsizetype end = limit;
        while (end > 0 && (quint8(bytes[end]) & 0xC0) == 0x80)
            --end;
        return end;
    }
} // namespace

void ContextWindow::addLine(qint64 lineNumber, QByteArrayView text)
{
    if (m_firstIndex == m_starts.size())
        m_firstLine = lineNumber; // nothing held: start afresh at this line
    m_starts.append(m_bytes.size());
    m_bytes.append(text.first(utf8Prefix(text, kMaxContextBytes)));
    while (heldBytes() > m_capBytes && m_firstIndex + 1 < m_starts.size()) {
        ++m_firstIndex;
        ++m_firstLine;
        m_dropped = m_starts[m_firstIndex];
    }
    compact();
}

void ContextWindow::releaseBefore(qint64 lineNumber)
{
    while (m_firstIndex < m_starts.size() && m_firstLine < lineNumber) {
        ++m_firstIndex;
        ++m_firstLine;
        m_dropped = m_firstIndex < m_starts.size() ? m_starts[m_firstIndex] : m_bytes.size();
    }
    compact();
}

void ContextWindow::compact()
{
    // Move the held lines to the front once the released ones are at least half the buffer:
    // each byte moves O(1) times on average.
    if (m_firstIndex == 0 || m_dropped * 2 < m_bytes.size())
        return;
    m_bytes.remove(0, m_dropped);
    m_starts.remove(0, m_firstIndex);
    for (qsizetype &s : m_starts)
        s -= m_dropped;
    m_firstIndex = 0;
    m_dropped = 0;
}

QString ContextWindow::text(qint64 first, qint64 last) const
{
    first = qMax(first, m_firstLine);
    const qint64 held = m_starts.size() - m_firstIndex;
    last = qMin(last, m_firstLine + held - 1);
    QByteArray out;
    for (qint64 line = first; line <= last && out.size() < kMaxContextBytes; ++line) {
        const qsizetype i = m_firstIndex + (line - m_firstLine);
        const qsizetype begin = m_starts[i];
        const qsizetype end = i + 1 < m_starts.size() ? m_starts[i + 1] : m_bytes.size();
        if (line > first)
            out.append('\n');
        out.append(QByteArrayView(m_bytes).sliced(begin, end - begin));
    }
    return QString::fromUtf8(out.first(utf8Prefix(out, kMaxContextBytes)));
}

} // namespace Kyozo::MarkdownLD
