// Running cells through the real kyozo-server (issue 17 items 1-3, SPEC §6 and §11
// "Execution", docs/server.md "Execution"): execute and its events, run all with a failing
// cell, the per-user queue, cancel, the replay to a late joiner in the middle of a
// 1,000,000-line output, SIGTERM during a run, stale results, the workspace events and every
// refusal. Expected outputs are the cells' own text, written here by hand.
#include "channelclient.h"
#include "requiredtool.h"
#include "restrequest.h"
#include "systemuser.h"
#include "temporaryserver.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace KyozoTest;

namespace {

QJsonObject response(const QJsonArray &f)
{
    return f[4].toObject().value("response").toObject();
}
bool replyOk(const QJsonArray &f)
{
    return f[4].toObject().value("status").toString() == "ok";
}
QString topicOf(const QString &id)
{
    return QStringLiteral("execution:notebook:") + id;
}
QJsonObject payloadOf(const QJsonArray &f)
{
    return f[4].toObject();
}

// Every frame about one execution, in the order received (pending, not consumed).
QList<QJsonArray> framesOf(const ChannelClient &c, const QString &executionId)
{
    QList<QJsonArray> out;
    for (const QJsonArray &f : c.pending())
        if ((f[3].toString() == "execution_update" || f[3].toString() == "cell_output")
            && payloadOf(f).value("execution_id").toString() == executionId)
            out.append(f);
    return out;
}

bool isFinal(const QJsonArray &f)
{
    return f[3].toString() == "execution_update" && payloadOf(f).value("final").toBool();
}

// Waits for the execution's last execution_update; its frames in order.
QList<QJsonArray> untilFinal(ChannelClient &c, const QString &executionId, int timeoutMs = 30000)
{
    spinUntil(
        [&] {
            const QList<QJsonArray> frames = framesOf(c, executionId);
            return !frames.isEmpty() && isFinal(frames.last());
        },
        timeoutMs);
    return framesOf(c, executionId);
}

QList<QJsonObject> updates(const QList<QJsonArray> &frames)
{
    QList<QJsonObject> out;
    for (const QJsonArray &f : frames)
        if (f[3].toString() == "execution_update")
            out.append(payloadOf(f));
    return out;
}

// stdout or stderr of one cell, as the cell_output chunks carried it; checks seq runs 1, 2, ...
QString streamText(const QList<QJsonArray> &frames, const QString &cellId, const QString &stream,
                   bool *seqInOrder = nullptr)
{
    QString text;
    qint64 expected = 1;
    bool ordered = true;
    for (const QJsonArray &f : frames) {
        const QJsonObject p = payloadOf(f);
        if (f[3].toString() != "cell_output" || p.value("cell_id").toString() != cellId)
            continue;
        ordered = ordered && p.value("seq").toInteger() == expected;
        ++expected;
        if (p.value("stream").toString() == stream)
            text += p.value("output").toString();
    }
    if (seqInOrder)
        *seqInOrder = ordered;
    return text;
}


} // namespace

class TestExecution : public QObject
{
    Q_OBJECT
    std::unique_ptr<TemporaryServer> server;
    std::unique_ptr<QTemporaryDir> work;
    QString ada, bob, vic;
    int ref = 100;

    QString nextRef() { return QString::number(++ref); }

    QString config(const QString &extra = {}) const
    {
        // Lowered limits so that each case takes seconds (issue 17 "Proven by").
        return QStringLiteral("[limits]\nmax_queued_bytes = 67108864\n"
                              "[execution]\nenabled = true\nworking_directory = \"%1\"\n"
                              "max_runs_per_user = 1\nmax_runs_per_server = 2\n"
                              "cpu_seconds = 10\nwall_seconds = 30\n%2")
            .arg(work->filePath("runs"), extra);
    }

    void startServer(const QString &toml)
    {
        server = std::make_unique<TemporaryServer>();
        QString error;
        QVERIFY2(server->start(toml, &error), qPrintable(error));
        ada = server->userWithToken("ada", "lab", "owner");
        bob = server->userWithToken("bob", "lab", "editor");
        vic = server->userWithToken("vic", "lab", "viewer");
        QVERIFY(!ada.isEmpty() && !bob.isEmpty() && !vic.isEmpty());
    }

