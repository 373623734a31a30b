#pragma once

#include "channelclient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

// Joins `workspace` on `server` as a second client and returns the metas the
// presence_state lists for the user named `name` (SPEC §11: keys are user ids).
inline QJsonArray presenceOf(const QUrl &server, const QString &token, const QString &name,
                             const QString &workspace = QStringLiteral("local"))
{
    const QString topic = QStringLiteral("execution:workspace:") + workspace;
    QUrl url = server;
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QStringLiteral("/socket/websocket"));
    url.setQuery(QStringLiteral("vsn=2.0.0&token=") + token);
    KyozoTest::ChannelClient client;
    if (!client.open(url))
        return {};
    const QJsonArray reply = client.join(topic, QStringLiteral("1"));
    if (reply.at(4).toObject().value(QLatin1String("status")).toString() != QLatin1String("ok"))
        return {};
    const QJsonObject state = client.waitForEvent(topic, QStringLiteral("presence_state")).at(4).toObject();
    for (auto it = state.begin(); it != state.end(); ++it) {
        const QJsonArray metas = it.value().toObject().value(QLatin1String("metas")).toArray();
        if (!metas.isEmpty() && metas.first().toObject().value(QLatin1String("name")).toString() == name)
            return metas;
    }
    return {};
}
