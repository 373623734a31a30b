#include "hiddendatascanner.h"

#include "stego/kyozocontainer.h"
#include "stego/stegcloakcodec.h"
#include "stego/zerowidthcodec.h"
#include "utf8.h"

#include <QCoreApplication>

#include <algorithm>

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
    return findInvisible(line) >= 0;
}

void HiddenDataScanner::scanLine(QByteArrayView text, qint64 startByte, qint64 lineNumber, const ItemSink &sink)
{
    // The word around each run is found walking forward once over the line: runs come in
    // order, so the last space before a run and the first space after it only move right.
    // (Scanning back from every run re-read the line per run: quadratic on one long word
    // of many runs, issue 14 item 8.) The word's text is copied only for a payload.
    qsizetype lastSpaceEnd = 0; // just past the last space before `spacesSeenTo`
    qsizetype spacesSeenTo = 0;
    qsizetype nextSpace = -1; // the first space at or after the previous run's end
    // A word ends at a space or at another invisible run: with several payloads in one word,
    // each gets the visible text between it and its neighbour, not the other payloads'
    // characters (which also made the output quadratic in the runs, issue 14 item 8).
    const QList<InvisibleRun> runs = detectRuns(text);
    for (qsizetype r = 0; r < runs.size(); ++r) {
        const InvisibleRun &whole = runs[r];
        const QByteArrayView wholeBytes = text.sliced(whole.start, whole.end - whole.start);
        // Kyozo runs follow their word; StegCloak runs precede theirs.
        for (; spacesSeenTo < whole.start; ++spacesSeenTo)
            if (isSpace(text[spacesSeenTo]))
                lastSpaceEnd = spacesSeenTo + 1;
        const qsizetype wordStart = std::max(lastSpaceEnd, r > 0 ? runs[r - 1].end : 0);
        if (nextSpace < whole.end) {
            nextSpace = whole.end;
            while (nextSpace < text.size() && !isSpace(text[nextSpace]))
                ++nextSpace;
        }
        const qsizetype wordEnd
            = r + 1 < runs.size() ? std::min(nextSpace, runs[r + 1].start) : nextSpace;
        const auto before
            = [&] { return QString::fromUtf8(text.sliced(wordStart, whole.start - wordStart)); };
        const auto after
            = [&] { return QString::fromUtf8(text.sliced(whole.end, wordEnd - whole.end)); };

        // StegCloak first, on the whole run: its streams may hold the Kyozo marker. Parsed and
        // opened once: a plain stream's payload is what shows that it decodes.
        if (const auto stream = StegCloakCodec::parseRun(wholeBytes)) {
            QString error;
            const auto payload = stream->encrypted ? std::nullopt : StegCloakCodec::open(*stream, {}, &error);
            if (payload || (stream->encrypted && StegCloakCodec::decodes(*stream))) {
                SemanticItem i = item(ItemKind::HiddenData, startByte, lineNumber, whole);
                i.properties = QJsonObject { { "format", QStringLiteral("stegcloak") },
                                             { "encrypted", stream->encrypted },
                                             { "word", after() } };
                if (payload) {
                    i.properties.insert(QLatin1String("payload"), textOrNull(*payload));
                    i.properties.insert(QLatin1String("payloadBase64"), QString::fromLatin1(payload->toBase64()));
                }
                sink(i);
                continue;
            }
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
                    i.properties = QJsonObject { { "format", QStringLiteral("kyozo") },
                                                 { "encrypted", encrypted },
                                                 { "word", before() } };
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