    QString create(const QString &content)
    {
        const RestResponse r = restRequest(
            "POST", server->url("/api/v1/workspaces/lab/notebooks"), ada,
            QJsonDocument(QJsonObject { { "title", "t" }, { "content", content } }).toJson());
        return r.status == 201 ? r.json.value("id").toString() : QString();
    }

    // A socket of `token` joined to the notebook's topic.
    std::unique_ptr<ChannelClient> joined(const QString &token, const QString &notebook)
    {
        auto c = std::make_unique<ChannelClient>();
        if (!c->open(server->socketUrl(token)))
            return nullptr;
        const QJsonArray reply = c->join(topicOf(notebook), "1");
        if (!replyOk(reply))
            return nullptr;
        return c;
    }

    QJsonArray push(ChannelClient &c, const QString &notebook, const QString &event,
                    const QJsonObject &payload)
    {
        const QString r = nextRef();
        c.send(frame("1", r, topicOf(notebook), event, payload));
        return c.waitForReply(r, 10000);
    }

    QString execute(ChannelClient &c, const QString &notebook, const QJsonObject &payload)
    {
        const QJsonArray reply = push(c, notebook, "execute", payload);
        return replyOk(reply) ? response(reply).value("execution_id").toString() : QString();
    }

private slots:
    void initTestCase()
    {
        work = std::make_unique<QTemporaryDir>();
        QVERIFY(work->isValid());
        QVERIFY(letEveryoneIn(work->path())); // the cells' user must reach its folder
    }
    void cleanup() { server.reset(); }

    void executeCell()
    {
        startServer(config());
        const QString nb
            = create("# N\n\n```sh {#hello}\necho hello\necho oops >&2\nexit 0\n```\n");
        QVERIFY(!nb.isEmpty());
        auto c = joined(ada, nb);
        QVERIFY(c);
        const QString id = execute(*c, nb, { { "cell_id", "hello" } });
        QVERIFY(!id.isEmpty());
        const QList<QJsonArray> frames = untilFinal(*c, id);
        const QList<QJsonObject> u = updates(frames);
        QCOMPARE(u.size(), 3);
        QCOMPARE(u[0].value("status").toString(), "queued");
        QCOMPARE(u[1].value("status").toString(), "running");
        QVERIFY(u[1].value("started_at").toInteger() > 0);
        QCOMPARE(u[2].value("status").toString(), "completed");
        QCOMPARE(u[2].value("exit_code").toInt(-1), 0);
        QCOMPARE(u[2].value("progress").toDouble(), 1.0);
        QVERIFY(u[2].value("finished_at").toInteger() >= u[1].value("started_at").toInteger());
        for (const QJsonObject &x : u)
            QCOMPARE(x.value("cell_id").toString(), "hello");
        bool ordered = false;
        QCOMPARE(streamText(frames, "hello", "stdout", &ordered), "hello\n");
        QVERIFY(ordered);
        QCOMPARE(streamText(frames, "hello", "stderr"), "oops\n");
        // Output comes between running and the end.
        QCOMPARE(frames[1][3].toString(), "execution_update");
        QCOMPARE(frames.last()[3].toString(), "execution_update");
    }

