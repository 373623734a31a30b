#pragma once

#include "channelconnection.h"
#include "editor/notebookmirror.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

namespace Kyozo::Collab {
class TextOperation;
struct OtEffects;
} // namespace Kyozo::Collab

namespace Kyozo::App {

class NotebookEditor;
class SharedNotebookState;

// A notebook of a kyozo-server edited together (SPEC §5, issue 15 item 3): its topic
// `execution:notebook:{id}` joined, its text in the editor, the user's edits sent as
// operations through core/collab's client (they never wait on the network), the others'
// applied without moving the user's cursor or view, their cursors shown where they are.
// Undo and redo undo only the user's own edits. While the connection is down edits stay in
// the editor, counted as not sent yet, and go out once when it is back.
class SharedNotebook : public QObject
{
    Q_OBJECT
public:
    SharedNotebook(NotebookEditor *editor, QObject *parent = nullptr);
    ~SharedNotebook() override;

    void open(const QUrl &server, const QString &token, const QString &notebookId);
    // Opens notebook `id` as a mirror of the text the editor holds (a solo writer's local
    // file, issue 15 item 3): the editor is neither reloaded nor made read-only; when the
    // server's text at the join differs, the editor's wins and the difference goes out as one
    // operation (TextOperation::diff), not an undo step of the user's.
    void openMirror(const QUrl &server, const QString &token, const QString &notebookId);
    // The server moved (the bundled server restarted on another port): the connection goes
    // there; what is not acknowledged is sent again once, as after any reconnect.
    void reconnectTo(const QUrl &server, const QString &token);
    QUrl server() const { return m_server; }
    QString notebookId() const { return m_id; }
    ChannelConnection *connection() { return &m_connection; }
    bool isLoaded() const { return m_loaded; }
    // The server's revision the editor's text is based on.
    qint64 revision() const;
    // The user's edits not acknowledged by the server yet.
    int pendingCount() const;

    void undo();
    void redo();
    // Makes the text `text` by one edit of the user's (restoring an older version).
    void replaceText(const QString &text);

    // Own characters typed within this of each other are one undo step.
    static constexpr int kTypingStepMs = 1000;
    // Cursor moves are sent at most this often.
    static constexpr int kCursorDelayMs = 50;
    // Recent operations kept to bring a remote cursor from its revision to the editor's.
    static constexpr int kKeptOperations = 512;

signals:
    // The notebook's text arrived and is in the editor.
    void loaded();
    void statusChanged(const QString &text);
    void pendingChanged(int count);
    void failed(const QString &text);

private:
    void onJoined(const QJsonObject &response);
    void onLocalEdit(const TextEdit &edit, const QString &removedText);
    void onReceived(const QString &event, const QJsonObject &payload);
    void onReplied(const QString &ref, bool ok, const QJsonObject &response);
    void handle(const Collab::OtEffects &effects);
    void remember(qint64 revision, const Collab::TextOperation &operation);
    void applyServerOperation(qint64 revision, const Collab::TextOperation &operation,
                              const QString &userId);
    bool applyToEditor(const Collab::TextOperation &operation);
    void applyOwn(const Collab::TextOperation &operation);
    void placeCursor(const QJsonObject &payload, bool selection);
    void sendCursor();
    void reportPending();
    void reportStatus();

    NotebookEditor *m_editor;
    ChannelConnection m_connection;
    std::unique_ptr<SharedNotebookState> m_state;
    QString m_id;
    QUrl m_server;
    QString m_token;
    QString m_sentRef; // the ref of the op push awaiting its reply
    bool m_loaded = false;
    bool m_mirror = false;
    QTimer m_cursorTimer;
    qsizetype m_cursorAnchor = 0;
    qsizetype m_cursorHead = 0;
    bool m_cursorDirty = false;
    int m_lastPending = -1;
};

} // namespace Kyozo::App
