#include "recovery.h"

#include "editor/notebooktext.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>

namespace Kyozo::App {

namespace {
    // The metadata is a path and a time: anything larger is not ours.
    constexpr qint64 kMaxMetadataBytes = 64 * 1024;

    QString textPath(const QString &folder, const QString &id)
    {
        return folder + QLatin1Char('/') + id + QStringLiteral(".md");
    }
    QString metadataPath(const QString &folder, const QString &id)
    {
        return folder + QLatin1Char('/') + id + QStringLiteral(".json");
    }
    QString lockPath(const QString &folder, const QString &id)
    {
        return folder + QLatin1Char('/') + id + QStringLiteral(".lock");
    }

    bool writeAtomically(const QString &path, const QByteArray &bytes, QString *error)
    {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()
            || !file.commit()) {
            *error = file.errorString();
            return false;
        }
        return true;
    }

    bool ensureFolder(const QString &folder, QString *error)
    {
        if (!QDir().mkpath(folder)) {
            *error = QCoreApplication::translate("Kyozo::App::Recovery",
                                                 "cannot create the recovery folder %1")
                         .arg(QDir::toNativeSeparators(folder));
            return false;
        }
        // The copies are the writer's unsaved text: theirs alone to read.
        QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        return true;
    }
} // namespace

QString RecoveryFile::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)
        + QStringLiteral("/recovery");
}

RecoveryFile::RecoveryFile(const QString &folder)
    : m_folder(folder)
    , m_id(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

RecoveryFile::~RecoveryFile()
{
    if (!m_lock)
        return;
    QFile::remove(metadataPath(m_folder, m_id));
    QFile::remove(textPath(m_folder, m_id));
    m_lock.reset(); // unlocks and removes the lock file, last: the entry is gone first
}

bool RecoveryFile::write(const QByteArray &bytes, const QString &path, QString *error)
{
    if (!m_lock) {
        if (!ensureFolder(m_folder, error))
            return false;
        m_lock = std::make_unique<QLockFile>(lockPath(m_folder, m_id));
        if (!m_lock->tryLock(0)) {
            *error = QCoreApplication::translate("Kyozo::App::Recovery",
                                                 "cannot lock the recovery copy");
            m_lock.reset();
            return false;
        }
    }
    if (!writeAtomically(textPath(m_folder, m_id), bytes, error))
        return false;
    const QJsonObject metadata {
        { QStringLiteral("path"), path },
        { QStringLiteral("savedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
    };
    return writeAtomically(metadataPath(m_folder, m_id),
                           QJsonDocument(metadata).toJson(QJsonDocument::Compact), error);
}

namespace Recovery {

    QList<RecoveredNotebook> orphans(const QString &folder)
    {
        QList<RecoveredNotebook> found;
        const QDir dir(folder);
        const QStringList entries
            = dir.entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
        for (const QString &entry : entries) {
            const QString id = entry.chopped(5);
            if (QUuid::fromString(id).isNull())
                continue; // not one of ours
            // A live window holds its lock; the lock of a process that died is stale at
            // once (its PID is gone), whatever its age.
            QLockFile lock(lockPath(folder, id));
            lock.setStaleLockTime(0);
            if (!lock.tryLock(0))
                continue;
            QFile file(metadataPath(folder, id));
            if (file.size() > kMaxMetadataBytes || !file.open(QIODevice::ReadOnly))
                continue;
            const QJsonObject metadata = QJsonDocument::fromJson(file.readAll()).object();
            const QDateTime savedAt = QDateTime::fromString(
                metadata.value(QStringLiteral("savedAt")).toString(), Qt::ISODateWithMs);
            if (!savedAt.isValid() || !metadata.value(QStringLiteral("path")).isString()
                || !QFileInfo::exists(textPath(folder, id)))
                continue;
            found.append({ id, metadata.value(QStringLiteral("path")).toString(), savedAt });
        }
        std::stable_sort(found.begin(), found.end(),
                         [](const RecoveredNotebook &a, const RecoveredNotebook &b) {
                             return a.savedAt > b.savedAt;
                         });
        return found;
    }

    bool read(const RecoveredNotebook &notebook, QByteArray *bytes, QString *error,
              const QString &folder)
    {
        QFile file(textPath(folder, notebook.id));
        if (!file.open(QIODevice::ReadOnly)) {
            *error = file.errorString();
            return false;
        }
        if (!NotebookText::checkSize(file.size(), error))
            return false;
        *bytes = file.readAll();
        return true;
    }

    void remove(const RecoveredNotebook &notebook, const QString &folder)
    {
        QFile::remove(metadataPath(folder, notebook.id));
        QFile::remove(textPath(folder, notebook.id));
        QFile::remove(lockPath(folder, notebook.id));
    }

} // namespace Recovery

RecoveryBar::RecoveryBar(QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel)
    , m_restore(new QPushButton(tr("&Restore")))
    , m_discard(new QPushButton(tr("&Discard")))
{
    setObjectName(QStringLiteral("recoveryBar"));
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    m_label->setForegroundRole(QPalette::ToolTipText);
    m_label->setWordWrap(true);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(8, 4, 8, 4);
    row->addWidget(m_label, 1);
    row->addWidget(m_restore);
    row->addWidget(m_discard);
    connect(m_restore, &QPushButton::clicked, this, [this] {
        hide();
        emit restoreRequested(m_offered);
    });
    connect(m_discard, &QPushButton::clicked, this, [this] {
        hide();
        emit discardRequested(m_offered);
    });
    hide();
}

void RecoveryBar::offer(const RecoveredNotebook &notebook)
{
    m_offered = notebook;
    m_label->setText(message());
    show();
}

QString RecoveryBar::message() const
{
    const QString when = QLocale().toString(m_offered.savedAt.toLocalTime(), QLocale::ShortFormat);
    if (m_offered.path.isEmpty())
        return tr("Kyozo kept the unsaved changes of an untitled notebook (%1) when it last "
                  "ended without saving.")
            .arg(when);
    return tr("Kyozo kept unsaved changes to %1 (%2) when it last ended without saving.")
        .arg(QFileInfo(m_offered.path).fileName(), when);
}

} // namespace Kyozo::App
