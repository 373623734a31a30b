#pragma once

#include <QByteArray>
#include <QString>

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

    bool hasBom() const { return m_bom; }
    QString defaultEnding() const { return m_defaultEnding; }

private:
    bool m_bom = false;
    QString m_defaultEnding = QStringLiteral("\n");
};

} // namespace Kyozo::App
