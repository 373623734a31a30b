#include "licensekeeper.h"

#include "restclient.h"
#include "tokenstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSettings>

namespace Kyozo::App {

using namespace Billing;

LicenseKeeper::LicenseKeeper(RestClient *rest, QObject *parent)
    : QObject(parent)
    , m_rest(rest)
{
}

QString LicenseKeeper::settingsKey() const
{
    return QStringLiteral("billing/keys/")
        + QString::fromLatin1(m_rest->server().toString(QUrl::RemoveUserInfo).toUtf8().toHex());
}

QList<Ed25519Key> LicenseKeeper::storedKeys() const
{
    QList<Ed25519Key> keys;
    const QJsonArray jwks
        = QJsonDocument::fromJson(QSettings().value(settingsKey()).toByteArray()).array();
    for (const QJsonValue &jwk : jwks) {
        QString error;
        const Ed25519Key key = Ed25519Key::fromJwk(jwk.toObject(), &error);
        if (!key.isNull())
            keys.append(key);
    }
    return keys;
}

void LicenseKeeper::start()
{
    // Offline first: what the last licence says, verified with the keys kept at sign-in.
    TokenStore store(QStringLiteral("license:") + m_rest->server().toString(QUrl::RemoveUserInfo));
    if (const std::optional<QString> kept = store.read())
        show(kept->toLatin1());
    m_rest->get(QStringLiteral("/api/v1/billing/keys"), {},
                [this](const QJsonObject &json, const QString &error) {
                    if (!error.isEmpty())
                        return; // offline: the stored licence stands until it expires
                    QSettings().setValue(settingsKey(),
                                         QJsonDocument(json.value(QLatin1String("keys")).toArray())
                                             .toJson(QJsonDocument::Compact));
                    m_rest->get(
                        QStringLiteral("/api/v1/billing/license"), {},
                        [this](const QJsonObject &license, const QString &why) {
                            if (!why.isEmpty())
                                return;
                            const QByteArray token
                                = license.value(QLatin1String("license")).toString().toLatin1();
                            TokenStore(QStringLiteral("license:")
                                       + m_rest->server().toString(QUrl::RemoveUserInfo))
                                .write(QString::fromLatin1(token));
                            show(token);
                        });
                });
}

void LicenseKeeper::show(const QByteArray &token)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const EntitlementToken::Verified v = EntitlementToken::verify(token, storedKeys(), now);
    QString text;
    QString problem;
    const QString plan = v.claims.plan.isEmpty()
        ? QString()
        : v.claims.plan.left(1).toUpper() + v.claims.plan.mid(1);
    const QString until = QLocale().toString(
        QDateTime::fromSecsSinceEpoch(v.claims.expiresAt).date(), QLocale::ShortFormat);
    switch (v.refusal) {
    case EntitlementToken::Refusal::None:
        text = tr("Plan: %1").arg(plan);
        if (v.claims.state == QLatin1String("canceled"))
            text = tr("Plan: %1 (ends %2)").arg(plan, until);
        else if (v.claims.state == QLatin1String("trial"))
            text = tr("Plan: %1 (trial until %2)").arg(plan, until);
        else if (v.claims.state == QLatin1String("refunded")
                 || v.claims.state == QLatin1String("revoked")
                 || v.claims.state == QLatin1String("expired"))
            problem = tr("Your %1 subscription has ended (%2); you are on the free plan. Your "
                         "notebooks and editing are not affected.")
                          .arg(plan, v.claims.state);
        break;
    case EntitlementToken::Refusal::Expired:
        text = tr("Plan: %1 (licence expired)").arg(plan);
        problem = tr("The licence for the %1 plan expired on %2. Editing goes on; connect to "
                     "the server to renew it.")
                      .arg(plan, until);
        break;
    default:
        text = tr("Plan: unknown");
        problem = tr("The stored licence could not be verified (%1). Editing goes on.")
                      .arg(EntitlementToken::reasonCode(v.refusal));
        break;
    }
    if (text != m_planText) {
        m_planText = text;
        emit planChanged(text);
    }
    if (problem.isEmpty())
        return;
    // Once per licence (by its signature) and reason, not on every start.
    QSettings settings;
    const QString said = QString::fromLatin1(token.right(16)) + QLatin1Char('/') + problem.left(24);
    if (settings.value(QStringLiteral("billing/noticeShown")).toString() == said)
        return;
    settings.setValue(QStringLiteral("billing/noticeShown"), said);
    emit notice(problem);
}

} // namespace Kyozo::App
