#pragma once

#include <QColor>
#include <QObject>
#include <QTextCursor>
#include <QTimer>

#include <functional>
#include <map>

class QTextDocument;

namespace Kyozo::App {

// The other writers' cursors and selections in a document (SPEC §9, issue 15 item 3). Each
// is a QTextCursor of the document, so it moves with every edit, local or remote, and stays
// on its characters, as KTextEditor's MovingCursor does; nothing is recomputed by hand.
// A name label shows while its writer types or moves and fades after kLabelIdleMs.
class RemoteCursors : public QObject
{
    Q_OBJECT
public:
    struct Cursor
    {
        QString name;
        QColor color;
        QTextCursor cursor; // anchor() and position(): a selection when they differ
        qint64 activeAt = 0; // clock() of the last move or edit
    };

    explicit RemoteCursors(QTextDocument *document, QObject *parent = nullptr);

    // Milliseconds from any fixed start; tests set their own.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

    // Places a writer's cursor (anchor == position) or selection, in document positions.
    void place(const QString &userId, const QString &name, const QColor &color, int anchor,
               int position);
    // The writer did something (an edit of theirs arrived): their label shows again.
    void touch(const QString &userId);
    void remove(const QString &userId);
    void clear();

    const std::map<QString, Cursor> &cursors() const { return m_cursors; }
    const Cursor *find(const QString &userId) const;
    // 1 while the writer is active, then down to 0 over kLabelFadeMs.
    qreal labelOpacity(const QString &userId) const;

    static constexpr int kLabelIdleMs = 3000;
    static constexpr int kLabelFadeMs = 1000;

signals:
    // Something to repaint: a cursor moved, came, went or its label faded a step.
    void changed();

private:
    void scheduleFade();

    QTextDocument *m_document;
    std::map<QString, Cursor> m_cursors;
    std::function<qint64()> m_clock;
    QTimer m_fade;
};

} // namespace Kyozo::App