    void runAllStopsAtAFailure_data()
    {
        QTest::addColumn<bool>("continueOnError");
        QTest::newRow("stop") << false;
        QTest::newRow("continue_on_error") << true;
    }
    void runAllStopsAtAFailure()
    {
        QFETCH(bool, continueOnError);
        startServer(config());
        // The JSON block is no cell (no runner): run all skips it.
        const QString nb
            = create("```sh\necho one\n```\n\n```json\n{}\n```\n\n"
                     "```sh {#bad}\necho two; exit 3\n```\n\n```sh\necho three\n```\n");
        auto c = joined(ada, nb);
        QVERIFY(c);
        QJsonObject payload { { "type", "notebook" } };
        if (continueOnError)
            payload.insert("continue_on_error", true);
        const QString id = execute(*c, nb, payload);
        QVERIFY(!id.isEmpty());
        const QList<QJsonArray> frames = untilFinal(*c, id);
        const QList<QJsonObject> u = updates(frames);
        QStringList seen;
        for (const QJsonObject &x : u)
            seen.append(x.value("cell_id").toString() + ":" + x.value("status").toString());
        QStringList expected { "cell-1:queued", "cell-1:running", "cell-1:completed", "bad:running",
                               "bad:failed" };
        if (continueOnError)
            expected += { "cell-4:running", "cell-4:completed" };
        QCOMPARE(seen, expected);
        QCOMPARE(u[2].value("progress").toDouble(), 1.0 / 3);
        QCOMPARE(u[4].value("exit_code").toInt(), 3);
        QCOMPARE(u[4].value("progress").toDouble(), 2.0 / 3);
        QCOMPARE(u[4].value("final").toBool(), !continueOnError);
        QCOMPARE(streamText(frames, "cell-1", "stdout"), "one\n");
        QCOMPARE(streamText(frames, "bad", "stdout"), "two\n");
        QCOMPARE(streamText(frames, "cell-4", "stdout"), continueOnError ? "three\n" : "");
        if (continueOnError)
            QCOMPARE(u.last().value("progress").toDouble(), 1.0);
    }

    void queuedThenRunningInOrder()
    {
        // max_runs_per_user = 1: ada's second and third runs wait, and start in order.
        startServer(config());
        const QString nb = create("```sh {#a}\nsleep 0.5; echo a\n```\n```sh {#b}\necho b\n```\n"
                                  "```sh {#c}\necho c\n```\n");
        auto c = joined(ada, nb);
        QVERIFY(c);
        const QString e1 = execute(*c, nb, { { "cell_id", "a" } });
        const QString e2 = execute(*c, nb, { { "cell_id", "b" } });
        const QString e3 = execute(*c, nb, { { "cell_id", "c" } });
        QVERIFY(!e1.isEmpty() && !e2.isEmpty() && !e3.isEmpty());
        untilFinal(*c, e3);
        QStringList order;
        for (const QJsonArray &f : c->pending())
            if (f[3].toString() == "execution_update") {
                const QJsonObject p = payloadOf(f);
                const QString which = p.value("execution_id").toString() == e1 ? "1"
                    : p.value("execution_id").toString() == e2                 ? "2"
                                                                               : "3";
                order.append(which + ":" + p.value("status").toString());
            }
        // Each run queued, running, completed; each waits for the one before to end. When run
        // 1's process is seen to start, against the pushes of 2 and 3, is up to the machine.
        for (const char *run : { "1", "2", "3" }) {
            QStringList own;
            for (const QString &event : std::as_const(order))
                if (event.startsWith(QLatin1String(run) + u':'))
                    own.append(event.mid(2));
            QCOMPARE(own, QStringList({ "queued", "running", "completed" }));
        }
        QVERIFY2(order.indexOf("2:running") > order.indexOf("1:completed"), qPrintable(order.join(' ')));
        QVERIFY2(order.indexOf("3:running") > order.indexOf("2:completed"), qPrintable(order.join(' ')));
        QVERIFY2(order.indexOf("3:queued") > order.indexOf("2:queued"), qPrintable(order.join(' ')));
    }

    void cancelARun()
    {
        startServer(config());
        const QString nb = create("```sh {#slow}\necho started; sleep 975310\n```\n");
        auto c = joined(bob, nb);
        QVERIFY(c);
        const QString id = execute(*c, nb, { { "cell_id", "slow" } });
        QVERIFY(!id.isEmpty());
        QVERIFY(spinUntil(
            [&] { return streamText(framesOf(*c, id), "slow", "stdout") == "started\n"; }, 20000));
        // Another editor may stop it.
        auto a = joined(ada, nb);
        QVERIFY(a);
        QVERIFY(replyOk(push(*a, nb, "cancel", { { "execution_id", id } })));
        const QList<QJsonObject> u = updates(untilFinal(*c, id));
        QCOMPARE(u.last().value("status").toString(), "cancelled");
        QVERIFY(!u.last().contains("exit_code"));
        QVERIFY(spinUntil([] { return processWith("975310") == 0; }, 10000));
        // Gone now: not_found.
        QCOMPARE(
            response(push(*a, nb, "cancel", { { "execution_id", id } })).value("reason").toString(),
            "not_found");
    }

