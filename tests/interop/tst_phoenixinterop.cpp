// Runs phoenix_interop.mjs (the unchanged `phoenix` npm client) against a real
// kyozo-server. With CI=true a missing node or node_modules fails instead of skipping.
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"
#include "tlstestcertificates.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

class TestPhoenixInterop : public QObject
{
    Q_OBJECT
private slots:
    void phoenixClient()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        KYOZO_REQUIRE(!node.isEmpty(), QStringLiteral("node"));
        const QDir interop(QStringLiteral(KYOZO_INTEROP_DIR));
        KYOZO_REQUIRE(interop.exists(QStringLiteral("node_modules/phoenix")),
                      QStringLiteral("tests/interop/node_modules (npm ci)"));

        // Cells run as nobody when the suite is root: their folder's parents must let it in.
        QTemporaryDir work;
        QVERIFY(QFile::setPermissions(work.path(), QFileDevice::Permissions(0x7755)));
        KyozoTest::TemporaryServer server;
        QString error;
        QVERIFY2(server.start(QStringLiteral("[execution]\nenabled = true\nworking_directory = \"%1\"\n")
                                      .arg(work.filePath(QStringLiteral("runs"))),
                              &error),
                 qPrintable(error));
        const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"), QStringLiteral("owner"));
        const QString bob = server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"), QStringLiteral("editor"));
        QVERIFY(server.admin({ "user", "add", "eve", "--workspace", "elsewhere", "--role", "owner" }) == 0);
        const KyozoTest::RestResponse created = KyozoTest::restRequest(
                "POST", server.url(QStringLiteral("/api/v1/workspaces/lab/notebooks")), ada,
                QJsonDocument(QJsonObject { { "title", "cells" },
                                            { "content", "```sh {#hello}\necho hello from a cell\n```\n" } })
                        .toJson());
        QCOMPARE(created.status, 201);
        const QString notebook = created.json.value(QStringLiteral("id")).toString();

        QProcess p;
        p.setWorkingDirectory(interop.path());
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(node, { interop.filePath(QStringLiteral("phoenix_interop.mjs")),
                        QStringLiteral("ws://127.0.0.1:%1/socket").arg(server.port()), ada, bob,
                        notebook });
        QVERIFY(p.waitForFinished(30000));
        const QByteArray out = p.readAll();
        qInfo("%s", out.constData());
        QCOMPARE(p.exitCode(), 0);
        for (const char *check : { "ok bad token refused", "ok join and push with reply", "ok broadcasts between sockets",
                                   "ok presence of two users, one on two sockets", "ok unauthorised topic refused",
                                   "ok execute a cell with execution_update and cell_output",
                                   "ok execute refused outside a notebook" })
            QVERIFY2(out.contains(check), check);
    }

    // Issue 21 item 2: the same client over wss:// to a server with [tls], trusting the
    // test's CA as node trusts an operator's (NODE_EXTRA_CA_CERTS); without the CA node
    // refuses the certificate.
    void phoenixClientOverWss()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        KYOZO_REQUIRE(!node.isEmpty(), QStringLiteral("node"));
        const QDir interop(QStringLiteral(KYOZO_INTEROP_DIR));
        KYOZO_REQUIRE(interop.exists(QStringLiteral("node_modules/phoenix")),
                      QStringLiteral("tests/interop/node_modules (npm ci)"));
        QTemporaryDir tls;
        QVERIFY(KyozoTest::TlsTestCertificates().writeTo(tls.path()));
        KyozoTest::TemporaryServer server;
        QString error;
        QVERIFY2(server.start(QStringLiteral("[tls]\ncertificate = \"%1\"\nprivate_key = \"%2\"\n")
                                  .arg(tls.filePath(QStringLiteral("server.pem")),
                                       tls.filePath(QStringLiteral("server.key"))),
                              &error),
                 qPrintable(error));
        QCOMPARE(server.url(QStringLiteral("/")).scheme(), QStringLiteral("https"));
        const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                                 QStringLiteral("owner"));
        const QString bob = server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"),
                                                 QStringLiteral("editor"));
        const QString url = QStringLiteral("wss://127.0.0.1:%1/socket").arg(server.port());
        const auto run = [&](bool trustCa) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("NODE_EXTRA_CA_CERTS"));
            if (trustCa)
                env.insert(QStringLiteral("NODE_EXTRA_CA_CERTS"),
                           tls.filePath(QStringLiteral("ca.pem")));
            p.setProcessEnvironment(env);
            p.setWorkingDirectory(interop.path());
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(node,
                    { interop.filePath(QStringLiteral("phoenix_presence_interop.mjs")), url, ada,
                      bob });
            p.waitForFinished(30000);
            const QByteArray out = p.readAll();
            qInfo("%s", out.constData());
            return std::make_pair(p.exitCode(), out);
        };
        const auto [trusted, out] = run(true);
        QCOMPARE(trusted, 0);
        QVERIFY(out.contains("ok join"));
        QVERIFY(out.contains("ok presence"));
        const auto [untrusted, refused] = run(false);
        QCOMPARE(untrusted, 1);
        QVERIFY2(refused.contains("FAIL socket error"), refused.constData());
    }
};

QTEST_GUILESS_MAIN(TestPhoenixInterop)
#include "tst_phoenixinterop.moc"
