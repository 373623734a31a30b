#include "billingservice.h"

#include "billing/appstoreevents.h"
#include "billing/appstorereceipt.h"
#include "billing/stripeevents.h"
#include "billing/stripesignature.h"
#include "protocol/json.h"
#include "storage/billingstore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMetaObject>

Q_LOGGING_CATEGORY(lcBilling, "kyozo.server.billing")

namespace Kyozo::Server {

using namespace Billing;

namespace {

    // JSON null for "not known": an empty text.
    QJsonValue orNull(const QString &text)
    {
        return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
    }

    QJsonValue isoTime(qint64 ms)
    {
        if (ms <= 0)
            return QJsonValue::Null;
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    }

} // namespace

BillingService::BillingService(BillingOptions options, BillingStore *store, Clock clock)
    : m_options(std::move(options))
    , m_store(store)
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{
    m_options.plans.insert(QStringLiteral("free"), m_options.plans.value(QStringLiteral("free")));
}

bool BillingService::start(QString *error)
{
    m_keys.clear();
    for (const QString &path : m_options.signingKeyFiles) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = tr("cannot read the signing key %1: %2").arg(path, file.errorString());
            return false;
        }
        QString why;
        const Ed25519Key key = Ed25519Key::fromPem(file.read(64 * 1024), &why);
        if (key.isNull() || !key.hasPrivateKey()) {
            *error = tr("%1 is not an Ed25519 private key in PEM (openssl genpkey -algorithm "
                        "ed25519)")
                         .arg(path);
            return false;
        }
        m_keys.append(key);
    }
    for (const QString &path : m_options.appleRootCertificateFiles) {
        QFile file(path);
        QString why;
        if (!file.open(QIODevice::ReadOnly)
            || !m_apple.addRootCertificate(file.read(1 << 20), &why)) {
            *error = tr("cannot read the App Store root certificate %1: %2")
                         .arg(path, why.isEmpty() ? file.errorString() : why);
            return false;
        }
    }
    m_apple.bundleId = m_options.appleBundleId;
    m_apple.environment = m_options.appleEnvironment;
    m_apple.appAppleId = m_options.appleAppAppleId;
    m_appleConfigured
        = !m_options.appleRootCertificateFiles.isEmpty() && !m_apple.bundleId.isEmpty();
    m_receiptsConfigured
        = !m_options.appleReceipts.sharedSecret.isEmpty() && !m_apple.bundleId.isEmpty();
    if (m_receiptsConfigured)
        m_receipts = std::make_unique<ReceiptClient>(m_options.appleReceipts);
    if (m_keys.isEmpty()) {
        QString why;
        const std::optional<QByteArray> pem
            = m_store->signingKey([] { return Ed25519Key::generate().privateKeyPem(); }, &why);
        if (!pem) {
            // A database that cannot take the key (full, read-only) must not keep the server
            // from starting degraded: licences are signed by a key of this run until it can.
            qCWarning(lcBilling) << "the licence signing key could not be stored (" << why
                                 << "); licences signed until a restart will not verify after it";
            m_keys.append(Ed25519Key::generate());
            return true;
        }
        const Ed25519Key key = Ed25519Key::fromPem(*pem, &why);
        if (key.isNull()) {
            *error = tr("the database's licence signing key is unreadable: %1").arg(why);
            return false;
        }
        m_keys.append(key);
    }
    return true;
}

HttpResponse BillingService::refuse(BillingAuditRow audit, int status, const char *code,
                                    const QString &reason, const QString &message)
{
    audit.outcome = QStringLiteral("refused");
    audit.reason = reason;
    // Anyone can send refusals (no token, no signature): at most kRefusalsPerSecond of them
    // a second are written to the audit log, in bursts of kRefusalBurst; beyond, they are
    // counted and the count logged once a minute, so that a flood costs no disk.
    const qint64 now = m_clock();
    m_refusalBudget
        = std::min(kRefusalBurst,
                   m_refusalBudget + double(now - m_refusalBudgetAt) * kRefusalsPerSecond / 1000);
    m_refusalBudgetAt = now;
    if (m_refusalBudget >= 1) {
        m_refusalBudget -= 1;
        QString error;
        if (!m_store->record(audit, &error))
            qCWarning(lcBilling) << "could not record a refused event:" << error;
    } else {
        ++m_unrecordedRefusals;
        if (now - m_unrecordedLoggedAt >= 60000) {
            qCWarning(lcBilling) << m_unrecordedRefusals
                                 << "refused billing requests not written to the audit log "
                                    "(more than"
                                 << kRefusalsPerSecond << "a second)";
            m_unrecordedLoggedAt = now;
            m_unrecordedRefusals = 0;
        }
    }
    qCInfo(lcBilling) << audit.source << "event refused:" << reason;
    return jsonError(status, code, message);
}