    void lateJoinerGetsReplayThenLive()
    {
        startServer(config());
        // About 6.9 MB of output, under the 16 MiB cap; a pause halfway, so that the second
        // client surely joins while the run is on.
        const QString nb
            = create("```sh {#count}\nseq 1 500000; sleep 3; seq 500001 1000000\n```\n");
        auto a = joined(ada, nb);
        QVERIFY(a);
        const QString id = execute(*a, nb, { { "cell_id", "count" } });
        QVERIFY(!id.isEmpty());
        // Halfway: line 500000 has arrived (the chunk before the pause ends with it).
        QVERIFY(spinUntil(
            [&] {
                const QList<QJsonArray> f = a->pending();
                return !f.isEmpty()
                    && payloadOf(f.last()).value("output").toString().endsWith("\n500000\n");
            },
            60000));
        auto b = joined(bob, nb);
        QVERIFY(b);
        const QList<QJsonArray> fa = untilFinal(*a, id, 60000);
        const QList<QJsonArray> fb = untilFinal(*b, id, 60000);
        QString expected;
        expected.reserve(7000000);
        for (int i = 1; i <= 1000000; ++i)
            expected += QString::number(i) + u'\n';
        for (const QList<QJsonArray> *frames : { &fa, &fb }) {
            bool ordered = false;
            const QString text = streamText(*frames, "count", "stdout", &ordered);
            QVERIFY(ordered); // seq 1, 2, 3, ...: nothing lost, nothing twice
            QCOMPARE(text.size(), expected.size());
            QVERIFY(text == expected);
            QCOMPARE(updates(*frames).last().value("status").toString(), "completed");
        }
        // The joiner's replay began with the run's state, not with its output.
        QCOMPARE(fb.first()[3].toString(), "execution_update");
        QCOMPARE(payloadOf(fb.first()).value("status").toString(), "running");
        QVERIFY(updates(fb).size() == 2);
        // And one joining after the end gets the stored result and all of its output.
        auto c = joined(vic, nb);
        QVERIFY(c);
        QVERIFY(spinUntil(
            [&] {
                const auto f = framesOf(*c, id);
                return !f.isEmpty() && f.last()[3].toString() == "cell_output"
                    && payloadOf(f.last()).value("output").toString().endsWith("\n1000000\n");
            },
            30000));
        const QList<QJsonArray> fc = framesOf(*c, id);
        QCOMPARE(updates(fc).size(), 1);
        QCOMPARE(updates(fc).first().value("status").toString(), "completed");
        QVERIFY(!updates(fc).first().contains("stale"));
        bool ordered = false;
        QVERIFY(streamText(fc, "count", "stdout", &ordered) == expected);
        QVERIFY(ordered);
    }

    void staleAfterTheCellChanged()
    {
        startServer(config());
        const QString text = "```sh {#s}\necho a\n```\n";
        const QString nb = create(text);
        auto a = joined(ada, nb);
        QVERIFY(a);
        const QString id = execute(*a, nb, { { "cell_id", "s" } });
        QCOMPARE(updates(untilFinal(*a, id)).last().value("status").toString(), "completed");
        // Appending after the cell keeps it fresh; editing its code makes its result stale.
        QVERIFY(replyOk(push(
            *a, nb, "op", { { "revision", 0 }, { "ops", QJsonArray { text.size(), "more\n" } } })));
        auto b = joined(bob, nb);
        QVERIFY(b);
        QVERIFY(spinUntil([&] { return framesOf(*b, id).size() == 2; }, 10000));
        QVERIFY(!updates(framesOf(*b, id)).first().contains("stale"));
        QVERIFY(replyOk(push(
            *a, nb, "op",
            { { "revision", 1 }, { "ops", QJsonArray { 17, "b", int(text.size()) + 5 - 17 } } })));
        auto c = joined(vic, nb);
        QVERIFY(c);
        QVERIFY(spinUntil([&] { return framesOf(*c, id).size() == 2; }, 10000));
        const QJsonObject u = updates(framesOf(*c, id)).first();
        QCOMPARE(u.value("stale").toBool(), true);
        QCOMPARE(u.value("status").toString(), "completed");
        QCOMPARE(streamText(framesOf(*c, id), "s", "stdout"), "a\n");
    }

