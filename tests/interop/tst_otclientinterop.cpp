// Interop (issue 15 "Proven by"): node runs three clients made of the unchanged `phoenix`
// client and ot.js 0.0.15's own `Client` state machine (ot_client_interop.mjs), editing one
// notebook of a real kyozo-server at once. Their texts must be identical and equal to
// GET /api/v1/notebooks/{id}. With CI=true a missing node or node_modules fails.
#include "requiredtool.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

class TestOtClientInterop : public QObject
{
    Q_OBJECT
private slots:
    void threeOtJsClientsConverge()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        KYOZO_REQUIRE(!node.isEmpty(), QStringLiteral("node"));
        const QDir interop(QStringLiteral(KYOZO_INTEROP_DIR));
        KYOZO_REQUIRE(interop.exists(QStringLiteral("node_modules/ot"))
                          && interop.exists(QStringLiteral("node_modules/phoenix")),
                      QStringLiteral("tests/interop/node_modules (npm ci)"));

        KyozoTest::TemporaryServer server;
        QString error;
        QVERIFY2(server.start(QStringLiteral(
                                  "[limits]\nmessages_per_second = 5000\nmessage_burst = 10000\n"),
                              &error),
                 qPrintable(error));
        const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                                 QStringLiteral("owner"));
        const QString initial = QStringLiteral("# Shared\r\nsome text to edit\n");
        const KyozoTest::RestResponse created = KyozoTest::restRequest(
            "POST", server.url("/api/v1/workspaces/lab/notebooks"), ada,
            QJsonDocument(QJsonObject { { "title", "interop" }, { "content", initial } }).toJson());
        QCOMPARE(created.status, 201);
        const QString id = created.json.value("id").toString();

        bool ok = false;
        const quint32 envSeed = qEnvironmentVariable("KYOZO_SEED").toUInt(&ok);
        const quint32 seed = ok ? envSeed : 15;
        QProcess p;
        p.setWorkingDirectory(interop.path());
        p.start(node,
                { interop.filePath(QStringLiteral("ot_client_interop.mjs")),
                  QStringLiteral("ws://127.0.0.1:%1/socket").arg(server.port()), ada, id,
                  QStringLiteral("150"), QString::number(seed) });
        QVERIFY(p.waitForFinished(90000));
        const QByteArray out = p.readAllStandardOutput();
        QVERIFY2(p.exitCode() == 0,
                 qPrintable(QStringLiteral("seed %1: %2 %3")
                                .arg(seed)
                                .arg(QString::fromUtf8(out),
                                     QString::fromUtf8(p.readAllStandardError()))));
        const QJsonObject result
            = QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
        const QJsonArray texts = result.value("texts").toArray();
        QCOMPARE(texts.size(), 3);

        const KyozoTest::RestResponse latest
            = KyozoTest::restRequest("GET", server.url("/api/v1/notebooks/" + id), ada);
        QCOMPARE(latest.status, 200);
        const QString content = latest.json.value("content").toString();
        for (const QJsonValue &t : texts)
            QVERIFY2(
                t.toString() == content,
                qPrintable(QStringLiteral("seed %1: a client differs from the server").arg(seed)));
        for (const QJsonValue &r : result.value("revisions").toArray())
            QCOMPARE(r.toInteger(), latest.json.value("revision").toInteger());
        QVERIFY(latest.json.value("revision").toInteger() > 0);
        QVERIFY(content != initial);
        qInfo("seed %u: 3 ot.js clients, revision %lld, %lld code units", seed,
              latest.json.value("revision").toInteger(), qint64(content.size()));
    }
};

QTEST_GUILESS_MAIN(TestOtClientInterop)
#include "tst_otclientinterop.moc"