HttpResponse BillingService::storageFailure(const QString &error) const
{
    // Not a 2xx: Stripe and Apple send the event again later, so nothing accepted is lost.
    qCWarning(lcBilling) << "billing event not stored:" << error;
    return jsonError(503, "unavailable", tr("the event could not be stored; send it again"));
}

BillingService::Verdict BillingService::readStripeWebhook(const HttpRequest &request)
{
    const qint64 now = m_clock();
    BillingAuditRow audit;
    audit.receivedAt = now;
    audit.source = QStringLiteral("stripe");
    audit.bodySha256 = QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex();
    if (m_options.stripeWebhookSecrets.isEmpty())
        return Verdict::now(refuse(audit, 503, "not_configured", QStringLiteral("not_configured"),
                                   tr("this server has no [billing] stripe_webhook_secrets")));

    StripeSignatureCheck check;
    check.secrets = m_options.stripeWebhookSecrets;
    check.toleranceSeconds = m_options.stripeToleranceSeconds;
    const StripeSignatureCheck::Result verdict
        = check.verify(request.header("stripe-signature"), request.body, now / 1000);
    if (verdict != StripeSignatureCheck::Result::Valid)
        return Verdict::now(refuse(audit, 400, "bad_signature",
                                   StripeSignatureCheck::reasonCode(verdict),
                                   tr("the Stripe-Signature header does not verify (%1)")
                                       .arg(StripeSignatureCheck::reasonCode(verdict))));

    QJsonParseError parseError;
    const QJsonDocument body = Protocol::parseJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !body.isObject())
        return Verdict::now(refuse(audit, 400, "bad_request", QStringLiteral("not_json"),
                                   tr("the body is not a JSON object")));
    const StripeEventReading reading = readStripeEvent(body.object());
    audit.eventId = reading.eventId;
    audit.eventType = reading.type;
    if (!reading.error.isEmpty())
        return Verdict::now(
            refuse(audit, 400, "bad_request", QStringLiteral("not_an_event"), reading.error));

    if (!reading.report)
        return ignored(audit, reading.ignoredReason);
    return Verdict::later(*reading.report, audit);
}

HttpResponse BillingService::stripeWebhook(const HttpRequest &request)
{
    const Verdict v = readStripeWebhook(request);
    return v.answer ? *v.answer : store(v.report, v.audit);
}

void BillingService::stripeWebhook(const HttpRequest &request, HttpRequestHandler::Reply reply)
{
    answerLater(readStripeWebhook(request), std::move(reply));
}

HttpResponse BillingService::appleWebhook(const HttpRequest &request)
{
    const Verdict v = readAppleWebhook(request);
    return v.answer ? *v.answer : store(v.report, v.audit);
}

void BillingService::appleWebhook(const HttpRequest &request, HttpRequestHandler::Reply reply)
{
    answerLater(readAppleWebhook(request), std::move(reply));
}

void BillingService::answerLater(const Verdict &verdict, HttpRequestHandler::Reply reply)
{
    if (verdict.answer) {
        reply(*verdict.answer);
        return;
    }
    SubscriptionReport report = verdict.report;
    report.plan = planFor(report);
    m_waiting.push_back({ report, verdict.audit, std::move(reply) });
    // Every webhook read in this turn of the event loop is stored in one commit at its end.
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(
            &m_context, [this] { storeWaiting(); }, Qt::QueuedConnection);
    }
}