    void workspaceEvents()
    {
        startServer(config());
        const QString nb = create("```sh\ntrue\n```\n");
        auto w = std::make_unique<ChannelClient>();
        QVERIFY(w->open(server->socketUrl(vic)));
        QVERIFY(replyOk(w->join("execution:workspace:lab", "1")));
        auto a = joined(ada, nb);
        QVERIFY(a);
        const QString id = execute(*a, nb, { { "type", "notebook" } });
        QVERIFY(!id.isEmpty());
        const QJsonArray started
            = w->waitForEvent("execution:workspace:lab", "execution_started", 20000);
        QCOMPARE(payloadOf(started).value("execution_id").toString(), id);
        QCOMPARE(payloadOf(started).value("notebook_id").toString(), nb);
        QCOMPARE(payloadOf(started).value("type").toString(), "notebook");
        QCOMPARE(payloadOf(started).value("cell_id").toString(), "cell-1");
        const QJsonArray finished
            = w->waitForEvent("execution:workspace:lab", "execution_finished", 20000);
        QCOMPARE(payloadOf(finished).value("execution_id").toString(), id);
        QCOMPARE(payloadOf(finished).value("status").toString(), "completed");
    }

    void sigtermCancelsAndStores()
    {
        startServer(config());
        const QString nb = create("```sh {#forever}\necho up; sleep 864213 & sleep 864213\n```\n");
        auto a = joined(ada, nb);
        QVERIFY(a);
        const QString id = execute(*a, nb, { { "cell_id", "forever" } });
        QVERIFY(spinUntil(
            [&] { return streamText(framesOf(*a, id), "forever", "stdout") == "up\n"; }, 20000));
        QVERIFY(spinUntil([] { return processWith("864213") != 0; }, 10000));
        // The client gets `cancelled` before the server's 1001.
        ::kill(pid_t(server->process().processId()), SIGTERM);
        QVERIFY(spinUntil(
            [&] { return !framesOf(*a, id).isEmpty() && isFinal(framesOf(*a, id).last()); },
            10000));
        QCOMPARE(updates(framesOf(*a, id)).last().value("status").toString(), "cancelled");
        QCOMPARE(server->stop(), 0);
        QVERIFY(spinUntil([] { return processWith("864213") == 0; }, 10000));
        // Stored: a client of the restarted server sees it.
        QString error;
        QVERIFY2(server->start(config(), &error), qPrintable(error));
        auto b = joined(ada, nb);
        QVERIFY(b);
        QVERIFY(spinUntil([&] { return framesOf(*b, id).size() == 2; }, 10000));
        QCOMPARE(updates(framesOf(*b, id)).first().value("status").toString(), "cancelled");
        QCOMPARE(streamText(framesOf(*b, id), "forever", "stdout"), "up\n");
    }

