#include "zerowidthcodec.h"

#include "markdownld/utf8.h"
#include "stegcloakcodec.h"

#include <QCoreApplication>

namespace Kyozo::Stego {

namespace {

// UTF-8 of the marker and of the four digits (all three bytes long, E2 8x xx).
constexpr char kMarker[] = "\xE2\x81\xA4\xE2\x81\xA3"; // U+2064 U+2063
const char *const kDigits[4] = { "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x81\xA0" };

int digitOf(QByteArrayView three)
{
    for (int d = 0; d < 4; ++d)
        if (three == QByteArrayView(kDigits[d], 3))
            return d;
    return -1;
}

QByteArray runFor(QByteArrayView container)
{
    QByteArray run(kMarker, 6);
    run.reserve(6 + container.size() * 12);
    for (char byte : container)
        for (int shift = 6; shift >= 0; shift -= 2)
            run.append(kDigits[(uchar(byte) >> shift) & 3], 3);
    return run;
}

} // namespace

std::optional<QByteArray> ZeroWidthCodec::containerOf(QByteArrayView run)
{
    if (!run.startsWith(QByteArrayView(kMarker, 6)) || (run.size() - 6) % 12 != 0)
        return std::nullopt;
    QByteArray bytes;
    bytes.reserve((run.size() - 6) / 12);
    for (qsizetype at = 6; at < run.size(); at += 12) {
        int value = 0;
        for (int k = 0; k < 4; ++k) {
            const int d = digitOf(run.sliced(at + 3 * k, 3));
            if (d < 0)
                return std::nullopt;
            value = (value << 2) | d;
        }
        bytes.append(char(value));
    }
    return bytes;
}

QList<InvisibleRun> ZeroWidthCodec::segments(QByteArrayView text, const InvisibleRun &run)
{
    const QByteArrayView bytes = text.sliced(run.start, run.end - run.start);
    const QByteArrayView marker(kMarker, 6);
    QList<qsizetype> starts;
    for (qsizetype at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + 6))
        starts.append(at);
    if (starts.isEmpty() || starts.first() != 0)
        starts.prepend(0);
    QList<InvisibleRun> out;
    for (qsizetype i = 0; i < starts.size(); ++i) {
        const qsizetype from = starts[i], to = i + 1 < starts.size() ? starts[i + 1] : bytes.size();
        InvisibleRun part = run;
        part.start = run.start + from;
        part.end = run.start + to;
        part.column = run.column + Kyozo::MarkdownLD::Utf8::codePointCount(bytes.first(from));
        part.codePoints = Kyozo::MarkdownLD::Utf8::codePointCount(bytes.sliced(from, to - from));
        out.append(part);
    }
    return out;
}

bool ZeroWidthCodec::decodes(QByteArrayView run)
{
    const InvisibleRun whole{ 0, run.size(), 1, 1, 0 };
    for (const InvisibleRun &part : segments(run, whole)) {
        const auto container = containerOf(run.sliced(part.start, part.end - part.start));
        if (container && Container::isWellFormed(*container))
            return true;
    }
    return false;
}

std::optional<QByteArray> ZeroWidthCodec::encode(QByteArrayView cover, QByteArrayView payload,
                                                 const Container::SealOptions &options, QString *error)
{
    const auto container = Container::seal(payload, options, error);
    if (!container)
        return std::nullopt;
    // After the first word: the first whitespace that follows a non-space character.
    qsizetype at = 0;
    while (at < cover.size() && QByteArrayView(" \t\r\n").contains(cover[at]))
        ++at;
    while (at < cover.size() && !QByteArrayView(" \t\r\n").contains(cover[at]))
        ++at;
    QByteArray out = cover.first(at).toByteArray();
    out += runFor(*container);
    out += cover.sliced(at);
    return out;
}

QList<ZeroWidthCodec::Payload> ZeroWidthCodec::decode(QByteArrayView text, QByteArrayView passphrase)
{
    QList<Payload> payloads;
    for (const InvisibleRun &whole : detectRuns(text)) {
        if (StegCloakCodec::parseRun(text.sliced(whole.start, whole.end - whole.start)))
            continue; // StegCloak's, which may contain our marker
        for (const InvisibleRun &run : segments(text, whole)) {
            const auto container = containerOf(text.sliced(run.start, run.end - run.start));
            if (!container)
                continue; // not ours (StegCloak's, or stray invisible characters)
            Payload p;
            p.run = run;
            QString error;
            p.bytes = Container::open(*container, passphrase, &error);
            p.error = error;
            payloads.append(p);
        }
    }
    return payloads;
}

} // namespace Kyozo::Stego
