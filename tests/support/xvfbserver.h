#pragma once

#include <QString>
#include <QStringList>
#include <sys/types.h>

namespace KyozoTest {

// A private Xvfb on a display it picks itself (-displayfd), started without Qt so that a
// test can start it before its own QApplication connects to it. Stopped on destruction.
class XvfbServer
{
public:
    XvfbServer() = default;
    ~XvfbServer();
    XvfbServer(const XvfbServer &) = delete;
    XvfbServer &operator=(const XvfbServer &) = delete;

    // False when Xvfb is missing or did not report a display within 10 s.
    bool start(const char *screen = "1400x900x24");
    QString display() const { return m_display; } // ":N"

private:
    pid_t m_pid = -1;
    QString m_display;
};

// xdotool on `display` with its arguments, as a person's mouse and keys; its standard
// output, trimmed. Bounded: 20 s.
QString xdotool(const QString &display, const QStringList &args, bool *ok = nullptr);
// The visible Kyozo window of process `pid`, waited for up to 10 s; empty when there is none.
QString windowOfProcess(const QString &display, qint64 pid);

} // namespace KyozoTest
