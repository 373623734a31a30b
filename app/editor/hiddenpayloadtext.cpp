#include "hiddenpayloadtext.h"

#include "stego/stegcloakcodec.h"
#include "stego/zerowidthcodec.h"

#include <QCoreApplication>

namespace Kyozo::App {

QString hiddenPayloadText(const MarkdownLD::SemanticItem &item)
{
    const QJsonObject &p = item.properties;
    if (item.kind != MarkdownLD::ItemKind::HiddenData)
        return QCoreApplication::translate("HiddenPayload", "undecodable: %1").arg(p.value(QLatin1String("reason")).toString());
    if (p.value(QLatin1String("encrypted")).toBool() && !p.contains(QLatin1String("payload")))
        return QCoreApplication::translate("HiddenPayload", "encrypted (%1); needs its passphrase").arg(p.value(QLatin1String("format")).toString());
    const QJsonValue payload = p.value(QLatin1String("payload"));
    if (payload.isString())
        return payload.toString();
    return QCoreApplication::translate("HiddenPayload", "%1 bytes of binary data").arg(QByteArray::fromBase64(p.value(QLatin1String("payloadBase64")).toString().toLatin1()).size());
}

std::optional<QByteArray> openHiddenRun(QByteArrayView lineUtf8, qint64 column, QByteArrayView passphrase,
                                        QString *error)
{
    // StegCloak first, as the parser decides (its streams may hold the Kyozo marker).
    for (const Stego::InvisibleRun &run : Stego::detectRuns(lineUtf8)) {
        if (run.column != column)
            continue;
        if (const auto stream = Stego::StegCloakCodec::parseRun(lineUtf8.sliced(run.start, run.end - run.start)))
            return Stego::StegCloakCodec::open(*stream, passphrase, error);
    }
    for (const Stego::ZeroWidthCodec::Payload &p : Stego::ZeroWidthCodec::decode(lineUtf8, passphrase)) {
        if (p.run.column != column)
            continue;
        if (!p.bytes)
            *error = p.error;
        return p.bytes;
    }
    *error = QCoreApplication::translate("HiddenPayload", "no hidden payload starts there");
    return std::nullopt;
}

} // namespace Kyozo::App
