#pragma once

#include <QDateTime>
#include <QList>
#include <QLockFile>
#include <QString>
#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;

namespace Kyozo::App {

// Autosave and crash recovery (issue 19 item 2). The writer's file is never written behind
// their back: a window with unsaved changes keeps a copy of its text in the recovery folder
// (QStandardPaths::AppLocalDataLocation/recovery, mode 0700), as Kate's swap files and
// LibreOffice's autorecovery do. Each copy is three files named by a random id:
//   <id>.md    the notebook's bytes, exactly as File → Save would write them;
//   <id>.json  {"path": the notebook's file or "" when untitled, "savedAt": ISO 8601 UTC};
//   <id>.lock  a QLockFile held by the window while it lives.
// A clean end (saved, discarded, closed) removes all three. A copy whose lock nobody holds
// (its process died: killed, crashed, the session ended) is an orphan, offered back when its
// notebook is opened or the editor starts.
class RecoveryFile
{
public:
    // The folder, created on the first write.
    static QString defaultFolder();

    explicit RecoveryFile(const QString &folder = defaultFolder());
    ~RecoveryFile(); // removes the copy
    RecoveryFile(const RecoveryFile &) = delete;
    RecoveryFile &operator=(const RecoveryFile &) = delete;

    // Replaces the copy with `bytes`, for the notebook at `path` (empty: untitled). The text
    // is written first and atomically, so a crash mid-write leaves the previous copy whole.
    bool write(const QByteArray &bytes, const QString &path, QString *error);
    QString id() const { return m_id; }

private:
    QString m_folder;
    QString m_id;
    std::unique_ptr<QLockFile> m_lock;
};

struct RecoveredNotebook
{
    QString id;
    QString path; // empty: an untitled notebook
    QDateTime savedAt;
};

namespace Recovery {
    // The orphans in `folder`, newest first. Entries another live process holds are left
    // alone; unreadable or malformed entries are skipped (and stay, for a person to look at).
    QList<RecoveredNotebook> orphans(const QString &folder = RecoveryFile::defaultFolder());
    // The copy's bytes; false with a reason when it is gone, too large or unreadable.
    bool read(const RecoveredNotebook &notebook, QByteArray *bytes, QString *error,
              const QString &folder = RecoveryFile::defaultFolder());
    void remove(const RecoveredNotebook &notebook,
                const QString &folder = RecoveryFile::defaultFolder());
} // namespace Recovery

// The bar above the text that offers a recovered copy back: "Restore" or "Discard", never a
// modal question at start-up.
class RecoveryBar : public QWidget
{
    Q_OBJECT
public:
    explicit RecoveryBar(QWidget *parent = nullptr);
    void offer(const RecoveredNotebook &notebook);
    RecoveredNotebook offered() const { return m_offered; }
    QPushButton *restoreButton() const { return m_restore; }
    QPushButton *discardButton() const { return m_discard; }
    QString message() const;

signals:
    void restoreRequested(const Kyozo::App::RecoveredNotebook &notebook);
    void discardRequested(const Kyozo::App::RecoveredNotebook &notebook);

private:
    RecoveredNotebook m_offered;
    QLabel *m_label = nullptr;
    QPushButton *m_restore = nullptr;
    QPushButton *m_discard = nullptr;
};

} // namespace Kyozo::App
