#include "solomirror.h"

#include "collab/textoperation.h"
#include "editor/notebookeditor.h"
#include "net/restclient.h"
#include "net/sharednotebook.h"
#include "bundledserver.h"
#include "solosession.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QSettings>

Q_LOGGING_CATEGORY(lcSoloMirror, "kyozo.solo.mirror", QtInfoMsg)

namespace Kyozo::App {

namespace {

    QString absolute(const QString &path)
    {
        const QFileInfo info(path);
        const QString canonical = info.canonicalFilePath();
        return canonical.isEmpty() ? info.absoluteFilePath() : canonical;
    }

    // QSettings keys treat '/' as a group separator: the path goes in percent-encoded.
    QString settingsKey(const QString &path)
    {
        return QStringLiteral("mirrors/")
            + QString::fromLatin1(QUrl::toPercentEncoding(absolute(path)));
    }

    qsizetype insertedBytes(const Collab::TextOperation &op)
    {
        qsizetype bytes = 0;
        for (const Collab::TextOperation::Part &part : op.parts())
            if (part.isInsert())
                bytes += part.text.toUtf8().size();
        return bytes;
    }

    QString notebookPath(const QString &id)
    {
        return QStringLiteral("/api/v1/notebooks/")
            + QString::fromLatin1(QUrl::toPercentEncoding(id));
    }

} // namespace

SoloMirror::SoloMirror(NotebookEditor *editor, QString path, QObject *parent)
    : QObject(parent)
    , m_editor(editor)
    , m_path(absolute(path))
{
}

SoloMirror::~SoloMirror() = default;

QString SoloMirror::storedId(const QString &path)
{
    return QSettings().value(settingsKey(path)).toString();
}

void SoloMirror::storeId(const QString &path, const QString &id)
{
    QSettings().setValue(settingsKey(path), id);
}

bool SoloMirror::isReady() const
{
    return m_shared && m_shared->isLoaded();
}

void SoloMirror::start(const QUrl &server, const QString &token)
{
    if (m_shared || m_busy)
        return;
    delete m_rest;
    m_rest = new RestClient(server, token, this);
    lookUp();
}

void SoloMirror::serverMoved(const QUrl &server, const QString &token)
{
    if (m_shared) {
        m_shared->reconnectTo(server, token);
        return;
    }
    // The server went away before the notebook was found or made: from the start.
    m_busy = false;
    start(server, token);
}

void SoloMirror::lookUp()
{
    const QString id = storedId(m_path);
    if (id.isEmpty()) {
        create();
        return;
    }
    m_busy = true;
    m_rest->get(notebookPath(id), {}, [this, id](const QJsonObject &json, const QString &error) {
        m_busy = false;
        if (m_rest->lastStatus() == 404) {
            // The database was replaced or the notebook deleted: a new one, a new id.
            qCInfo(lcSoloMirror).noquote() << "notebook" << id << "is gone; making a new one";
            create();
            return;
        }
        if (!error.isEmpty()) {
            emit failed(tr("Cannot mirror %1: %2").arg(QFileInfo(m_path).fileName(), error));
            return;
        }
        // A difference too large for one operation: the file still wins, in a new notebook.
        const QString content = json.value(QLatin1String("content")).toString();
        if (insertedBytes(Collab::TextOperation::diff(content, m_editor->notebookText()))
            > kMaxDiffInsertBytes) {
            qCInfo(lcSoloMirror).noquote() << "the file differs too much from" << id
                                           << "for one operation; making a new notebook";
            create();
            return;
        }
        join(id);
    });
}

void SoloMirror::create()
{
    if (m_editor->notebookText().contains(QChar(0))) {
        // The server refuses notebook text holding U+0000 (docs/server.md).
        emit failed(tr("Cannot mirror %1: it contains a NUL character, which notebooks cannot "
                       "hold.")
                        .arg(QFileInfo(m_path).fileName()));
        return;
    }
    m_busy = true;
    m_rest->post(QStringLiteral("/api/v1/workspaces/%1/notebooks").arg(SoloSession::kWorkspace),
                 { { QStringLiteral("title"), QFileInfo(m_path).completeBaseName() },
                   { QStringLiteral("content"), m_editor->notebookText() } },
                 [this](const QJsonObject &json, const QString &error) {
                     m_busy = false;
                     const QString id = json.value(QLatin1String("id")).toString();
                     if (!error.isEmpty() || id.isEmpty()) {
                         emit failed(
                             tr("Cannot mirror %1: %2")
                                 .arg(QFileInfo(m_path).fileName(),
                                      error.isEmpty() ? tr("the server sent no id.") : error));
                         return;
                     }
                     storeId(m_path, id);
                     qCInfo(lcSoloMirror).noquote() << "created" << id << "for" << m_path;
                     join(id);
                 });
}

void SoloMirror::join(const QString &id)
{
    m_id = id;
    // Its cells run beside the file, so that they find the files next to it.
    if (!BundledServer::setWorkingFolder(id, QFileInfo(m_path).absolutePath()))
        qCWarning(lcSoloMirror) << "cannot record the folder of" << m_path << "for its cells";
    m_shared = new SharedNotebook(m_editor, this);
    connect(m_shared, &SharedNotebook::loaded, this, [this] { emit ready(m_id); });
    emit opened(m_shared);
    m_shared->openMirror(m_rest->server(), m_rest->token(), id);
}

} // namespace Kyozo::App