    void refusals()
    {
        startServer(config("[execution.runners]\nsh = []\nbash = [\"bash\", \"{file}\"]\n"));
        const QString nb
            = create("```bash {#ok}\ntrue\n```\n```sh {#nope}\ntrue\n```\n```rust\n```\n");
        auto a = joined(ada, nb);
        QVERIFY(a);
        const auto why = [&](ChannelClient &c, const QString &event, const QJsonObject &p) {
            const QJsonArray r = push(c, nb, event, p);
            return replyOk(r) ? QStringLiteral("ok") : response(r).value("reason").toString();
        };
        QCOMPARE(why(*a, "execute", { { "cell_id", "missing" } }), "not_found");
        QCOMPARE(why(*a, "execute", { { "cell_id", "nope" } }), "no_runner"); // sh removed
        QCOMPARE(why(*a, "execute", { { "cell_id", "cell-3" } }), "no_runner");
        QCOMPARE(why(*a, "execute", { { "cell_id", 3 } }), "bad_payload");
        QCOMPARE(why(*a, "execute", { { "cell_id", "ok" }, { "extra", 1 } }), "bad_payload");
        QCOMPARE(why(*a, "execute", { { "type", "notebook" }, { "continue_on_error", "yes" } }),
                 "bad_payload");
        QCOMPARE(why(*a, "execute", {}), "bad_payload");
        QCOMPARE(why(*a, "cancel", { { "execution_id", "nothing" } }), "not_found");
        QCOMPARE(why(*a, "cancel", {}), "bad_payload");
        auto v = joined(vic, nb);
        QVERIFY(v);
        QCOMPARE(why(*v, "execute", { { "cell_id", "ok" } }), "forbidden");
        QCOMPARE(why(*v, "cancel", { { "execution_id", "x" } }), "forbidden");
        const QString okRun = execute(*a, nb, { { "cell_id", "ok" } });
        QVERIFY(!okRun.isEmpty());
        // Ended before the server is killed below: a sandbox still starting then is left to
        // bubblewrap's own race (docs/server.md "Running a cell").
        QVERIFY(isFinal(untilFinal(*a, okRun).last()));

        // run_role = "owner": an editor (a solo writer's Share… guest) is refused too, and
        // still sees the owner's runs.
        server.reset();
        startServer(config("run_role = \"owner\"\n"));
        const QString shared = create("```sh {#ok}\necho owner ran\n```\n");
        auto owner = joined(ada, shared);
        auto guest = joined(bob, shared);
        QVERIFY(owner && guest);
        const auto guestWhy = [&](const QString &event, const QJsonObject &p) {
            return response(push(*guest, shared, event, p)).value("reason").toString();
        };
        QCOMPARE(guestWhy("execute", { { "cell_id", "ok" } }), "forbidden");
        QCOMPARE(guestWhy("execute", { { "type", "notebook" } }), "forbidden");
        const QString run = execute(*owner, shared, { { "cell_id", "ok" } });
        QVERIFY(!run.isEmpty());
        QCOMPARE(guestWhy("cancel", { { "execution_id", run } }), "forbidden");
        QVERIFY(spinUntil([&] { return streamText(framesOf(*guest, run), "ok", "stdout")
                                       == QLatin1String("owner ran\n"); }, 20000));

        // max_queued_per_user = 1 (and one run at a time, from config()): one running, one
        // waiting, the next refused; cancelling the waiting one makes room again.
        server.reset();
        startServer(config("max_queued_per_user = 1\n"));
        const QString busy = create("```sh {#slow}\nsleep 975311\n```\n");
        auto q = joined(ada, busy);
        QVERIFY(q);
        const QString first = execute(*q, busy, { { "cell_id", "slow" } });
        QVERIFY(!first.isEmpty());
        QVERIFY(spinUntil([] { return processWith("975311") != 0; }, 10000));
        const QString second = execute(*q, busy, { { "cell_id", "slow" } });
        QVERIFY(!second.isEmpty());
        QCOMPARE(response(push(*q, busy, "execute", { { "cell_id", "slow" } })).value("reason").toString(),
                 "queue_full");
        // Another user's queue is their own.
        auto bobs = joined(bob, busy);
        QVERIFY(bobs);
        QVERIFY(!execute(*bobs, busy, { { "cell_id", "slow" } }).isEmpty());
        QVERIFY(replyOk(push(*q, busy, "cancel", { { "execution_id", second } })));
        QVERIFY(!execute(*q, busy, { { "cell_id", "slow" } }).isEmpty());
        QCOMPARE(server->stop(), 0); // SIGTERM: every run ends, no process is left
        QVERIFY(spinUntil([] { return processWith("975311") == 0; }, 10000));
        server.reset();

        // Off by default.
        server.reset();
        startServer(QString());
        const QString other = create("```sh\ntrue\n```\n");
        auto b = joined(ada, other);
        QVERIFY(b);
        const QJsonArray r = push(*b, other, "execute", { { "cell_id", "cell-1" } });
        QCOMPARE(response(r).value("reason").toString(), "execution_disabled");
    }
};

QTEST_GUILESS_MAIN(TestExecution)
#include "tst_execution.moc"
