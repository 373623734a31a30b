// Billing against real third-party code (issue 20, "Proven by"): stripe-node 19 signs the
// webhooks kyozo-server accepts and checks what Kyozo's StripeSignatureCheck signs; the npm
// `jose` package verifies the server's licence from its published keys (billing_interop.mjs).
#include "billing/stripesignature.h"
#include "requiredtool.h"
#include "temporaryserver.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace KyozoTest;

class TestBillingInterop : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty(),
                      QStringLiteral("node"));
        KYOZO_REQUIRE(
            QDir(QStringLiteral(KYOZO_INTEROP_DIR)).exists(QStringLiteral("node_modules/stripe"))
                && QDir(QStringLiteral(KYOZO_INTEROP_DIR))
                       .exists(QStringLiteral("node_modules/jose")),
            QStringLiteral("tests/interop/node_modules (npm ci)"));
    }

    void stripeAndJoseAgreeWithKyozo()
    {
        TemporaryServer server;
        QString error;
        QVERIFY2(
            server.start(QStringLiteral("[billing]\nstripe_webhook_secrets = [\"whsec_interop\"]\n"
                                        "[billing.plans.pro]\ncell_runs_per_month = 5\n"),
                         &error),
            qPrintable(error));
        const QString token = server.userWithToken("ada", "lab", "owner");
        QVERIFY(!token.isEmpty());

        const QByteArray ourPayload = R"({"id":"evt_from_kyozo","object":"event","type":"ping"})";
        const QByteArray ourHeader = Kyozo::Billing::StripeSignatureCheck::sign(
            ourPayload, "whsec_interop", QDateTime::currentSecsSinceEpoch());

        QProcess node;
        node.setWorkingDirectory(QStringLiteral(KYOZO_INTEROP_DIR));
        node.start(QStandardPaths::findExecutable(QStringLiteral("node")),
                   { QDir(QStringLiteral(KYOZO_INTEROP_DIR))
                         .filePath(QStringLiteral("billing_interop.mjs")) });
        QVERIFY(node.waitForStarted(10000));
        node.write(QJsonDocument(
                       QJsonObject { { "url", server.url({}).toString(QUrl::StripTrailingSlash) },
                                     { "token", token },
                                     { "secret", "whsec_interop" },
                                     { "ourPayload", QString::fromLatin1(ourPayload) },
                                     { "ourHeader", QString::fromLatin1(ourHeader) } })
                       .toJson(QJsonDocument::Compact));
        node.closeWriteChannel();
        QVERIFY(node.waitForFinished(60000));
        const QByteArray err = node.readAllStandardError();
        QVERIFY2(node.exitStatus() == QProcess::NormalExit && node.exitCode() == 0,
                 err.constData());
        const QJsonObject seen = QJsonDocument::fromJson(node.readAllStandardOutput()).object();

        QCOMPARE(seen.value("outcomes").toVariant().toStringList(),
                 (QStringList { "accepted", "accepted" }));
        QCOMPARE(seen.value("alg").toString(), QStringLiteral("EdDSA"));
        QCOMPARE(seen.value("sub").toString(), seen.value("userId").toString());
        QCOMPARE(seen.value("plan").toString(), QStringLiteral("pro")); // the webhooks' plan
        // A paid plan's licence ends with the subscription's period.
        QCOMPARE(seen.value("exp").toInteger(), seen.value("end").toInteger());
        const QJsonObject status = seen.value("status").toObject();
        QCOMPARE(status.value("state").toString(), QStringLiteral("active"));
        QCOMPARE(status.value("limits").toObject().value("cell_runs_per_month").toInt(), 5);
        // JPY has no minor unit: 1500 is ¥1,500, kept as Stripe wrote it.
        const QJsonObject price
            = status.value("subscriptions").toArray().at(0).toObject().value("price").toObject();
        QCOMPARE(price.value("currency").toString(), QStringLiteral("JPY"));
        QCOMPARE(price.value("amount").toInt(), 1500);
    }
};

QTEST_GUILESS_MAIN(TestBillingInterop)
#include "tst_billinginterop.moc"
