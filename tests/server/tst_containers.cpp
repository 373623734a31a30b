// Service cells and the container topic through the real kyozo-server (issue 17 item 4,
// docs/server.md "Services"): a ```sh {service=web}``` cell runs past the wall-clock limit,
// reports deploying → running on execution:container:{id}, its log line and its metrics from
// /proc; `stop` ends it `stopped` with no process left; a service that exits non-zero is
// `failed`, and a later joiner is told so; run all leaves services alone; viewers watch but do
// not stop; members of another workspace cannot join. Expected values are written by hand.
#include "channelclient.h"
#include "restrequest.h"
#include "systemuser.h"
#include "temporaryserver.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace KyozoTest;

namespace {

QJsonObject payloadOf(const QJsonArray &f)
{
    return f[4].toObject();
}
QJsonObject response(const QJsonArray &f)
{
    return payloadOf(f).value("response").toObject();
}
bool replyOk(const QJsonArray &f)
{
    return payloadOf(f).value("status").toString() == "ok";
}
QString notebookTopic(const QString &id)
{
    return QStringLiteral("execution:notebook:") + id;
}
QString containerTopic(const QString &id)
{
    return QStringLiteral("execution:container:") + id;
}


// The statuses of every container_update received on `topic`, in order (not consumed).
QStringList containerStatuses(const ChannelClient &c, const QString &topic)
{
    QStringList out;
    for (const QJsonArray &f : c.pending())
        if (f[2].toString() == topic && f[3].toString() == "container_update")
            out.append(payloadOf(f).value("status").toString());
    return out;
}

QString containerLog(const ChannelClient &c, const QString &topic)
{
    QString text;
    for (const QJsonArray &f : c.pending())
        if (f[2].toString() == topic && f[3].toString() == "container_log")
            text += payloadOf(f).value("output").toString();
    return text;
}

} // namespace

class TestContainers : public QObject
{
    Q_OBJECT
    std::unique_ptr<TemporaryServer> server;
    std::unique_ptr<QTemporaryDir> work;
    QString ada, vic, eve;
    int ref = 100;

    QString nextRef() { return QString::number(++ref); }

    void startServer()
    {
        server = std::make_unique<TemporaryServer>();
        QString error;
        // A wall clock of 2 s: a cell would be ended by it, a service is not.
        const QString toml = QStringLiteral("[execution]\nenabled = true\nworking_directory = \"%1\"\n"
                                            "cpu_seconds = 10\nwall_seconds = 2\n")
                                 .arg(work->filePath("runs"));
        QVERIFY2(server->start(toml, &error), qPrintable(error));
        ada = server->userWithToken("ada", "lab", "owner");
        vic = server->userWithToken("vic", "lab", "viewer");
        eve = server->userWithToken("eve", "elsewhere", "owner");
        QVERIFY(!ada.isEmpty() && !vic.isEmpty() && !eve.isEmpty());
    }

    QString create(const QString &content)
    {
        const RestResponse r = restRequest(
            "POST", server->url("/api/v1/workspaces/lab/notebooks"), ada,
            QJsonDocument(QJsonObject { { "title", "t" }, { "content", content } }).toJson());
        return r.status == 201 ? r.json.value("id").toString() : QString();
    }

    std::unique_ptr<ChannelClient> socketOf(const QString &token)
    {
        auto c = std::make_unique<ChannelClient>();
        return c->open(server->socketUrl(token)) ? std::move(c) : nullptr;
    }

    QJsonArray push(ChannelClient &c, const QString &joinRef, const QString &topic,
                    const QString &event, const QJsonObject &payload)
    {
        const QString r = nextRef();
        c.send(frame(joinRef, r, topic, event, payload));
        return c.waitForReply(r, 10000);
    }

private slots:
    void initTestCase()
    {
        work = std::make_unique<QTemporaryDir>();
        QVERIFY(work->isValid());
        QVERIFY(letEveryoneIn(work->path())); // the cells' user must reach its folder
    }
    void cleanup() { server.reset(); }

