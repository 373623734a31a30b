#pragma once

#include <QByteArray>

namespace Kyozo::Server {

// Readiness and state for systemd (sd_notify(3)), for the unit's Type=notify
// (packaging/kyozo-server.service): "READY=1" once listening, "RELOADING=1" around a SIGHUP
// reload, "STOPPING=1" on SIGTERM. Nothing happens when the process was not started by
// systemd (no NOTIFY_SOCKET). (The build requires libsystemd; the ifdef keeps the code honest
// about where it comes from.)
void notifySystemd(const QByteArray &state);

// Whether this build talks to systemd at all.
bool canNotifySystemd();

} // namespace Kyozo::Server
