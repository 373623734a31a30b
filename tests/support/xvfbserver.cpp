#include "xvfbserver.h"

#include <QProcess>
#include <QTest>

#include <csignal>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace KyozoTest {

XvfbServer::~XvfbServer()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        ::waitpid(m_pid, nullptr, 0);
    }
}

bool XvfbServer::start(const char *screen)
{
    int fds[2];
    if (::pipe(fds) != 0)
        return false;
    m_pid = ::fork();
    if (m_pid < 0)
        return false;
    if (m_pid == 0) {
        ::close(fds[0]);
        const std::string fd = std::to_string(fds[1]);
        ::execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-nolisten", "tcp", "-screen", "0", screen,
                 static_cast<char *>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string number;
    pollfd p{ fds[0], POLLIN, 0 };
    while (::poll(&p, 1, 10000) > 0) {
        char c;
        if (::read(fds[0], &c, 1) != 1 || c == '\n')
            break;
        number += c;
    }
    ::close(fds[0]);
    if (number.empty())
        return false;
    m_display = QStringLiteral(":") + QString::fromStdString(number);
    return true;
}

QString xdotool(const QString &display, const QStringList &args, bool *ok)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DISPLAY"), display);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("xdotool"), args);
    const bool finished = process.waitForFinished(20000);
    if (!finished)
        process.kill();
    if (ok)
        *ok = finished && process.exitCode() == 0;
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

QString windowOfProcess(const QString &display, qint64 pid)
{
    // The window exists once the app has painted. --all: the pid and the name (xdotool's
    // default matches either).
    for (int attempt = 0; attempt < 50; ++attempt) {
        const QString window
            = xdotool(display,
                      { QStringLiteral("search"), QStringLiteral("--all"),
                        QStringLiteral("--onlyvisible"), QStringLiteral("--pid"),
                        QString::number(pid), QStringLiteral("--name"), QStringLiteral("Kyozo") })
                  .section(u'\n', 0, 0);
        if (!window.isEmpty())
            return window;
        QTest::qWait(200); // events too: the app's output keeps being read
    }
    return {};
}

} // namespace KyozoTest
