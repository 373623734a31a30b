#include "shutdownsignal.h"

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace Kyozo::System {

namespace {
int g_pipe[2] = { -1, -1 }; // written only from the handler; one process, one server

void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &byte, 1);
}
} // namespace

ShutdownSignal::ShutdownSignal(QObject *parent) : QObject(parent)
{
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    m_notifier = std::make_unique<QSocketNotifier>(g_pipe[0], QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, [this] {
        char buffer[16];
        bool shutdown = false;
        bool reload = false;
        for (ssize_t n; (n = ::read(g_pipe[0], buffer, sizeof buffer)) > 0;) {
            for (ssize_t i = 0; i < n; ++i)
                (buffer[i] == char(SIGHUP) ? reload : shutdown) = true;
        }
        if (reload)
            emit reloadRequested();
        if (shutdown)
            emit requested();
    });
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
}

void ShutdownSignal::catchHangup()
{
    struct sigaction action
    {
    };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGHUP, &action, nullptr);
}

ShutdownSignal::~ShutdownSignal()
{
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGHUP, SIG_DFL);
    m_notifier.reset();
    ::close(g_pipe[0]);
    ::close(g_pipe[1]);
}

} // namespace Kyozo::System
