#pragma once

#include <QElapsedTimer>

namespace Kyozo::Server {

// Token bucket: `burst` tokens at once, refilled at `perSecond` (SPEC §11 socket rules). A
// message costs one token, or its size in bytes for the byte limit.
class RateLimiter
{
public:
    RateLimiter(double perSecond, double burst)
        : m_rate(perSecond)
        , m_burst(burst)
        , m_tokens(burst)
    {
        m_clock.start();
    }
    bool allow(double cost = 1.0)
    {
        const qint64 now = m_clock.nsecsElapsed();
        m_tokens = qMin(m_burst, m_tokens + double(now - m_last) * m_rate / 1e9);
        m_last = now;
        if (m_tokens < cost)
            return false;
        m_tokens -= cost;
        return true;
    }

private:
    QElapsedTimer m_clock;
    double m_rate, m_burst, m_tokens;
    qint64 m_last = 0;
};

} // namespace Kyozo::Server
