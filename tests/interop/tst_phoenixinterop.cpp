// Runs phoenix_interop.mjs (the unchanged `phoenix` npm client) against a real
// kyozo-server. With CI=true a missing node or node_modules fails instead of skipping.
#include "requiredtool.h"
#include "temporaryserver.h"

#include <QDir>
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

        KyozoTest::TemporaryServer server;
        QString error;
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const QString ada = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"), QStringLiteral("owner"));
        const QString bob = server.userWithToken(QStringLiteral("bob"), QStringLiteral("lab"), QStringLiteral("editor"));
        QVERIFY(server.admin({ "user", "add", "eve", "--workspace", "elsewhere", "--role", "owner" }) == 0);

        QProcess p;
        p.setWorkingDirectory(interop.path());
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(node, { interop.filePath(QStringLiteral("phoenix_interop.mjs")),
                        QStringLiteral("ws://127.0.0.1:%1/socket").arg(server.port()), ada, bob });
        QVERIFY(p.waitForFinished(30000));
        const QByteArray out = p.readAll();
        qInfo("%s", out.constData());
        QCOMPARE(p.exitCode(), 0);
        for (const char *check : { "ok bad token refused", "ok join and push with reply", "ok broadcasts between sockets",
                                   "ok presence of two users, one on two sockets", "ok unauthorised topic refused",
                                   "ok execute is not implemented yet" })
            QVERIFY2(out.contains(check), check);
    }
};

QTEST_GUILESS_MAIN(TestPhoenixInterop)
#include "tst_phoenixinterop.moc"
