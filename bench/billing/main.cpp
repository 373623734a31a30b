// bench/billing (issue 20 "Benchmark"): webhook verification + state update throughput and
// latency on a real kyozo-server, SQLite and PostgreSQL. Stripe events (HMAC-signed, one
// state change each, spread over 200 subscriptions) and App Store Server Notifications V2
// (ES256 + x5c chain to a test root, each carrying a signed transaction, so three JWS and
// two chains verified per notification) are signed before the clock starts, then posted
// over `--connections` keep-alive connections. The floor, measured in the same run and the
// same way: GET /healthz, the HTTP front and routing with no billing work.
// Prints figures; never part of ctest's pass/fail.
#include "appletestchain.h"
#include "billing/stripesignature.h"
#include "postgresserver.h"
#include "temporaryserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace KyozoTest;

namespace {

struct Request
{
    QByteArray path;
    QByteArray body; // empty: GET
    QList<std::pair<QByteArray, QByteArray>> headers;
};

struct Figures
{
    double perSecond = 0;
    double p50 = 0, p99 = 0;
    int failed = 0;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

// Every request, `connections` in flight at a time (QNetworkAccessManager keeps up to six
// HTTP/1.1 connections per host alive).
Figures run(const QUrl &base, const QList<Request> &requests, int connections)
{
    QNetworkAccessManager nam;
    std::vector<double> latencies;
    int next = 0, done = 0, failed = 0;
    QElapsedTimer wall;
    QEventLoop loop;
    std::function<void()> sendOne = [&] {
        if (next >= requests.size())
            return;
        const Request &r = requests[next++];
        QNetworkRequest req(base.resolved(QUrl(QString::fromLatin1(r.path))));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        for (const auto &[name, value] : r.headers)
            req.setRawHeader(name, value);
        auto *clock = new QElapsedTimer;
        clock->start();
        QNetworkReply *reply = r.body.isEmpty() ? nam.get(req) : nam.post(req, r.body);
        QObject::connect(reply, &QNetworkReply::finished, [&, reply, clock] {
            latencies.push_back(double(clock->nsecsElapsed()) / 1e6);
            delete clock;
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
                ++failed;
            reply->deleteLater();
            if (++done == requests.size())
                loop.quit();
            else
                sendOne();
        });
    };
    wall.start();
    for (int i = 0; i < connections; ++i)
        sendOne();
    loop.exec();
    Figures f;
    f.perSecond = double(requests.size()) / (double(wall.nsecsElapsed()) / 1e9);
    f.p50 = percentile(latencies, 0.5);
    f.p99 = percentile(latencies, 0.99);
    f.failed = failed;
    return f;
}

QByteArray stripeEvent(int i, qint64 now)
{
    const QString sub = QStringLiteral("sub_%1").arg(i % 200);
    const QStringList statuses { "active", "past_due", "trialing", "active" };
    return QJsonDocument(
               QJsonObject {
                   { "id", QStringLiteral("evt_%1").arg(i) },
                   { "object", "event" },
                   { "type", "customer.subscription.updated" },
                   { "created", double(now - 1000 + i / 200) },
                   { "livemode", false },
                   { "data",
                     QJsonObject {
                         { "object",
                           QJsonObject {
                               { "id", sub },
                               { "object", "subscription" },
                               { "customer", "cus_" + sub },
                               { "status", statuses[i % statuses.size()] },
                               { "cancel_at_period_end", false },
                               { "current_period_end", double(now + 86400 * 30) },
                               { "metadata", QJsonObject { { "plan_code", "pro" } } },
                               { "items",
                                 QJsonObject {
                                     { "data",
                                       QJsonArray { QJsonObject {
                                           { "price",
                                             QJsonObject {
                                                 { "id", "price_pro" },
                                                 { "unit_amount", 900 },
                                                 { "currency", "usd" } } } } } } } } } } } } })
        .toJson(QJsonDocument::Compact);
}

QByteArray appleNotification(const AppleTestChain &chain, int i, qint64 nowMs)
{
    const QJsonObject transaction { { "transactionId", QString::number(3000000000LL + i) },
                                    { "originalTransactionId",
                                      QString::number(1000000000LL + i % 200) },
                                    { "bundleId", "app.kyozo.Kyozo" },
                                    { "productId", "app.kyozo.pro.monthly" },
                                    { "expiresDate", double(nowMs + 86400000) },
                                    { "type", "Auto-Renewable Subscription" },
                                    { "environment", "Sandbox" },
                                    { "price", 9990 },
                                    { "currency", "USD" },
                                    { "signedDate", double(nowMs) } };
    const QJsonObject payload {
        { "notificationType", i % 3 == 0 ? "DID_RENEW" : "SUBSCRIBED" },
        { "notificationUUID", QStringLiteral("uuid-%1").arg(i) },
        { "version", "2.0" },
        { "signedDate", double(nowMs - 1000000 + i) },
        { "data",
          QJsonObject {
              { "bundleId", "app.kyozo.Kyozo" },
              { "environment", "Sandbox" },
              { "signedTransactionInfo", QString::fromLatin1(chain.sign(transaction)) } } }
    };
    return QJsonDocument(
               QJsonObject { { "signedPayload", QString::fromLatin1(chain.sign(payload)) } })
        .toJson(QJsonDocument::Compact);
}

void print(const char *backend, const char *what, const Figures &f, double floor)
{
    std::printf(
        "%-10s %-26s %9.0f /s  p50 %6.2f ms  p99 %6.2f ms  failed %d  (%.2fx the /healthz floor)\n",
        backend, what, f.perSecond, f.p50, f.p99, f.failed, f.perSecond / floor);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("kyozo-server billing webhook benchmark"));
    parser.addHelpOption();
    QCommandLineOption eventsOption(QStringLiteral("events"),
                                    QStringLiteral("events per kind (default 5000)"),
                                    QStringLiteral("N"), QStringLiteral("5000"));
    QCommandLineOption connectionsOption(QStringLiteral("connections"),
                                         QStringLiteral("requests in flight (default 6)"),
                                         QStringLiteral("N"), QStringLiteral("6"));
    QCommandLineOption sqliteOnly(QStringLiteral("sqlite-only"), QStringLiteral("skip PostgreSQL"));
    QCommandLineOption stripeOnly(QStringLiteral("stripe-only"),
                                  QStringLiteral("only the Stripe webhooks (for a profiler)"));
    parser.addOptions({ eventsOption, connectionsOption, sqliteOnly, stripeOnly });
    parser.process(app);
    const int events = parser.value(eventsOption).toInt();
    const int connections = parser.value(connectionsOption).toInt();

