#include "editingtrace.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <zlib.h>

using Kyozo::Collab::TextOperation;

namespace KyozoTest {

namespace {

    // The whole of a gzip file (the traces are at most a few MB unpacked; bounded at 64 MiB).
    std::optional<QByteArray> gunzip(const QByteArray &packed, QString *error)
    {
        z_stream stream {};
        if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
            *error = QStringLiteral("inflateInit2 failed");
            return std::nullopt;
        }
        QByteArray out;
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(packed.constData()));
        stream.avail_in = uInt(packed.size());
        char buffer[1 << 16];
        int result = Z_OK;
        while (result != Z_STREAM_END) {
            stream.next_out = reinterpret_cast<Bytef *>(buffer);
            stream.avail_out = sizeof buffer;
            result = inflate(&stream, Z_NO_FLUSH);
            if (result != Z_OK && result != Z_STREAM_END) {
                inflateEnd(&stream);
                *error = QStringLiteral("not gzip: %1").arg(result);
                return std::nullopt;
            }
            out.append(buffer, qsizetype(sizeof buffer - stream.avail_out));
            if (out.size() > (64 << 20)) {
                inflateEnd(&stream);
                *error = QStringLiteral("more than 64 MiB unpacked");
                return std::nullopt;
            }
        }
        inflateEnd(&stream);
        return out;
    }

    // The code-unit offset of code point `codePoints` of `text`, clamped to its end.
    qsizetype unitOffset(const QString &text, qsizetype codePoints, qsizetype from = 0)
    {
        qsizetype i = from;
        while (codePoints > 0 && i < text.size()) {
            if (text.at(i).isHighSurrogate() && i + 1 < text.size()
                && text.at(i + 1).isLowSurrogate())
                ++i;
            ++i;
            --codePoints;
        }
        return i;
    }

} // namespace

std::optional<EditingTrace> readEditingTrace(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return std::nullopt;
    }
    const auto json = gunzip(file.readAll(), error);
    if (!json)
        return std::nullopt;
    QJsonParseError parseError;
    const QJsonObject root = QJsonDocument::fromJson(*json, &parseError).object();
    if (parseError.error != QJsonParseError::NoError) {
        *error = parseError.errorString();
        return std::nullopt;
    }
    EditingTrace trace;
    trace.endContent = root.value(QLatin1String("endContent")).toString();
    trace.agents = std::max(1, root.value(QLatin1String("numAgents")).toInt(1));
    for (const QJsonValue &txn : root.value(QLatin1String("txns")).toArray()) {
        const QJsonObject t = txn.toObject();
        const int agent = t.value(QLatin1String("agent")).toInt(0);
        for (const QJsonValue &patch : t.value(QLatin1String("patches")).toArray()) {
            const QJsonArray p = patch.toArray();
            trace.patches.append({ qsizetype(p.at(0).toInteger()), qsizetype(p.at(1).toInteger()),
                                   p.at(2).toString(), agent });
        }
    }
    return trace;
}

TextOperation patchOperation(const EditingTrace::Patch &patch, const QString &text)
{
    const qsizetype start = unitOffset(text, patch.position);
    const qsizetype end = unitOffset(text, patch.deleted, start);
    TextOperation op;
    op.retain(start);
    op.insert(patch.inserted);
    op.remove(end - start);
    op.retain(text.size() - end);
    return op;
}

} // namespace KyozoTest
