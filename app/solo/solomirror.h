#pragma once

#include <QObject>
#include <QPointer>
#include <QUrl>

namespace Kyozo::App {

class NotebookEditor;
class RestClient;
class SharedNotebook;

// A solo writer's local file mirrored into a notebook of workspace `local` on the bundled
// server (issue 15 item 3), when it is shared or a cell runs: the notebook's id is kept in
// QSettings by the file's path, so the same file always mirrors into the same notebook; a
// missing id or a notebook the server no longer has (404) makes a new one from the editor's
// text. From then on the editor's edits go to the server as operations (SharedNotebook), and
// the file stays the writer's: Save writes the editor's text as always, byte for byte.
class SoloMirror : public QObject
{
    Q_OBJECT
public:
    SoloMirror(NotebookEditor *editor, QString path, QObject *parent = nullptr);
    ~SoloMirror() override;

    // Looks up or creates the notebook, then joins it. Again after a failure: tries again.
    void start(const QUrl &server, const QString &token);
    // The bundled server is ready again, perhaps on another port (restarted after it died,
    // or for Share…): the mirror goes on there.
    void serverMoved(const QUrl &server, const QString &token);

    QString path() const { return m_path; }
    // The notebook's id, once known (before the join completes).
    QString notebookId() const { return m_id; }
    // The notebook is joined and the editor's text is on its way to the server.
    bool isReady() const;
    // The shared notebook once the id is known, else null; it belongs to this mirror.
    SharedNotebook *shared() const { return m_shared; }

    // The id a file's mirror has, by its absolute path; empty when it has none yet.
    static QString storedId(const QString &path);
    static void storeId(const QString &path, const QString &id);
    // A changed file whose difference to the server's text inserts more than this (UTF-8
    // bytes) gets a new notebook instead of one operation: the server refuses an `op`
    // inserting more than `[coediting] max_insert_bytes` (default 256 KiB, docs/server.md).
    static constexpr qsizetype kMaxDiffInsertBytes = 192 * 1024;

signals:
    // The SharedNotebook exists (its signals can be connected); the join follows.
    void opened(SharedNotebook *shared);
    // The notebook is joined; edits flow as operations from now on.
    void ready(const QString &notebookId);
    void failed(const QString &text);

private:
    void lookUp();
    void create();
    void join(const QString &id);

    NotebookEditor *m_editor;
    QString m_path;
    QString m_id;
    RestClient *m_rest = nullptr;
    SharedNotebook *m_shared = nullptr;
    bool m_busy = false; // a REST request is on its way
};

} // namespace Kyozo::App
