#pragma once

#include "notebooktext.h"

#include <QObject>
#include <QString>

class QTextBlock;
class QTextDocument;

namespace Kyozo::App {

// One change of a notebook text: `removed` UTF-16 code units at `offset` replaced by
// `inserted`. What a co-editing operation (SPEC §5) is made of.
struct TextEdit
{
    qsizetype offset = 0;
    qsizetype removed = 0;
    QString inserted;
    friend bool operator==(const TextEdit &, const TextEdit &) = default;
};

// The notebook text (its own line endings, "\r\n" two code units, a BOM, U+2028 inside a
// line) kept in step with the QTextDocument that edits it, which has one separator per line
// (issue 15 item 3). Every change of the document becomes at once a TextEdit of the notebook
// text (localEdit); an edit of the notebook text from elsewhere is applied to the document
// as the smallest change of its characters, so QTextCursors outside it — the user's own, the
// remote ones — stay on their characters and the view does not move.
//
// Both directions work a few whole lines at a time: the lines a change touches, widened
// where a "\r" meets a "\n" or a line loses its ending, so the split into lines is exactly
// NotebookText::load's after every edit (text() == NotebookText::text() is the invariant).
class NotebookMirror : public QObject
{
    Q_OBJECT
public:
    NotebookMirror(QTextDocument *document, NotebookText *file, QObject *parent = nullptr);

    // Takes the document as it is now (after a load), without emitting localEdit.
    void reset();
    QString text() const { return m_text; }

    // Applies an edit of the notebook text to the document; localEdit is not emitted for it.
    // False (and nothing changed) when the edit does not fit the text or would split a
    // surrogate pair.
    bool apply(const TextEdit &edit, QString *error = nullptr);

    // Where a document position is in the notebook text, and back. An offset inside a line
    // ending ("\r|\n") maps to the end of its line.
    qsizetype notebookOffset(int documentPosition) const;
    int documentPosition(qsizetype notebookOffset) const;

signals:
    // The user (or anything but apply()) changed the document; `removedText` is what the
    // edit removed from the notebook text.
    void localEdit(const Kyozo::App::TextEdit &edit, const QString &removedText);

private:
    void onContentsChange(int position, int removed, int added);
    // The notebook offset where `block` starts (its BOM included for the first one).
    qsizetype lineStart(const QTextBlock &block) const;
    // The block whose line (ending included) holds `offset`, and where that line starts.
    QTextBlock lineOf(qsizetype offset, qsizetype *start) const;
    void recount();

    QTextDocument *m_document;
    NotebookText *m_file;
    QString m_text;
    int m_blockCount = 1;
    // Lines ending in "\r\n": while there are none, positions map by adding the BOM.
    qsizetype m_twoUnitEndings = 0;
    bool m_applying = false;
};

// The smallest replacement turning `before` into `after` that does not cut a surrogate pair:
// their common beginning (at most `maxPrefix` code units, when not negative) and end (at most
// `maxSuffix`) are kept. The caps place an edit where it was made when a run of equal
// characters leaves the choice open ("thre|e" + "e"). `offset` is added to the edit's.
TextEdit minimalEdit(const QString &before, const QString &after, qsizetype offset = 0,
                     qsizetype maxPrefix = -1, qsizetype maxSuffix = -1);

} // namespace Kyozo::App
