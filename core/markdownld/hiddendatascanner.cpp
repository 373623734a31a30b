#include "hiddendatascanner.h"

#include "stego/kyozocontainer.h"
#include "stego/stegcloakcodec.h"
#include "stego/zerowidthcodec.h"
#include "utf8.h"

#include <QCoreApplication>

#include <cstring>

namespace Kyozo::MarkdownLD {

using namespace Kyozo::Stego;

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

QJsonValue textOrNull(const QByteArray &bytes)
{
    Utf8::StreamValidator v;
    if (!v.feed(bytes) || !v.finish())
        return QJsonValue::Null;
    return QString::fromUtf8(bytes);
}

SemanticItem item(ItemKind kind, qint64 startByte, qint64 line, const InvisibleRun &run)
{
    SemanticItem i;
    i.kind = kind;
    i.range = SourceRange{ startByte + run.start, startByte + run.end, line, line, run.column };
    return i;
}

} // namespace

bool HiddenDataScanner::mayContainInvisible(QByteArrayView line)
{
    const auto *p = reinterpret_cast<const uchar *>(line.data());
    const qsizetype n = line.size();
    for (qsizetype i = 0; i + 2 < n; ++i) {
        // Eight ASCII bytes at a time: most Markdown is ASCII, and every invisible code point
        // starts with a byte >= 0xE1.
        while (i + 8 <= n) {
            quint64 word;
            std::memcpy(&word, p + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i + 2 >= n)
            break;
        if (p[i] < 0xE1)
            continue;
        const uchar a = p[i], b = p[i + 1], c = p[i + 2];
        if ((a == 0xE2 && b == 0x80 && c >= 0x8B && c <= 0x8D) || (a == 0xE2 && b == 0x81 && c >= 0xA0 && c <= 0xA4)
            || (a == 0xEF && b == 0xBB && c == 0xBF) || (a == 0xE1 && b == 0xA0 && c == 0x8E)
            || (a == 0xF3 && b == 0xA0 && (c == 0x80 || c == 0x81)))
            return true;
    }
    return false;
}

void HiddenDataScanner::scanLine(QByteArrayView text, qint64 startByte, qint64 lineNumber, const ItemSink &sink)
{
    for (const InvisibleRun &whole : detectRuns(text)) {
        const QByteArrayView wholeBytes = text.sliced(whole.start, whole.end - whole.start);
        // Kyozo runs follow their word; StegCloak runs precede theirs.
        qsizetype wordStart = whole.start;
        while (wordStart > 0 && !isSpace(text[wordStart - 1]))
            --wordStart;
        qsizetype wordEnd = whole.end;
        while (wordEnd < text.size() && !isSpace(text[wordEnd]))
            ++wordEnd;
        const QString before = QString::fromUtf8(text.sliced(wordStart, whole.start - wordStart));
        const QString after = QString::fromUtf8(text.sliced(whole.end, wordEnd - whole.end));

        // StegCloak first, on the whole run: its streams may hold the Kyozo marker.
        if (const auto stream = StegCloakCodec::parseRun(wholeBytes); stream && StegCloakCodec::decodes(wholeBytes)) {
            SemanticItem i = item(ItemKind::HiddenData, startByte, lineNumber, whole);
            i.properties = QJsonObject{ { "format", QStringLiteral("stegcloak") }, { "encrypted", stream->encrypted },
                                        { "word", after } };
            QString error;
            if (!stream->encrypted) {
                const auto payload = StegCloakCodec::open(*stream, {}, &error);
                i.properties.insert(QLatin1String("payload"), textOrNull(*payload));
                i.properties.insert(QLatin1String("payloadBase64"), QString::fromLatin1(payload->toBase64()));
            }
            sink(i);
            continue;
        }
        for (const InvisibleRun &run : ZeroWidthCodec::segments(text, whole)) {
            const QByteArrayView bytes = text.sliced(run.start, run.end - run.start);
            const auto container = ZeroWidthCodec::containerOf(bytes);
            QString error = QCoreApplication::translate("HiddenData", "invisible characters that are no known payload");
            if (container) {
                const bool encrypted = Container::isWellFormed(*container) && (quint8(container->at(3)) & 0x02);
                const auto payload = encrypted ? std::nullopt : Container::open(*container, {}, &error);
                if (encrypted || payload) {
                    SemanticItem i = item(ItemKind::HiddenData, startByte, lineNumber, run);
                    i.properties = QJsonObject{ { "format", QStringLiteral("kyozo") }, { "encrypted", encrypted },
                                                { "word", before } };
                    if (payload) {
                        i.properties.insert(QLatin1String("payload"), textOrNull(*payload));
                        i.properties.insert(QLatin1String("payloadBase64"), QString::fromLatin1(payload->toBase64()));
                    }
                    sink(i);
                    continue;
                }
            }
            SemanticItem i = item(ItemKind::SuspiciousHidden, startByte, lineNumber, run);
            i.properties = QJsonObject{ { "codepoints", run.codePoints }, { "reason", error } };
            sink(i);
        }
    }
}

} // namespace Kyozo::MarkdownLD
