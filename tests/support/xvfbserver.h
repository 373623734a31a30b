#pragma once

#include <QString>
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

} // namespace KyozoTest