void BillingService::storeWaiting()
{
    m_flushScheduled = false;
    std::vector<Waiting> batch;
    batch.swap(m_waiting);
    QList<std::pair<SubscriptionReport, BillingAuditRow>> events;
    for (const Waiting &w : batch)
        events.append({ w.report, w.audit });
    QString error;
    const std::optional<QList<BillingAuditRow>> stored = m_store->applyBatch(events, &error);
    for (size_t i = 0; i < batch.size(); ++i) {
        if (stored) {
            batch[i].reply(answerFor(batch[i].report, stored->at(qsizetype(i))));
            continue;
        }
        // The batch failed as a whole: each event on its own, so that one that cannot be
        // stored does not take the others down with it.
        const std::optional<BillingAuditRow> one
            = m_store->apply(batch[i].report, batch[i].audit, &error);
        batch[i].reply(one ? answerFor(batch[i].report, *one) : storageFailure(error));
    }
}

HttpResponse BillingService::answerFor(const SubscriptionReport &report,
                                       const BillingAuditRow &row) const
{
    qCInfo(lcBilling) << report.source << report.eventType << report.stamp.eventId << row.outcome
                      << row.state << row.reason;
    if (row.retryLater)
        return jsonError(
            503, "unavailable",
            tr("the event's subscription is not known yet (%1); send it again").arg(row.reason));
    return jsonResponse(200,
                        QJsonObject { { QStringLiteral("received"), true },
                                      { QStringLiteral("outcome"), row.outcome },
                                      { QStringLiteral("state"), row.state } });
}

HttpResponse BillingService::store(SubscriptionReport report, const BillingAuditRow &audit)
{
    report.plan = planFor(report);
    QString error;
    const std::optional<BillingAuditRow> stored = m_store->apply(report, audit, &error);
    if (!stored)
        return storageFailure(error);
    return answerFor(report, *stored);
}

BillingService::Verdict BillingService::readAppleWebhook(const HttpRequest &request)
{
    const qint64 now = m_clock();
    BillingAuditRow audit;
    audit.receivedAt = now;
    audit.source = QStringLiteral("apple");
    audit.bodySha256 = QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex();
    QJsonParseError parseError;
    const QJsonDocument body = Protocol::parseJson(request.body, &parseError);
    const QJsonValue signedPayload = body.object().value(QLatin1String("signedPayload"));
    if (parseError.error != QJsonParseError::NoError || !body.isObject())
        return Verdict::now(refuse(audit, 400, "bad_request", QStringLiteral("not_json"),
                                   tr("the body is not a JSON object")));
    if (body.object().contains(QLatin1String("notification_type")))
        return readAppleV1Webhook(body.object(), request, audit);
    if (!m_appleConfigured)
        return Verdict::now(
            refuse(audit, 503, "not_configured", QStringLiteral("not_configured"),
                   tr("this server has no [billing.apple] root_certificates and bundle_id")));
    if (!signedPayload.isString())
        return Verdict::now(refuse(audit, 400, "bad_request", QStringLiteral("no_signed_payload"),
                                   tr("expected {\"signedPayload\": JWS}")));
    const AppStoreEventReading reading
        = readAppStoreNotification(m_apple, signedPayload.toString().toLatin1(), now);
    audit.eventId = reading.eventId;
    audit.eventType = reading.type;
    if (reading.refusal != AppStoreVerifier::Refusal::None)
        return Verdict::now(refuse(audit, 400, "bad_signature",
                                   AppStoreVerifier::reasonCode(reading.refusal),
                                   tr("the signed payload does not verify (%1)")
                                       .arg(AppStoreVerifier::reasonCode(reading.refusal))));
    if (!reading.report)
        return ignored(audit, reading.ignoredReason);
    return Verdict::later(*reading.report, audit);
}

