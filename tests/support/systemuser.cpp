#include "systemuser.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace KyozoTest {

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

std::optional<SystemUser> systemUser(const QString &name)
{
    const passwd *pw = ::getpwnam(name.toLocal8Bit().constData());
    if (!pw)
        return std::nullopt;
    return SystemUser { name, uint(pw->pw_uid), uint(pw->pw_gid) };
}

void runAs(QProcess &process, const SystemUser &user)
{
    const uid_t uid = user.uid;
    const gid_t gid = user.gid;
    // Runs in the forked child before exec: async-signal-safe calls only.
    process.setChildProcessModifier([uid, gid] {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
            ::_exit(126);
    });
}

bool giveTo(const QString &path, const SystemUser &user, QString *error)
{
    QStringList paths { path };
    QDirIterator it(path, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        paths.append(it.next());
    for (const QString &p : paths) {
        if (::lchown(QFile::encodeName(p).constData(), user.uid, user.gid) != 0) {
            *error = QStringLiteral("cannot hand %1 to the %2 user").arg(p, user.name);
            return false;
        }
    }
    return true;
}

bool letEveryoneIn(const QString &folder)
{
    return QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                             | QFileDevice::ExeOwner | QFileDevice::ReadGroup
                                             | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                             | QFileDevice::ExeOther);
}

int processWith(const QByteArray &marker)
{
    for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        if (pid.toInt() <= 0)
            continue;
        QFile f(QStringLiteral("/proc/") + pid + QStringLiteral("/cmdline"));
        if (f.open(QIODevice::ReadOnly) && f.readAll().replace('\0', ' ').contains(marker))
            return pid.toInt();
    }
    return 0;
}

} // namespace KyozoTest