    void serviceRunsUntilStopped()
    {
        startServer();
        const QString nb = create("# Web\n\n```sh {service=web}\necho listening on 8642\n"
                                  "exec sleep 8642001\n```\n");
        QVERIFY(!nb.isEmpty());
        auto c = socketOf(ada);
        QVERIFY(c);
        QVERIFY(replyOk(c->join(notebookTopic(nb), "1")));
        const QJsonArray reply = push(*c, "1", notebookTopic(nb), "execute", { { "cell_id", "cell-1" } });
        QVERIFY2(replyOk(reply), qPrintable(QJsonDocument(reply).toJson()));
        const QString executionId = response(reply).value("execution_id").toString();
        const QString containerId = response(reply).value("container_id").toString();
        QVERIFY(!executionId.isEmpty() && !containerId.isEmpty());
        const QString topic = containerTopic(containerId);
        QVERIFY(replyOk(c->join(topic, "2")));

        // deploying (replayed or live), then running, then its log line.
        QVERIFY(spinUntil([&] { return containerStatuses(*c, topic).contains("running"); }, 10000));
        const QStringList statuses = containerStatuses(*c, topic);
        QVERIFY2(statuses.first() == "deploying" || statuses.first() == "running",
                 qPrintable(statuses.join(' ')));
        QVERIFY(spinUntil([&] { return containerLog(*c, topic) == "listening on 8642\n"; }, 10000));
        for (const QJsonArray &f : c->pending())
            if (f[2].toString() == topic && f[3].toString() == "container_update") {
                QCOMPARE(payloadOf(f).value("container_id").toString(), containerId);
                QCOMPARE(payloadOf(f).value("service").toString(), "web");
                QCOMPARE(payloadOf(f).value("notebook_id").toString(), nb);
            }
        QVERIFY(processWith("8642001") != 0);

        // Two rounds of metrics (every 2 s): by then the 2 s wall clock has passed, and the
        // service is still up.
        const QJsonArray m1 = c->waitForEvent(topic, "container_metrics", 5000);
        QVERIFY(!m1.isEmpty());
        const QJsonArray m2 = c->waitForEvent(topic, "container_metrics", 5000);
        QVERIFY(!m2.isEmpty());
        const QJsonObject metrics = payloadOf(m2);
        QCOMPARE(metrics.value("container_id").toString(), containerId);
        QVERIFY(metrics.value("cpu_seconds").isDouble());
        QVERIFY(metrics.value("cpu_seconds").toDouble() >= 0);
        // sleep's resident set is a few hundred KiB at least; far below the 2 GiB address space.
        QVERIFY2(metrics.value("rss_bytes").toInteger() > 64 * 1024,
                 qPrintable(QString::number(metrics.value("rss_bytes").toInteger())));
        QVERIFY(metrics.value("rss_bytes").toInteger() < (2LL << 30));
        QVERIFY(metrics.value("processes").toInt() >= 1);
        QCOMPARE(containerStatuses(*c, topic).last(), "running");
        QVERIFY(processWith("8642001") != 0);

        QVERIFY(replyOk(push(*c, "2", topic, "stop", {})));
        QVERIFY(spinUntil([&] { return containerStatuses(*c, topic).last() == "stopped"; }, 10000));
        QVERIFY(spinUntil([] { return processWith("8642001") == 0; }, 10000));
        // The notebook's topic says how the run ended, like any cell's.
        const QJsonArray last = c->waitFor(
            [&](const QJsonArray &f) {
                return f[3].toString() == "execution_update" && payloadOf(f).value("final").toBool();
            },
            5000);
        QCOMPARE(payloadOf(last).value("status").toString(), "cancelled");
        QCOMPARE(payloadOf(last).value("execution_id").toString(), executionId);
        // Stopped once: a second stop has nothing to stop.
        QCOMPARE(response(push(*c, "2", topic, "stop", {})).value("reason").toString(), "not_found");
    }

