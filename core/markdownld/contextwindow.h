#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace Kyozo::MarkdownLD {

// SPEC §2.2.7 contextWindow (issue 16 item 5, `--context N`): the document's recent lines,
// kept so that an item can carry the lines around it. Each line is kept to its first
// kMaxContextBytes (no context is longer); the caller says from which line on lines are still
// needed, and at most `capBytes` are held (the oldest go first), so memory stays bounded
// whatever the document (SPEC §2.1).
class ContextWindow
{
public:
    explicit ContextWindow(qsizetype capBytes)
        : m_capBytes(capBytes)
    {
    }

    void addLine(qint64 lineNumber, QByteArrayView text);
    void releaseBefore(qint64 lineNumber);
    // Lines first..last that are held, joined by '\n', cut to kMaxContextBytes at a UTF-8
    // character boundary.
    QString text(qint64 first, qint64 last) const;
    qsizetype heldBytes() const { return m_bytes.size() - m_dropped; }

    static constexpr qsizetype kMaxContextBytes = 2048;

private:
    void compact();

    qsizetype m_capBytes;
    QByteArray m_bytes; // the held lines, back to back
    QList<qsizetype> m_starts; // where each held line starts in m_bytes
    qint64 m_firstLine = 1; // line number of m_starts[m_firstIndex]
    qsizetype m_firstIndex = 0; // lines before it were released
    qsizetype m_dropped = 0; // bytes of m_bytes before m_starts[m_firstIndex]
};

} // namespace Kyozo::MarkdownLD
