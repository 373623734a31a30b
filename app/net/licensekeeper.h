#pragma once

#include "billing/entitlementtoken.h"

#include <QObject>
#include <QUrl>

namespace Kyozo::App {

class RestClient;

// The plan's licence in the editor (SPEC §7, issue 20 item 4; docs/billing.md "Licences"):
// the server's EdDSA licence kept with the token's keychain (TokenStore, the same fallback)
// and the server's public keys in QSettings, so that the plan is known and verified offline
// until the licence expires. start() shows what the stored licence says at once, then asks
// the server for fresh keys and a fresh licence. A licence that lapsed, was refunded or
// revoked, or does not verify, is said once (per licence) and never blocks editing.
class LicenseKeeper : public QObject
{
    Q_OBJECT
public:
    explicit LicenseKeeper(RestClient *rest, QObject *parent = nullptr);

    void start();
    // The status bar's words for the plan now ("" before anything is known).
    QString planText() const { return m_planText; }

signals:
    void planChanged(const QString &text);
    void notice(const QString &text);

private:
    // Verifies `token` with the stored keys and shows the outcome.
    void show(const QByteArray &token);
    QList<Billing::Ed25519Key> storedKeys() const;
    QString settingsKey() const;

    RestClient *m_rest;
    QString m_planText;
};

} // namespace Kyozo::App
