#include "utf8streamdecoder.h"

#include <cstring>

namespace Kyozo::Server {

namespace {

    // Well-formed UTF-8 (the Unicode Standard, Table 3-7): a lead byte gives the sequence's
    // length and the range of its second byte; every later byte is 80..BF.
    struct Lead
    {
        int length = 0; // 0: never the start of a well-formed sequence
        uchar low = 0x80;
        uchar high = 0xBF;
    };

    Lead leadOf(uchar c)
    {
        if (c >= 0xC2 && c <= 0xDF)
            return { 2 };
        if (c == 0xE0)
            return { 3, 0xA0, 0xBF };
        if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            return { 3 };
        if (c == 0xED) // not the surrogates D800..DFFF
            return { 3, 0x80, 0x9F };
        if (c == 0xF0)
            return { 4, 0x90, 0xBF };
        if (c >= 0xF1 && c <= 0xF3)
            return { 4 };
        if (c == 0xF4) // not above U+10FFFF
            return { 4, 0x80, 0x8F };
        return {};
    }

} // namespace

QString Utf8StreamDecoder::decode(QByteArrayView bytes)
{
    QByteArray joined;
    QByteArrayView in = bytes;
    if (!m_held.isEmpty()) {
        joined = m_held;
        joined.append(bytes);
        m_held.clear();
        in = joined;
    }
    const auto *p = reinterpret_cast<const uchar *>(in.data());
    const qsizetype n = in.size();
    QString out; // only used once something is replaced
    qsizetype validFrom = 0; // > 0 once something is replaced
    auto appendValid = [&](qsizetype end) {
        if (end > validFrom)
            out += QString::fromUtf8(in.sliced(validFrom, end - validFrom));
    };
    auto textUpTo = [&](qsizetype end) {
        if (validFrom == 0) // the common case: all of it well-formed
            return QString::fromUtf8(in.first(end));
        appendValid(end);
        return out;
    };
    qsizetype i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            ++i;
            // ASCII eight bytes at a time: most output is.
            quint64 word;
            while (i + 8 <= n
                   && (std::memcpy(&word, p + i, 8), (word & 0x8080808080808080ULL) == 0))
                i += 8;
            continue;
        }
        const Lead lead = leadOf(p[i]);
        qsizetype k = 1; // bytes of the maximal subpart seen so far
        if (lead.length) {
            for (; k < lead.length; ++k) {
                if (i + k == n) { // cut by the end of the piece: wait for the rest
                    m_held = in.sliced(i).toByteArray();
                    return textUpTo(i);
                }
                const uchar low = k == 1 ? lead.low : uchar(0x80);
                const uchar high = k == 1 ? lead.high : uchar(0xBF);
                if (p[i + k] < low || p[i + k] > high)
                    break;
            }
            if (k == lead.length) {
                i += k;
                continue;
            }
        }
        appendValid(i);
        out += QChar(QChar::ReplacementCharacter);
        m_invalidBytes += k;
        i += k;
        validFrom = i;
    }
    return textUpTo(n);
}

QString Utf8StreamDecoder::finish()
{
    if (m_held.isEmpty())
        return {};
    m_invalidBytes += m_held.size();
    m_held.clear();
    return QString(QChar(QChar::ReplacementCharacter));
}

} // namespace Kyozo::Server
