#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

class QTextBlock;
class QTextDocument;

namespace Kyozo::App {

// The bytes of a notebook file and the QTextDocument that edits them (SPEC §9: open/save
// plain .md, never rewrite bytes the user didn't touch). One block per line; each block
// remembers the line ending it was read with (CRLF, LF, CR, U+2029…) and a BOM is kept
// aside, so saving an unedited document gives back the same bytes and an edit changes only
// the lines it touched. Lines the user creates get the file's most common ending.
class NotebookText
{
public:
    // Files above this size are refused: the editor re-analyses the document on every
    // keystroke, and kyozo-ld handles large files as a stream.
    static constexpr qint64 kMaxBytes = 16 * 1024 * 1024;

    // False with a one-line reason when a file of this size is refused.
    static bool checkSize(qint64 bytes, QString *error);
    // Replaces the document's text. Input that is not UTF-8 or is too large leaves the
    // document untouched and returns false with a one-line reason.
    bool load(const QByteArray &bytes, QTextDocument *document, QString *error);
    QByteArray save(const QTextDocument *document) const;
    // The notebook text: what save() writes, as UTF-16, the BOM (U+FEFF) included. This is
    // the text co-editing operations count in (SPEC §5: UTF-16 code units, line endings as
    // they are, "\r\n" being two).
    QString text(const QTextDocument *document) const;

    bool hasBom() const { return m_bom; }
    // Set when an edit from elsewhere added or removed the leading U+FEFF.
    void setBom(bool bom) { m_bom = bom; }
    QString defaultEnding() const { return m_defaultEnding; }
    // The ending save() writes after `block` (nothing after the last one).
    QString endingOf(const QTextBlock &block) const;
    // Remembers the ending a block has in the notebook text (empty: none, the last line).
    static void setEnding(QTextBlock &block, const QString &ending);

    // A line of a notebook text: [start, start + length) is its text, `ending` code units of
    // line ending follow it (0 for the last line).
    struct Line
    {
        qsizetype start = 0;
        qsizetype length = 0;
        qsizetype ending = 0;
        qsizetype end() const { return start + length + ending; }
    };
    // How many code units of line ending start at text[i]: what QTextCursor::insertText turns
    // into a block boundary (qtextcursor.cpp), "\r\n" as one; 0 inside a line.
    static qsizetype endingLength(const QString &text, qsizetype i);
    // The line that starts at `from` (a line start) and its ending.
    static Line lineAt(const QString &text, qsizetype from);

private:
    bool m_bom = false;
    QString m_defaultEnding = QStringLiteral("\n");
};

} // namespace Kyozo::App
