#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <memory>

namespace Kyozo::System {

// Shared by kyozo-server and the kyozo app (which stops its bundled server on SIGTERM).
// Turns SIGTERM and SIGINT into requested(), and SIGHUP into reloadRequested() when
// something listens for it (kyozo-server reloads its TLS certificate), through a self-pipe,
// the only safe thing a Unix signal handler can do (Qt docs, "Calling Qt Functions From
// Unix Signal Handlers").
class ShutdownSignal : public QObject
{
    Q_OBJECT
public:
    explicit ShutdownSignal(QObject *parent = nullptr);
    ~ShutdownSignal() override;

    // SIGHUP emits reloadRequested() from now on (else it keeps its default: the process ends).
    void catchHangup();

signals:
    void requested();
    void reloadRequested();

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace Kyozo::System
