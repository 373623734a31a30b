#include "utf8.h"

namespace Kyozo::MarkdownLD::Utf8 {

qint64 codePointCount(QByteArrayView bytes)
{
    qint64 n = 0;
    for (char c : bytes)
        n += (quint8(c) & 0xC0) != 0x80;
    return n;
}

bool StreamValidator::feed(QByteArrayView chunk)
{
    if (m_invalidOffset >= 0)
        return false;
    for (qsizetype i = 0; i < chunk.size(); ++i, ++m_offset) {
        const quint8 b = quint8(chunk[i]);
        if (m_needed == 0) {
            if (b < 0x80)
                continue;
            m_sequenceStart = m_offset;
            m_lower = 0x80;
            m_upper = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                m_needed = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                m_needed = 2;
                if (b == 0xE0)
                    m_lower = 0xA0;
                else if (b == 0xED)
                    m_upper = 0x9F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                m_needed = 3;
                if (b == 0xF0)
                    m_lower = 0x90;
                else if (b == 0xF4)
                    m_upper = 0x8F;
            } else {
                m_invalidOffset = m_offset;
                return false;
            }
        } else {
            if (b < m_lower || b > m_upper) {
                m_invalidOffset = m_sequenceStart;
                return false;
            }
            m_lower = 0x80;
            m_upper = 0xBF;
            --m_needed;
        }
    }
    return true;
}

bool StreamValidator::finish()
{
    if (m_invalidOffset >= 0)
        return false;
    if (m_needed > 0) {
        m_invalidOffset = m_sequenceStart;
        return false;
    }
    return true;
}

} // namespace Kyozo::MarkdownLD::Utf8