BillingService::Verdict BillingService::readAppleV1Webhook(const QJsonObject &body,
                                                           const HttpRequest &request,
                                                           BillingAuditRow audit)
{
    if (!m_receiptsConfigured)
        return Verdict::now(
            refuse(audit, 503, "not_configured", QStringLiteral("not_configured"),
                   tr("this server has no [billing.apple] shared_secret and bundle_id for "
                      "V1 notifications")));
    const AppStoreV1Reading reading
        = readAppStoreV1Notification(body, request.body, m_options.appleReceipts.sharedSecret,
                                     m_options.appleBundleId, m_options.appleEnvironment);
    audit.eventId = reading.eventId;
    audit.eventType = reading.type;
    if (!reading.refusal.isEmpty())
        return Verdict::now(
            refuse(audit, 400, "bad_signature", reading.refusal,
                   tr("the V1 notification is not this app's (%1)").arg(reading.refusal)));
    if (!reading.report)
        return ignored(audit, reading.ignoredReason);
    return Verdict::later(*reading.report, audit);
}

BillingService::Verdict BillingService::ignored(BillingAuditRow audit, const QString &reason)
{
    audit.outcome = QStringLiteral("ignored");
    audit.reason = reason;
    QString error;
    if (!m_store->record(audit, &error))
        return Verdict::now(storageFailure(error));
    return Verdict::now(jsonResponse(200,
                                     QJsonObject { { QStringLiteral("received"), true },
                                                   { QStringLiteral("outcome"), audit.outcome } }));
}

namespace {

    BillingAuditRow validationAudit(const HttpRequest &request, const QString &userId, qint64 now)
    {
        BillingAuditRow audit;
        audit.receivedAt = now;
        audit.source = QStringLiteral("apple");
        audit.userId = userId;
        audit.bodySha256
            = QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex();
        return audit;
    }

} // namespace

void BillingService::appleValidate(const HttpRequest &request, const QString &userId,
                                   HttpRequestHandler::Reply reply)
{
    QJsonParseError parseError;
    const QJsonObject body = Protocol::parseJson(request.body, &parseError).object();
    const QJsonValue receipt = body.value(QLatin1String("receipt_data"));
    if (parseError.error != QJsonParseError::NoError
        || body.contains(QLatin1String("signed_transaction")) || !receipt.isString()) {
        reply(appleValidate(request, userId));
        return;
    }
    BillingAuditRow audit = validationAudit(request, userId, m_clock());
    audit.eventType = QStringLiteral("verifyReceipt");
    if (!m_receiptsConfigured) {
        reply(refuse(audit, 503, "not_configured", QStringLiteral("not_configured"),
                     tr("this server has no [billing.apple] shared_secret and bundle_id for "
                        "receipts")));
        return;
    }
    const QByteArray data = receipt.toString().toLatin1();
    if (data.isEmpty()
        || QByteArray::fromBase64(data, QByteArray::AbortOnBase64DecodingErrors).isEmpty()) {
        reply(refuse(audit, 400, "bad_receipt", QStringLiteral("not_base64"),
                     tr("receipt_data must be the app receipt in Base64")));
        return;
    }
    const bool started
        = m_receipts->verify(data, [this, audit, reply](const ReceiptVerification &verification) {
              reply(receiptVerified(verification, audit));
          });
    if (!started) {
        HttpResponse busy
            = jsonError(503, "unavailable", tr("too many receipts are being verified; try again"));
        busy.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5") });
        reply(busy);
    }
}

