#pragma once

#include <QElapsedTimer>

namespace Kyozo::Server {

// Token bucket: `burst` messages at once, refilled at `perSecond` (SPEC §11 socket rules).
class RateLimiter
{
public:
    RateLimiter(double perSecond, double burst) : m_rate(perSecond), m_burst(burst), m_tokens(burst)
    {
        m_clock.start();
    }
    bool allow()
    {
        const qint64 now = m_clock.nsecsElapsed();
        m_tokens = qMin(m_burst, m_tokens + double(now - m_last) * m_rate / 1e9);
        m_last = now;
        if (m_tokens < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

private:
    QElapsedTimer m_clock;
    double m_rate, m_burst, m_tokens;
    qint64 m_last = 0;
};

} // namespace Kyozo::Server
