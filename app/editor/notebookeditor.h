#pragma once

#include "notebookmirror.h"
#include "notebooktext.h"

#include <QPlainTextEdit>
#include <QTextCursor>
#include <optional>
#include <vector>

namespace Kyozo::App {

class CodeHighlighter;
class RemoteCursors;
class SemanticHighlighter;

// The notebook editor (SPEC §9): plain text with live semantic highlighting; zero-width
// runs, which take no room on screen, are drawn as small markers with their decoded payload
// in a tooltip.
class NotebookEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit NotebookEditor(QWidget *parent = nullptr);
    ~NotebookEditor() override;

    // Replaces the text with a file's bytes; false with a one-line reason leaves it as it was.
    bool loadBytes(const QByteArray &bytes, QString *error);
    QByteArray saveBytes() const;
    // The notebook text (SPEC §5): the file's bytes as UTF-16, line endings and BOM included.
    QString notebookText() const { return m_mirror->text(); }
    // Replaces the text with a notebook's (from the server); false with a reason when it
    // is not text the editor can hold exactly (a lone surrogate).
    bool loadNotebookText(const QString &text, QString *error);

    SemanticHighlighter *highlighter() const { return m_highlighter; }
    CodeHighlighter *codeHighlighter() const { return m_code; }
    // Every change of the document as an edit of the notebook text (localEdit), and edits
    // from elsewhere applied to it.
    NotebookMirror *mirror() const { return m_mirror; }
    RemoteCursors *remoteCursors() const { return m_remote; }

    // An edit of the notebook text from another writer: applied without moving the user's
    // cursor or selection (they stay on their characters) or what the view shows, and
    // outside QTextDocument's undo stack.
    bool applyRemoteEdit(const TextEdit &edit, QString *error = nullptr);

    // Shared notebooks undo only the user's own edits (issue 15 item 3): QTextDocument's own
    // undo, which would also undo the others' edits, is off, and the standard Undo and Redo
    // keys ask for undoRequested/redoRequested instead.
    void setOwnUndo(bool own);
    bool hasOwnUndo() const { return m_ownUndo; }

    // Scrolls so that a writer's cursor is in view; with `follow`, keeps it there until the
    // user types or scrolls.
    void showRemoteCursor(const QString &userId, bool follow = false);
    QString followedUser() const { return m_followed; }
    void stopFollowing();

    // Moves the cursor to a 1-based line and code-point column and shows it.
    void jumpTo(qint64 line, qint64 column);
    // Inserts a JSON-LD block template on its own lines after the cursor's line.
    void insertJsonLdBlock();
    // Replaces the selection with itself carrying `secret` in zero-width characters
    // (core/stego, Kyozo format), encrypted when `passphrase` is not empty.
    bool hideInSelection(const QString &secret, const QString &passphrase, QString *error);

    // The payload of the hidden run at a 1-based line and code-point column, opened with a
    // passphrase, as text; nullopt with a reason when it does not open.
    std::optional<QString> openHiddenData(qint64 line, qint64 column, const QString &passphrase,
                                          QString *error);
    // The tooltip for a point of the viewport: the decoded payload of the hidden run drawn
    // there, or an empty string.
    QString hiddenDataAt(const QPoint &viewportPos);

    // A cell's run status drawn after the text of its opening fence line (issue 17 item 5):
    // a short label in a rounded box of its colour. Kept on a QTextCursor, so it moves with
    // edits until the next setCellBadges().
    struct CellBadge
    {
        qsizetype offset = 0; // a notebook offset on the fence line
        QString text;
        QColor color;
    };
    void setCellBadges(const QList<CellBadge> &badges);
    // The badge text drawn on a block, or empty (for tests).
    QString cellBadgeAt(int blockNumber) const;

signals:
    void undoRequested();
    void redoRequested();
    // The user's cursor or selection moved, in notebook offsets (anchor == head: a cursor).
    void localCursorMoved(qsizetype anchor, qsizetype head);
    void followingChanged(const QString &userId);

protected:
    void paintEvent(QPaintEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void followPalette();
    void paintRemoteCursors(QPainter &painter, const QRect &area);
    void paintCellBadges(QPainter &painter, const QRect &area);
    void keepFollowedInView();

    NotebookText m_file;
    CodeHighlighter *m_code;
    SemanticHighlighter *m_highlighter;
    NotebookMirror *m_mirror;
    RemoteCursors *m_remote;
    struct PlacedBadge
    {
        QTextCursor at;
        QString text;
        QColor color;
    };
    std::vector<PlacedBadge> m_badges;
    QString m_followed;
    bool m_ownUndo = false;
    bool m_scrollingForFollow = false;
};

} // namespace Kyozo::App