HttpResponse BillingService::receiptVerified(const ReceiptVerification &verification,
                                             BillingAuditRow audit)
{
    if (!verification.succeeded()) {
        // A receipt Apple refuses is the client's; Apple unreachable or our shared secret
        // wrong is not: a 502 says "not you, the App Store (or this server's config)".
        const int status = verification.status();
        const bool receiptsFault = status == 21002 || status == 21003 || status == 21006
            || status == 21010 || status == 21007 || status == 21008;
        return refuse(audit, receiptsFault ? 400 : 502,
                      receiptsFault ? "bad_receipt" : "upstream_error", verification.failureCode(),
                      tr("the App Store did not validate the receipt: %1")
                          .arg(verification.failureMessage()));
    }
    const qint64 now = m_clock();
    // One answer of Apple's is one event: the same receipt validated later is another (its
    // request date, and perhaps its renewal info, differ), and the stamps order them.
    const QByteArray answer
        = QJsonDocument(verification.response()).toJson(QJsonDocument::Compact);
    const QString eventId
        = QStringLiteral("receipt:")
        + QString::fromLatin1(
              QCryptographicHash::hash(answer, QCryptographicHash::Sha256).toHex().left(32));
    const ReceiptReading reading
        = readReceipt(verification.response(), m_options.appleBundleId, now, eventId);
    if (!reading.refusal.isEmpty())
        return refuse(
            audit, 400, "bad_receipt", reading.refusal,
            tr("the receipt does not hold a subscription of this app (%1)").arg(reading.refusal));
    // A subscription the app tied to another of our users (appAccountToken), or one that is
    // another user's already, stays theirs: a receipt handed around moves nothing.
    QList<std::pair<SubscriptionReport, BillingAuditRow>> events;
    for (SubscriptionReport report : reading.reports) {
        if (report.userId && *report.userId != audit.userId)
            continue;
        if (!report.userId && !ownedByCallerOrNobody(report.subscriptionId, audit.userId))
            continue;
        report.userId = audit.userId;
        report.plan = planFor(report);
        BillingAuditRow row = audit;
        row.eventId = report.stamp.eventId;
        // Sandbox receipts are accepted (App Review buys there); the audit log says which.
        if (reading.environment == QLatin1String("Sandbox"))
            row.reason = QStringLiteral("sandbox");
        events.append({ report, row });
    }
    if (events.isEmpty())
        return refuse(audit, 403, "forbidden", QStringLiteral("another_users_transaction"),
                      tr("the receipt's subscriptions belong to another account"));
    QString error;
    const std::optional<QList<BillingAuditRow>> stored = m_store->applyBatch(events, &error);
    if (!stored)
        return storageFailure(error);
    // The answer speaks of the subscription that lasts longest (the first), as a webhook's.
    return answerFor(events.first().first, stored->first());
}

bool BillingService::ownedByCallerOrNobody(const QString &subscriptionId, const QString &userId)
{
    QString error;
    const std::optional<QString> owner = m_store->ownerOf(QStringLiteral("apple"), subscriptionId, &error);
    // A store that cannot say is no grant: refused, and the app may try again.
    return owner && (owner->isEmpty() || *owner == userId);
}

