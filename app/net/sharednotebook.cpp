#include "sharednotebook.h"

#include "collab/otclient.h"
#include "collab/textoperation.h"
#include "collab/undostack.h"
#include "editor/notebookeditor.h"
#include "editor/remotecursors.h"
#include "protocol/cursorpayload.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTextBlock>

// Info: what the notebook does (loaded, refused); debug: the text's hash after every change,
// which the two-editor test compares between processes.
Q_LOGGING_CATEGORY(lcCoediting, "kyozo.coediting", QtInfoMsg)

namespace Kyozo::App {

using Collab::TextOperation;

// What core/collab keeps for one shared notebook: the client state machine, the user's own
// undo, and the operations seen lately in the server's order (for remote cursors).
class SharedNotebookState
{
public:
    SharedNotebookState(qint64 revision, const QString &content)
        : client(revision, content)
    {
    }
    Collab::OtClient client;
    Collab::UndoStack undo;
    // The end of the last own edit and when it was made: typing on from there is one step.
    qsizetype typedUpTo = -1;
    QElapsedTimer typedAt;
    std::deque<std::pair<qint64, TextOperation>> history; // (revision it made, operation)
    QHash<QString, std::pair<QJsonObject, bool>> cursorsAhead; // at a revision not seen yet
};

namespace {

    TextOperation operationOf(const TextEdit &edit, qsizetype baseLength)
    {
        TextOperation op;
        op.retain(edit.offset).remove(edit.removed).insert(edit.inserted);
        op.retain(baseLength - edit.offset - edit.removed);
        return op;
    }

    // The operation as edits applied one after the other (each offset counts in the text the
    // edits before it made).
    QList<TextEdit> editsOf(const TextOperation &op)
    {
        QList<TextEdit> edits;
        qsizetype at = 0;
        for (const TextOperation::Part &part : op.parts()) {
            if (part.isRetain()) {
                at += part.count;
            } else if (part.isInsert()) {
                edits.append({ at, 0, part.text });
                at += part.text.size();
            } else if (!edits.isEmpty() && edits.last().removed == 0
                       && edits.last().offset + edits.last().inserted.size() == at) {
                // An insert then a delete at one place: one replacement.
                edits.last().removed = -part.count;
            } else {
                edits.append({ at, -part.count, {} });
            }
        }
        // A replacement {o, n, s} made of "insert s at o, delete n after it" removes at o + |s|:
        // the same as replacing [o, o + n) by s.
        return edits;
    }

