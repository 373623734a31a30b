#pragma once

#include <QString>
#include <optional>

class QProcess;

namespace KyozoTest {

// A system account for a process the test starts, when the suite runs as root: root
// ignores file modes (a read-only database must be tested as someone else), and
// PostgreSQL refuses to run as root.
struct SystemUser
{
    QString name;
    uint uid = 0;
    uint gid = 0;
};

bool runningAsRoot();
// The account `name` (e.g. "nobody", "postgres"), or nothing when there is none.
std::optional<SystemUser> systemUser(const QString &name);
// `process` drops to `user` (supplementary groups, gid, uid) between fork and exec, so its
// pid is the program's own and signals reach it directly.
void runAs(QProcess &process, const SystemUser &user);
// chown -R of `path` to the user; false (with the reason) when it fails.
bool giveTo(const QString &path, const SystemUser &user, QString *error);
// rwxr-xr-x on `folder`: cells run as another user (nobody, when the suite runs as root)
// must reach folders below it, which a QTemporaryDir (0700) keeps from them.
bool letEveryoneIn(const QString &folder);
// The pid of a process whose command line holds `marker` (a number only one test's cell
// uses), or 0: for checking that no process of a run is left.
int processWith(const QByteArray &marker);

} // namespace KyozoTest