HttpResponse BillingService::appleValidate(const HttpRequest &request, const QString &userId)
{
    const qint64 now = m_clock();
    BillingAuditRow audit = validationAudit(request, userId, now);
    QJsonParseError parseError;
    const QJsonObject body = Protocol::parseJson(request.body, &parseError).object();
    const QJsonValue signedTransaction = body.value(QLatin1String("signed_transaction"));
    if (parseError.error != QJsonParseError::NoError || !signedTransaction.isString())
        return refuse(audit, 400, "bad_request", QStringLiteral("no_signed_transaction"),
                      tr("expected {\"signed_transaction\": JWS} or {\"receipt_data\": "
                         "Base64}"));
    if (!m_appleConfigured)
        return refuse(audit, 503, "not_configured", QStringLiteral("not_configured"),
                      tr("this server has no [billing.apple] root_certificates and bundle_id"));
    const AppStoreVerifier::Result t
        = m_apple.verifyTransaction(signedTransaction.toString().toLatin1(), now);
    if (t.refusal != AppStoreVerifier::Refusal::None)
        return refuse(audit, 400, "bad_signature", AppStoreVerifier::reasonCode(t.refusal),
                      tr("the transaction does not verify (%1)")
                          .arg(AppStoreVerifier::reasonCode(t.refusal)));
    const QJsonObject &p = t.payload;
    SubscriptionReport report;
    report.source = QStringLiteral("apple");
    report.eventType = QStringLiteral("validate");
    // A transaction is one event: validating it twice is a duplicate.
    const QString transactionId = p.value(QLatin1String("transactionId")).toString();
    report.stamp
        = EventStamp { Protocol::jsonInt64(p.value(QLatin1String("signedDate"))).value_or(0), 1,
                       QStringLiteral("transaction:") + transactionId };
    report.subscriptionId = p.value(QLatin1String("originalTransactionId")).toString();
    if (transactionId.isEmpty() || report.subscriptionId.isEmpty()
        || report.stamp.occurredAtMs <= 0)
        return refuse(audit, 400, "bad_request", QStringLiteral("not_a_transaction"),
                      tr("the transaction has no transactionId, originalTransactionId or "
                         "signedDate"));
    // Only a subscription grants a plan, and only its product decides which: a plan_code the
    // client names is not taken (it would let anyone with a cheap purchase pick the dearest
    // plan). A transaction the app tied to another user (appAccountToken) is theirs.
    if (p.value(QLatin1String("type")) != QLatin1String("Auto-Renewable Subscription")
        || !p.value(QLatin1String("expiresDate")).isDouble())
        return refuse(audit, 400, "bad_request", QStringLiteral("not_a_subscription"),
                      tr("the transaction is not an auto-renewable subscription"));
    if ((p.contains(QLatin1String("appAccountToken"))
         && userFromAppAccountToken(p.value(QLatin1String("appAccountToken"))) != userId)
        || (!p.contains(QLatin1String("appAccountToken"))
            && !ownedByCallerOrNobody(p.value(QLatin1String("originalTransactionId")).toString(),
                                      userId)))
        return refuse(audit, 403, "forbidden", QStringLiteral("another_users_transaction"),
                      tr("the transaction belongs to another account"));
    report.userId = userId; // the caller, authenticated: whoever bought it signed in here
    report.priceId = p.value(QLatin1String("productId")).toString();
    if (p.value(QLatin1String("expiresDate")).isDouble())
        report.expiresAtMs = Protocol::jsonInt64(p.value(QLatin1String("expiresDate"))).value_or(0);
    if (p.value(QLatin1String("price")).isDouble())
        report.price
            = moneyFromMilliUnits(Protocol::jsonInt64(p.value(QLatin1String("price"))).value_or(0),
                                  p.value(QLatin1String("currency")).toString());
    const bool trial = p.value(QLatin1String("offerDiscountType")) == QLatin1String("FREE_TRIAL");
    if (p.contains(QLatin1String("revocationDate")))
        report.state = SubscriptionState::Revoked;
    else
        report.state = trial ? SubscriptionState::Trial : SubscriptionState::Active;
    return store(report, audit);
}

QString planOfSubscription(const BillingOptions &options, const Subscription &s)
{
    // The price being paid decides; a plan_code (Stripe metadata) only for a price the config
    // does not map, since metadata stays behind when the customer changes price.
    if (options.prices.contains(s.priceId()))
        return options.prices.value(s.priceId());
    if (options.plans.contains(s.plan()))
        return s.plan();
    return QStringLiteral("free"); // a plan this config does not know grants nothing
}

std::optional<QString> BillingService::planFor(const SubscriptionReport &report) const
{
    if (report.priceId && m_options.prices.contains(*report.priceId))
        return m_options.prices.value(*report.priceId);
    return report.plan;
}

QString BillingService::planOf(const Subscription &s) const
{
    return planOfSubscription(m_options, s);
}

QJsonObject BillingService::limitsOf(const QString &plan) const
{
    QJsonObject limits;
    const QMap<QString, qint64> l = m_options.plans.value(plan);
    for (auto it = l.cbegin(); it != l.cend(); ++it)
        limits.insert(it.key(), double(it.value()));
    return limits;
}

BillingService::Entitlement BillingService::entitlement(const QList<Subscription> &subscriptions,
                                                        qint64 nowMs) const
{
    Entitlement best { QStringLiteral("free"), SubscriptionState::None, 0, nullptr };
    const Subscription *newest = nullptr;
    for (const Subscription &s : subscriptions) {
        if (!newest || newest->newest() < s.newest())
            newest = &s;
        const SubscriptionState state = s.effectiveState(nowMs);
        if (!grantsAccess(state))
            continue;
        // 0 (no expiry reported) lasts longest.
        const auto lasts
            = [](qint64 ms) { return ms <= 0 ? std::numeric_limits<qint64>::max() : ms; };
        if (!best.subscription || lasts(s.expiresAtMs()) > lasts(best.expiresAtMs))
            best = Entitlement { planOf(s), state, s.expiresAtMs(), &s };
    }
    if (!best.subscription && newest)
        best.state = newest->effectiveState(nowMs);
    return best;
}

namespace {

