#include "hiddenpayloadtext.h"

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

} // namespace Kyozo::App