    void failedServiceAndALateJoiner()
    {
        startServer();
        const QString nb = create("```sh {service=bad}\necho broken >&2\nexit 4\n```\n");
        auto c = socketOf(ada);
        QVERIFY(c);
        QVERIFY(replyOk(c->join(notebookTopic(nb), "1")));
        const QJsonArray reply = push(*c, "1", notebookTopic(nb), "execute", { { "cell_id", "cell-1" } });
        const QString containerId = response(reply).value("container_id").toString();
        QVERIFY(!containerId.isEmpty());
        QVERIFY(c->waitFor(
                         [&](const QJsonArray &f) {
                             return f[3].toString() == "execution_update"
                                 && payloadOf(f).value("final").toBool();
                         },
                         10000)
                        .size()
                == 5);
        // Joined after the end: told how it ended.
        auto late = socketOf(vic);
        QVERIFY(late);
        QVERIFY(replyOk(late->join(containerTopic(containerId), "1")));
        const QJsonArray update = late->waitForEvent(containerTopic(containerId), "container_update");
        QVERIFY(!update.isEmpty());
        QCOMPARE(payloadOf(update).value("status").toString(), "failed");
        QCOMPARE(payloadOf(update).value("exit_code").toInt(), 4);
        QCOMPARE(payloadOf(update).value("service").toString(), "bad");
    }

    void runAllLeavesServicesAlone()
    {
        startServer();
        const QString nb = create("```sh {service=web}\nsleep 8642002\n```\n\n```sh\necho plain\n```\n");
        auto c = socketOf(ada);
        QVERIFY(c);
        QVERIFY(replyOk(c->join(notebookTopic(nb), "1")));
        const QJsonArray reply = push(*c, "1", notebookTopic(nb), "execute", { { "type", "notebook" } });
        QVERIFY(replyOk(reply));
        QVERIFY(!response(reply).contains("container_id"));
        const QJsonArray last = c->waitFor(
            [&](const QJsonArray &f) {
                return f[3].toString() == "execution_update" && payloadOf(f).value("final").toBool();
            },
            10000);
        QCOMPARE(payloadOf(last).value("cell_id").toString(), "cell-2");
        QCOMPARE(payloadOf(last).value("status").toString(), "completed");
        QCOMPARE(payloadOf(last).value("progress").toDouble(), 1.0);
        for (const QJsonArray &f : c->pending())
            QVERIFY(payloadOf(f).value("cell_id").toString() != "cell-1");
        QCOMPARE(processWith("8642002"), 0);
    }

    void whoMayJoinAndStop()
    {
        startServer();
        const QString nb = create("```sh {service=web}\nexec sleep 8642003\n```\n");
        auto a = socketOf(ada);
        QVERIFY(a);
        QVERIFY(replyOk(a->join(notebookTopic(nb), "1")));
        const QString containerId
            = response(push(*a, "1", notebookTopic(nb), "execute", { { "cell_id", "cell-1" } }))
                  .value("container_id")
                  .toString();
        QVERIFY(!containerId.isEmpty());
        const QString topic = containerTopic(containerId);
        // A viewer of the workspace watches; it may not stop it.
        auto v = socketOf(vic);
        QVERIFY(v);
        QVERIFY(replyOk(v->join(topic, "1")));
        QCOMPARE(response(push(*v, "1", topic, "stop", {})).value("reason").toString(), "forbidden");
        QVERIFY(spinUntil([] { return processWith("8642003") != 0; }, 10000));
        // Someone of another workspace may not even look.
        auto e = socketOf(eve);
        QVERIFY(e);
        QCOMPARE(response(e->join(topic, "1")).value("reason").toString(), "unauthorized");
        // Nor is there a container by any other id.
        QCOMPARE(response(a->join(containerTopic("no-such-container"), "3")).value("reason").toString(),
                 "unauthorized");
        // `stop` belongs to the container's topic only.
        QCOMPARE(response(push(*a, "1", notebookTopic(nb), "stop", {})).value("reason").toString(),
                 "unknown event");
        QVERIFY(replyOk(a->join(topic, "2")));
        QVERIFY(replyOk(push(*a, "2", topic, "stop", {})));
        QVERIFY(spinUntil([&] { return containerStatuses(*v, topic).contains("stopped"); }, 10000));
        QVERIFY(spinUntil([] { return processWith("8642003") == 0; }, 10000));
    }
};

QTEST_GUILESS_MAIN(TestContainers)
#include "tst_containers.moc"