    // The first millisecond of the calendar month (UTC) holding `ms`.
    qint64 monthStart(qint64 ms)
    {
        const QDate d = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date();
        return QDateTime(QDate(d.year(), d.month(), 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    }

} // namespace

QString BillingService::Charge::reason() const
{
    switch (kind) {
    case Kind::Allowed:
        return {};
    case Kind::PaymentRequired:
        return QStringLiteral("payment_required");
    case Kind::RateLimited:
        return QStringLiteral("rate_limited");
    case Kind::Unavailable:
        return QStringLiteral("unavailable");
    }
    return {};
}

int BillingService::Charge::httpStatus() const
{
    return kind == Kind::PaymentRequired ? 402 : kind == Kind::RateLimited ? 429 : 503;
}

HttpResponse BillingService::Charge::response() const
{
    HttpResponse r = jsonError(httpStatus(), reason().toLatin1().constData(), message);
    if (kind == Kind::RateLimited) // RFC 9110 §10.2.3
        r.headers.append(
            { QByteArrayLiteral("Retry-After"), QByteArray::number(retryAfterSeconds) });
    return r;
}

BillingService::Charge BillingService::charge(const QString &userId, const QString &operation)
{
    QString error;
    const std::optional<QList<Subscription>> subscriptions
        = m_store->subscriptionsOf(userId, &error);
    if (!subscriptions)
        return { Charge::Kind::Unavailable, 0, tr("the plan could not be read: %1").arg(error) };
    const qint64 now = m_clock();
    const QMap<QString, qint64> limits
        = m_options.plans.value(entitlement(*subscriptions, now).plan);
    const auto perMinute = limits.find(operation + QStringLiteral("_per_minute"));
    const auto perMonth = limits.find(operation + QStringLiteral("_per_month"));

    // The rate first, in memory: a refused rate costs no database write.
    std::deque<qint64> *recent = nullptr;
    if (perMinute != limits.end()) {
        recent = &m_recent[userId + QLatin1Char('/') + operation];
        while (!recent->empty() && recent->front() <= now - 60000)
            recent->pop_front();
        if (qint64(recent->size()) >= *perMinute) {
            const qint64 wait = recent->empty() ? 60 : (recent->front() + 60000 - now + 999) / 1000;
            return { Charge::Kind::RateLimited, std::max<qint64>(wait, 1),
                     tr("at most %1 %2 a minute on this plan").arg(*perMinute).arg(operation) };
        }
    }
    if (perMonth != limits.end()) {
        const std::optional<qint64> used
            = m_store->countIfBelow(userId, operation, monthStart(now), *perMonth, &error);
        if (!used)
            return { Charge::Kind::Unavailable, 0,
                     tr("usage could not be counted: %1").arg(error) };
        if (*used >= *perMonth)
            return {
                Charge::Kind::PaymentRequired, 0,
                tr("this month's %1 %2 are used up; upgrade the plan").arg(*perMonth).arg(operation)
            };
    }
    if (recent) {
        recent->push_back(now);
        // Bounded by the plan's own rate; users that stop leave an empty queue behind.
        if (m_recent.size() > 100000)
            m_recent.clear();
    }
    return {};
}

void BillingService::refund(const QString &userId, const QString &operation)
{
    const auto recent = m_recent.find(userId + QLatin1Char('/') + operation);
    if (recent != m_recent.end() && !recent->empty())
        recent->pop_back();
    QString error;
    if (!m_store->uncount(userId, operation, monthStart(m_clock()), &error))
        qCWarning(lcBilling) << "could not take back a charge:" << error;
}

HttpResponse BillingService::subscriptionStatus(const QString &userId)
{
    QString error;
    const std::optional<QList<Subscription>> subscriptions
        = m_store->subscriptionsOf(userId, &error);
    if (!subscriptions)
        return storageFailure(error);
    const qint64 now = m_clock();
    const Entitlement e = entitlement(*subscriptions, now);
    const std::optional<QMap<QString, qint64>> used
        = m_store->usage(userId, monthStart(now), &error);
    if (!used)
        return storageFailure(error);
    QJsonObject usage;
    for (const char *operation : { kCellRuns, kFileAnalyses })
        usage.insert(QLatin1String(operation), double(used->value(QLatin1String(operation))));
    QJsonArray list;
    for (const Subscription &s : *subscriptions)
        list.append(QJsonObject {
            { QStringLiteral("source"), s.source() },
            { QStringLiteral("id"), s.subscriptionId() },
            { QStringLiteral("plan"), planOf(s) },
            { QStringLiteral("state"), stateName(s.effectiveState(now)) },
            { QStringLiteral("expires_at"), isoTime(s.expiresAtMs()) },
            { QStringLiteral("auto_renew"), s.autoRenew() },
            { QStringLiteral("price"),
              s.price().currency.isEmpty()
                  ? QJsonValue(QJsonValue::Null)
                  : QJsonValue(
                      QJsonObject { { QStringLiteral("amount"), double(s.price().amountMinor) },
                                    { QStringLiteral("currency"), s.price().currency } }) },
            { QStringLiteral("offer"), orNull(s.offer()) },
        });
    return jsonResponse(
        200,
        QJsonObject {
            // The caller's id: what a Stripe Checkout Session's client_reference_id names.
            { QStringLiteral("user_id"), userId },
            { QStringLiteral("plan"), e.plan },
            { QStringLiteral("state"), stateName(e.state) },
            { QStringLiteral("expires_at"), isoTime(e.expiresAtMs) },
            { QStringLiteral("source"),
              e.subscription ? QJsonValue(e.subscription->source())
                             : QJsonValue(QJsonValue::Null) },
            { QStringLiteral("limits"), limitsOf(e.plan) },
            { QStringLiteral("usage"), usage }, // this calendar month's (UTC)
            { QStringLiteral("subscriptions"), list },
        });
}

HttpResponse BillingService::history(const QString &userId)
{
    QString error;
    const std::optional<QList<BillingAuditRow>> rows = m_store->history(userId, 1000, &error);
    if (!rows)
        return storageFailure(error);
    QJsonArray events;
    for (const BillingAuditRow &r : *rows)
        events.append(QJsonObject {
            { QStringLiteral("received_at"), isoTime(r.receivedAt) },
            { QStringLiteral("source"), r.source },
            { QStringLiteral("event_id"), r.eventId },
            { QStringLiteral("type"), r.eventType },
            { QStringLiteral("subscription_id"), r.subscriptionId },
            { QStringLiteral("outcome"), r.outcome },
            { QStringLiteral("reason"), orNull(r.reason) },
            { QStringLiteral("state"), orNull(r.state) },
        });
    return jsonResponse(200, QJsonObject { { QStringLiteral("events"), events } });
}

HttpResponse BillingService::license(const QString &userId)
{
    QString error;
    const std::optional<QList<Subscription>> subscriptions
        = m_store->subscriptionsOf(userId, &error);
    if (!subscriptions)
        return storageFailure(error);
    const qint64 now = m_clock();
    const Entitlement e = entitlement(*subscriptions, now);
    // Offline until the subscription's expiry, and never longer than license_max_days: a
    // refund or revocation reaches an app that stays offline within that time.
    qint64 expires = now / 1000 + qint64(m_options.licenseMaxDays) * 86400;
    if (e.expiresAtMs > 0)
        expires = std::min(expires, e.expiresAtMs / 1000);
    const EntitlementClaims claims { userId,           e.plan,     stateName(e.state),
                                     limitsOf(e.plan), now / 1000, expires };
    const QByteArray token = EntitlementToken::sign(claims, m_keys.first());
    return jsonResponse(200,
                        QJsonObject {
                            { QStringLiteral("license"), QString::fromLatin1(token) },
                            { QStringLiteral("plan"), e.plan },
                            { QStringLiteral("state"), stateName(e.state) },
                            { QStringLiteral("expires_at"), isoTime(expires * 1000) },
                        });
}

HttpResponse BillingService::keys() const
{
    QJsonArray keys;
    for (const Ed25519Key &key : m_keys)
        keys.append(key.publicJwk());
    return jsonResponse(200, QJsonObject { { QStringLiteral("keys"), keys } });
}

} // namespace Kyozo::Server
