// The plan in the editor (issue 20 item 4): the licence fetched from the real server shows
// as the plan in the status bar, is verified offline once the server is gone, and a licence
// that does not verify is said once without stopping anything.
#include "billing/stripesignature.h"
#include "mainwindow.h"
#include "net/licensekeeper.h"
#include "net/restclient.h"
#include "net/tokenstore.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "testpaths.h"
#include "xvfbmain.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Kyozo::App;

class TestLicense : public QObject
{
    Q_OBJECT
public:
    explicit TestLicense(QString display)
        : m_display(std::move(display))
    {
    }

private:
    QString m_display; // empty: offscreen, no Xvfb here

private slots:
    void thePlanShowsAndSurvivesGoingOffline()
    {
        QTemporaryDir home;
        KyozoTest::useOwnAppHome(home.path());
        KyozoTest::TemporaryServer server;
        QString error;
        QVERIFY2(server.start(QStringLiteral("[billing]\nstripe_webhook_secrets = [\"whsec_app\"]\n"
                                             "[billing.plans.pro]\ncell_runs_per_month = 100\n"),
                              &error),
                 qPrintable(error));
        const QString ada = server.userWithToken("ada", "lab", "owner");
        const QString userId
            = KyozoTest::restRequest("GET", server.url("/api/v1/billing/subscription/status"), ada)
                  .json.value("user_id")
                  .toString();
        QVERIFY(!userId.isEmpty());
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QByteArray event
            = QJsonDocument(
                  QJsonObject {
                      { "id", "evt_1" },
                      { "object", "event" },
                      { "type", "customer.subscription.created" },
                      { "created", double(now) },
                      { "data",
                        QJsonObject {
                            { "object",
                              QJsonObject { { "id", "sub_1" },
                                            { "customer", "cus_1" },
                                            { "status", "active" },
                                            { "current_period_end", double(now + 10 * 86400) },
                                            { "metadata",
                                              QJsonObject { { "user_id", userId },
                                                            { "plan_code", "pro" } } } } } } } })
                  .toJson(QJsonDocument::Compact);
        QCOMPARE(KyozoTest::restRequest(
                     "POST", server.url("/api/v1/billing/webhooks/stripe"), {}, event,
                     "application/json", 10000,
                     { { "Stripe-Signature",
                         Kyozo::Billing::StripeSignatureCheck::sign(event, "whsec_app", now) } })
                     .status,
                 200);

        MainWindow window;
        auto *plan = window.findChild<QLabel *>(QStringLiteral("planStatus"));
        QVERIFY(plan);
        const QUrl url = server.url({});
        {
            RestClient rest(url, ada);
            LicenseKeeper keeper(&rest);
            connect(&keeper, &LicenseKeeper::planChanged, &window, &MainWindow::showPlan);
            keeper.start();
            QTRY_COMPARE_WITH_TIMEOUT(plan->text(), QStringLiteral("Plan: Pro"), 10000);
            // What a person sees: the plan beside the connection in the status bar.
            window.resize(1000, 640);
            window.showConnectionStatus(QStringLiteral("Connected to %1").arg(url.toString()));
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QVERIFY(KYOZO_SAVE_SCREENSHOT(window.grab().toImage(), "kyozo-plan-status.png"));
        }

        // The server is gone: the kept licence, verified with the kept keys, still says Pro.
        QCOMPARE(server.stop(), 0);
        plan->clear();
        {
            RestClient rest(url, ada);
            LicenseKeeper keeper(&rest);
            connect(&keeper, &LicenseKeeper::planChanged, &window, &MainWindow::showPlan);
            keeper.start();
            QCOMPARE(plan->text(), QStringLiteral("Plan: Pro")); // at once, before any answer
        }

        // A licence changed on disk does not verify: said once, and only once.
        TokenStore store(QStringLiteral("license:") + url.toString(QUrl::RemoveUserInfo));
        QString kept = *store.read();
        kept[kept.size() - 3]
            = kept[kept.size() - 3] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        QVERIFY(store.write(kept));
        for (int round = 0; round < 2; ++round) {
            RestClient rest(url, ada);
            LicenseKeeper keeper(&rest);
            QSignalSpy notices(&keeper, &LicenseKeeper::notice);
            connect(&keeper, &LicenseKeeper::planChanged, &window, &MainWindow::showPlan);
            keeper.start();
            QCOMPARE(plan->text(), QStringLiteral("Plan: unknown"));
            QCOMPARE(notices.size(), round == 0 ? 1 : 0);
            if (round == 0)
                QVERIFY(
                    notices.first().first().toString().contains(QStringLiteral("bad_signature")));
        }
    }
};

KYOZO_TEST_MAIN_UNDER_XVFB(TestLicense, "1280x800x24")
#include "tst_license.moc"