    const AppleTestChain chain;
    QTemporaryDir dir;
    QFile root(dir.filePath(QStringLiteral("root.pem")));
    if (!root.open(QIODevice::WriteOnly))
        return 1;
    root.write(chain.rootPem());
    root.close();
    const QString config
        = QStringLiteral(
              "[billing]\nstripe_webhook_secrets = [\"whsec_bench\"]\n[billing.plans.pro]\n"
              "[billing.apple]\nroot_certificates = [\"%1\"]\nbundle_id = \"app.kyozo.Kyozo\"\n"
              "environment = \"Sandbox\"\n")
              .arg(root.fileName());

    std::printf("signing %d Stripe events and %d App Store notifications...\n", events, events);
    std::fflush(stdout);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<Request> stripe, apple, healthz;
    for (int i = 0; i < events; ++i) {
        const QByteArray body = stripeEvent(i, now);
        stripe.append(
            { "/api/v1/billing/webhooks/stripe",
              body,
              { { "Stripe-Signature",
                  Kyozo::Billing::StripeSignatureCheck::sign(body, "whsec_bench", now) } } });
        apple.append(
            { "/api/v1/billing/webhooks/apple", appleNotification(chain, i, now * 1000), {} });
        healthz.append({ "/healthz", {}, {} });
    }

    PostgresServer postgres;
    QList<std::pair<const char *, QString>> backends { { "sqlite", QString() } };
    QString error;
    if (!parser.isSet(sqliteOnly)) {
        if (postgres.start(&error))
            backends.append({ "postgres", postgres.createDatabase(&error) });
        else
            std::printf("PostgreSQL skipped: %s\n", qPrintable(error));
    }
    std::printf("%d requests of each kind, %d in flight, kyozo-server on loopback\n", events,
                connections);
    for (const auto &[name, url] : backends) {
        TemporaryServer server(url);
        if (!server.start(config, &error)) {
            std::printf("%s: %s\n", name, qPrintable(error));
            return 1;
        }
        const QUrl base = server.url(QStringLiteral("/"));
        if (parser.isSet(stripeOnly)) {
            print(name, "Stripe webhooks", run(base, stripe, connections), 1);
            continue;
        }
        const Figures floor = run(base, healthz, connections);
        print(name, "GET /healthz (floor)", floor, floor.perSecond);
        print(name, "Stripe webhooks", run(base, stripe, connections), floor.perSecond);
        print(name, "App Store notifications V2", run(base, apple, connections), floor.perSecond);
    }
    std::printf("targets: >= 2,000 Stripe events/s, >= 500 App Store notifications/s\n");
    return 0;
}
