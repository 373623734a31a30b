#include "systemdnotify.h"

#ifdef KYOZO_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace Kyozo::Server {

void notifySystemd(const QByteArray &state)
{
#ifdef KYOZO_HAVE_SYSTEMD
    // 0: keep NOTIFY_SOCKET in the environment, for the states that follow.
    sd_notify(0, state.constData());
#else
    Q_UNUSED(state);
#endif
}

bool canNotifySystemd()
{
#ifdef KYOZO_HAVE_SYSTEMD
    return true;
#else
    return false;
#endif
}

} // namespace Kyozo::Server