    QString digest(const QString &text)
    {
        return QString::fromLatin1(
            QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
    }

} // namespace

SharedNotebook::SharedNotebook(NotebookEditor *editor, QObject *parent)
    : QObject(parent)
    , m_editor(editor)
{
    // Others' operations in runs (`ops`) gathered over the server's batch_ms, rather than a
    // frame per revision (docs/server.md "Co-editing"): with many writers, far fewer frames.
    m_connection.setJoinPayload(QJsonObject { { QStringLiteral("batch"), true } });
    m_cursorTimer.setSingleShot(true);
    m_cursorTimer.setInterval(kCursorDelayMs);
    connect(&m_cursorTimer, &QTimer::timeout, this, &SharedNotebook::sendCursor);
    connect(&m_connection, &ChannelConnection::joined, this, &SharedNotebook::onJoined);
    connect(&m_connection, &ChannelConnection::received, this, &SharedNotebook::onReceived);
    connect(&m_connection, &ChannelConnection::replied, this, &SharedNotebook::onReplied);
    connect(&m_connection, &ChannelConnection::stateChanged, this,
            [this](ChannelConnection::State state) {
                if (state == ChannelConnection::State::Disconnected && m_state
                    && m_state->client.isOnline()) {
                    m_state->client.disconnected();
                    m_sentRef.clear();
                    m_editor->remoteCursors()->clear();
                }
                reportStatus();
            });
    connect(&m_connection, &ChannelConnection::refused, this, [this](const QString &reason) {
        emit statusChanged(tr("The server refused this notebook: %1").arg(reason));
    });
    connect(&m_connection, &ChannelConnection::presenceChanged, this, [this] {
        // A writer who left takes their cursor along.
        const QJsonObject present = m_connection.presence();
        QStringList gone;
        for (const auto &[id, cursor] : m_editor->remoteCursors()->cursors())
            if (!present.contains(id))
                gone.append(id);
        for (const QString &id : std::as_const(gone))
            m_editor->remoteCursors()->remove(id);
    });
    connect(m_editor->mirror(), &NotebookMirror::localEdit, this, &SharedNotebook::onLocalEdit);
    // The editor's Undo and Redo keys; the Edit menu calls undo() and redo() too.
    connect(m_editor, &NotebookEditor::undoRequested, this, &SharedNotebook::undo);
    connect(m_editor, &NotebookEditor::redoRequested, this, &SharedNotebook::redo);
    connect(m_editor, &NotebookEditor::localCursorMoved, this,
            [this](qsizetype anchor, qsizetype head) {
                m_cursorAnchor = anchor;
                m_cursorHead = head;
                m_cursorDirty = true;
                if (!m_cursorTimer.isActive())
                    m_cursorTimer.start();
            });
}

SharedNotebook::~SharedNotebook()
{
    m_connection.close();
    m_editor->remoteCursors()->clear();
    m_editor->setReadOnly(false);
}

void SharedNotebook::open(const QUrl &server, const QString &token, const QString &notebookId)
{
    m_id = notebookId;
    m_server = server;
    m_token = token;
    // Nothing to type into until the server's text is here (it replaces the editor's).
    m_editor->setReadOnly(true);
    emit statusChanged(tr("Opening the notebook…"));
    m_connection.open(server, token, QStringLiteral("execution:notebook:") + notebookId);
}

void SharedNotebook::openMirror(const QUrl &server, const QString &token, const QString &notebookId)
{
    m_id = notebookId;
    m_server = server;
    m_token = token;
    m_mirror = true;
    emit statusChanged(tr("Opening the notebook…"));
    m_connection.open(server, token, QStringLiteral("execution:notebook:") + notebookId);
}

void SharedNotebook::reconnectTo(const QUrl &server, const QString &token)
{
    if (m_id.isEmpty())
        return;
    m_server = server;
    m_token = token;
    if (m_state && m_state->client.isOnline()) {
        m_state->client.disconnected();
        m_sentRef.clear();
        m_editor->remoteCursors()->clear();
    }
    m_connection.open(server, m_token, QStringLiteral("execution:notebook:") + m_id);
}

qint64 SharedNotebook::revision() const
{
    return m_state ? m_state->client.revision() : -1;
}

int SharedNotebook::pendingCount() const
{
    return m_state ? int(m_state->client.pendingCount()) : 0;
}

void SharedNotebook::onJoined(const QJsonObject &response)
{
    const qint64 revision = response.value(QLatin1String("revision")).toInteger(-1);
    const QString content = response.value(QLatin1String("content")).toString();
    if (revision < 0) {
        emit failed(tr("The server did not send the notebook's text."));
        return;
    }
    if (!m_state && m_mirror) {
        // A mirror: the text in the editor is the writer's file (issue 15 item 3, "a local
        // file stays the writer's"). Where the server's copy differs (the file was changed
        // while the app was closed, or edits of the last session never reached the server),
        // the file wins: the difference is one operation of this user's on the server's text.
        // It is no undo step: undoing it would bring back what the file no longer says.
        m_state = std::make_unique<SharedNotebookState>(revision, content);
        m_editor->setOwnUndo(true);
        m_loaded = true;
        const QString mine = m_editor->notebookText();
        qCInfo(lcCoediting).noquote()
            << "mirroring" << m_id << "revision" << revision << "length" << mine.size()
            << (mine == content ? "same text" : "the file wins");
        if (mine != content)
            handle(m_state->client.applyLocal(TextOperation::diff(content, mine)));
        emit loaded();
    } else if (!m_state) {
        QString error;
        if (!m_editor->loadNotebookText(content, &error)) {
            emit failed(tr("Cannot open the notebook: %1").arg(error));
            return;
        }
        m_state = std::make_unique<SharedNotebookState>(revision, content);
        m_editor->setOwnUndo(true);
        m_editor->setReadOnly(false);
        m_loaded = true;
        qCInfo(lcCoediting).noquote()
            << "loaded" << m_id << "revision" << revision << "length" << content.size();
        emit loaded();
    } else {
        // Back after the connection was down: the client sends what is not acknowledged, once.
        m_sentRef.clear();
        handle(m_state->client.reconnected(revision, content));
        qCInfo(lcCoediting).noquote()
            << "rejoined at revision" << revision << "pending" << pendingCount();
    }
    reportPending();
    reportStatus();
    m_cursorDirty = true;
    m_cursorTimer.start();
}

void SharedNotebook::onLocalEdit(const TextEdit &edit, const QString &removedText)
{
    if (!m_state)
        return;
    const qsizetype baseLength
        = m_editor->notebookText().size() - edit.inserted.size() + edit.removed;
    const TextOperation op = operationOf(edit, baseLength);
    // Undo takes back a run of typing at once, as editors do: characters typed one after
    // the other on one line, with no pause of a second, are one step.
    const bool typing = edit.removed == 0 && edit.inserted.size() <= 2
        && !edit.inserted.contains(u'\n') && !edit.inserted.contains(u'\r');
    const bool merge = typing && edit.offset == m_state->typedUpTo && m_state->typedAt.isValid()
        && m_state->typedAt.elapsed() < kTypingStepMs;
    QString before = m_editor->notebookText();
    before.replace(edit.offset, edit.inserted.size(), removedText);
    m_state->undo.recordLocal(op, before, merge);
    m_state->typedUpTo = typing ? edit.offset + edit.inserted.size() : -1;
    m_state->typedAt.start();
    handle(m_state->client.applyLocal(op));
    reportPending();
    qCDebug(lcCoediting).noquote()
        << "text" << digest(m_editor->notebookText()) << "pending" << pendingCount();
}

void SharedNotebook::handle(const Collab::OtEffects &effects)
{
    if (!effects.error.isEmpty()) {
        // Out of step with the server: rejoin; the join reply ends in reconnected().
        qCWarning(lcCoediting).noquote() << "out of step:" << effects.error << "- rejoining";
        m_state->client.disconnected();
        m_sentRef.clear();
        m_connection.open(m_server, m_token, QStringLiteral("execution:notebook:") + m_id);
        return;
    }
    for (const TextOperation &op : effects.apply) {
        if (!applyToEditor(op))
            return;
        // Someone else's edit (or one taken back by the server): own undo steps move past it.
        m_state->undo.transform(op);
    }
    if (effects.send) {
        // Offline, nothing goes out: the client sends it again after reconnected().
        m_sentRef = m_connection.push(QStringLiteral("op"), effects.send->toJson());
    }
}

void SharedNotebook::onReplied(const QString &ref, bool ok, const QJsonObject &response)
{
    if (ref.isEmpty() || ref != m_sentRef || !m_state)
        return;
    m_sentRef.clear();
    if (ok) {
        const qint64 revision = response.value(QLatin1String("revision")).toInteger(-1);
        const TextOperation acknowledged = m_state->client.outstanding().value_or(TextOperation());
        const qint64 before = m_state->client.revision();
        handle(m_state->client.serverAck(revision));
        if (revision == before + 1)
            remember(revision, acknowledged);
        reportPending();
        qCDebug(lcCoediting).noquote()
            << "text" << digest(m_editor->notebookText()) << "pending" << pendingCount();
        if (pendingCount() == 0 && m_cursorDirty)
            m_cursorTimer.start();
        return;
    }
    const QString reason = response.value(QLatin1String("reason")).toString();
    if (reason == QLatin1String("resync")) {
        handle(m_state->client.resync(response.value(QLatin1String("revision")).toInteger(),
                                      response.value(QLatin1String("content")).toString()));
        reportPending();
        return;
    }
    // The server will never take these edits (a viewer, too large, not valid): they are
    // taken back, and the status says so.
    if (reason == QLatin1String("forbidden"))
        m_editor->setReadOnly(true);
    handle(m_state->client.refused());
    reportPending();
    emit failed(tr("The server refused your latest edits (%1); they were taken back.").arg(reason));
}

void SharedNotebook::onReceived(const QString &event, const QJsonObject &payload)
{
    if (!m_state)
        return;
    if (event == QLatin1String("op")) {
        QString error;
        const auto op = TextOperation::fromJson(payload.value(QLatin1String("ops")), &error);
        if (!op) {
            qCWarning(lcCoediting) << "bad op from the server:" << error;
            return;
        }
        applyServerOperation(payload.value(QLatin1String("revision")).toInteger(), *op,
                             payload.value(QLatin1String("user_id")).toVariant().toString());
    } else if (event == QLatin1String("ops")) {
        // {from, to, ops, user_ids}: revisions from..to of the others, in order; our own
        // operations' answers come between two runs, in their places.
        const qint64 from = payload.value(QLatin1String("from")).toInteger(-1);
        const QJsonArray ops = payload.value(QLatin1String("ops")).toArray();
        const QJsonArray users = payload.value(QLatin1String("user_ids")).toArray();
        if (from < 0 || payload.value(QLatin1String("to")).toInteger(-1) != from + ops.size() - 1
            || users.size() != ops.size()) {
            qCWarning(lcCoediting) << "bad ops run from the server";
            return;
        }
        for (qsizetype i = 0; i < ops.size(); ++i) {
            QString error;
            const auto op = TextOperation::fromJson(ops.at(i), &error);
            if (!op) {
                qCWarning(lcCoediting) << "bad op from the server:" << error;
                return;
            }
            applyServerOperation(from + i, *op, users.at(i).toVariant().toString());
        }
    } else if (event == QLatin1String(Protocol::Event::Cursor)) {
        placeCursor(payload, false);
    } else if (event == QLatin1String(Protocol::Event::Selection)) {
        placeCursor(payload, true);
    }
}

void SharedNotebook::applyServerOperation(qint64 revision, const TextOperation &operation,
                                          const QString &userId)
{
    const qint64 before = m_state->client.revision();
    handle(m_state->client.applyServer(revision, operation));
    if (m_state->client.revision() == revision && revision == before + 1)
        remember(revision, operation);
    m_editor->remoteCursors()->touch(userId);
    // Cursors that were ahead of the editor may fit now.
    const auto ahead = std::exchange(m_state->cursorsAhead, {});
    for (auto it = ahead.cbegin(); it != ahead.cend(); ++it)
        placeCursor(it.value().first, it.value().second);
    qCDebug(lcCoediting).noquote()
        << "text" << digest(m_editor->notebookText()) << "pending" << pendingCount();
}

bool SharedNotebook::applyToEditor(const TextOperation &operation)
{
    for (const TextEdit &edit : editsOf(operation)) {
        QString error;
        if (!m_editor->applyRemoteEdit(edit, &error)) {
            qCWarning(lcCoediting) << "cannot apply an operation:" << error;
            emit failed(tr("The notebook's text and the server's disagree: %1").arg(error));
            return false;
        }
    }
    return true;
}

void SharedNotebook::remember(qint64 revision, const TextOperation &operation)
{
    m_state->history.emplace_back(revision, operation);
    while (m_state->history.size() > kKeptOperations)
        m_state->history.pop_front();
}

void SharedNotebook::applyOwn(const TextOperation &operation)
{
    if (!applyToEditor(operation))
        return;
    m_state->typedUpTo = -1;
    // The cursor goes where the undone or redone edit was, as an editor's undo puts it.
    const QList<TextEdit> edits = editsOf(operation);
    if (!edits.isEmpty()) {
        QTextCursor cursor = m_editor->textCursor();
        cursor.setPosition(m_editor->mirror()->documentPosition(edits.last().offset
                                                                + edits.last().inserted.size()));
        m_editor->setTextCursor(cursor);
    }
    handle(m_state->client.applyLocal(operation));
    reportPending();
    qCDebug(lcCoediting).noquote()
        << "text" << digest(m_editor->notebookText()) << "pending" << pendingCount();
}

void SharedNotebook::undo()
{
    if (!m_state)
        return;
    if (const auto op = m_state->undo.undo(m_editor->notebookText()))
        applyOwn(*op);
}

void SharedNotebook::redo()
{
    if (!m_state)
        return;
    if (const auto op = m_state->undo.redo(m_editor->notebookText()))
        applyOwn(*op);
}

void SharedNotebook::replaceText(const QString &text)
{
    if (!m_state)
        return;
    const QString now = m_editor->notebookText();
    const TextEdit edit = minimalEdit(now, text);
    if (edit.removed == 0 && edit.inserted.isEmpty())
        return;
    const TextOperation op = operationOf(edit, now.size());
    m_state->undo.recordLocal(op, now);
    m_state->typedUpTo = -1;
    applyOwn(op);
}

void SharedNotebook::placeCursor(const QJsonObject &payload, bool selection)
{
    const QString userId = payload.value(QLatin1String("user_id")).toVariant().toString();
    if (userId.isEmpty())
        return;
    const QString name = payload.value(QLatin1String("name")).toString(userId);
    const QColor color(payload.value(QLatin1String("color")).toString());
    qsizetype anchor = -1;
    qsizetype head = -1;
    if (payload.contains(QLatin1String("revision"))) {
        const qint64 at = payload.value(QLatin1String("revision")).toInteger();
        anchor = payload.value(QLatin1String(selection ? "anchor_offset" : "offset")).toInteger(-1);
        head = payload.value(QLatin1String(selection ? "head_offset" : "offset")).toInteger(-1);
        if (at > m_state->client.revision()) {
            // Sent after operations that have not arrived: placed when they have.
            if (m_state->cursorsAhead.size() < 64 || m_state->cursorsAhead.contains(userId))
                m_state->cursorsAhead.insert(userId, { payload, selection });
            return;
        }
        // From its revision to the server's latest seen here, then through what this user
        // has not had acknowledged (SPEC §5: cursors transformed through every operation).
        for (const auto &[revision, op] : m_state->history) {
            if (revision > at) {
                anchor = op.transformPosition(anchor);
                head = op.transformPosition(head);
            }
        }
        anchor = m_state->client.transformServerPosition(anchor);
        head = m_state->client.transformServerPosition(head);
    }
    int anchorPosition = 0;
    int headPosition = 0;
    if (anchor >= 0 && head >= 0) {
        anchorPosition = m_editor->mirror()->documentPosition(anchor);
        headPosition = m_editor->mirror()->documentPosition(head);
    } else {
        // Only {line, column}: a line and a UTF-16 column of it.
        auto at = [this](const QJsonObject &position) {
            const QTextBlock block = m_editor->document()->findBlockByNumber(
                int(position.value(QLatin1String("line")).toInteger()));
            if (!block.isValid())
                return m_editor->document()->characterCount() - 1;
            return block.position()
                + int(std::clamp<qint64>(position.value(QLatin1String("column")).toInteger(), 0,
                                         block.length() - 1));
        };
        anchorPosition
            = at(payload.value(QLatin1String(selection ? "anchor" : "position")).toObject());
        headPosition = at(payload.value(QLatin1String(selection ? "head" : "position")).toObject());
    }
    m_editor->remoteCursors()->place(userId, name, color, anchorPosition, headPosition);
    qCDebug(lcCoediting).noquote() << "cursor of" << name << color.name() << "at" << headPosition;
}

void SharedNotebook::sendCursor()
{
    // Offsets are sent only while every edit of this user is acknowledged: then they count
    // in the text of the revision they name. An acknowledgement sends the cursor again.
    if (!m_state || !m_cursorDirty || pendingCount() > 0
        || m_connection.state() != ChannelConnection::State::Connected)
        return;
    m_cursorDirty = false;
    auto lineColumn = [this](qsizetype offset) {
        const int position = m_editor->mirror()->documentPosition(offset);
        const QTextBlock block = m_editor->document()->findBlock(position);
        return Protocol::TextPosition { block.blockNumber(), position - block.position() };
    };
    const qint64 revision = m_state->client.revision();
    if (m_cursorAnchor == m_cursorHead) {
        Protocol::CursorMove move { lineColumn(m_cursorHead), revision, m_cursorHead };
        m_connection.push(QString::fromLatin1(Protocol::Event::CursorMove), move.toJson());
    } else {
        Protocol::SelectionChange change { lineColumn(m_cursorAnchor), lineColumn(m_cursorHead),
                                           revision, m_cursorAnchor, m_cursorHead };
        m_connection.push(QString::fromLatin1(Protocol::Event::Selection), change.toJson());
    }
}

void SharedNotebook::reportPending()
{
    const int pending = pendingCount();
    if (pending == m_lastPending)
        return;
    m_lastPending = pending;
    emit pendingChanged(pending);
}

void SharedNotebook::reportStatus()
{
    switch (m_connection.state()) {
    case ChannelConnection::State::Connected:
        emit statusChanged(tr("Connected to %1").arg(m_server.authority()));
        break;
    case ChannelConnection::State::Connecting:
        emit statusChanged(tr("Connecting…"));
        break;
    case ChannelConnection::State::Disconnected:
        emit statusChanged(m_state
                               ? tr("Offline: edits are kept and sent when the connection is back")
                               : tr("Not connected"));
        break;
    }
}

} // namespace Kyozo::App
