// The [execution] and [files] tables (issue 17 items 2 and 4, docs/server.md "Execution",
// "Files"): defaults as the issue states them, every key read, wrong values refused with the
// table's name.
#include "serverconfig.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace Kyozo::Server;

class TestExecutionConfig : public QObject
{
    Q_OBJECT
    QTemporaryDir dir;

    bool load(const QByteArray &toml, ServerConfig *config, QString *error)
    {
        const QString path = dir.filePath(QStringLiteral("c.toml"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        f.write(toml);
        f.close();
        return config->load(path, error);
    }

private slots:
    void defaults()
    {
        const ServerConfig config;
        const ExecutionOptions &e = config.execution;
        QCOMPARE(e.enabled, false);
        QCOMPARE(e.runAs, QStringLiteral("nobody"));
        QCOMPARE(e.maxRunsPerUser, 2);
        QCOMPARE(e.maxRunsPerServer, 4);
        QCOMPARE(e.ownersOnly, false); // run_role = "editor"
        QCOMPARE(e.runners.value(QStringLiteral("bash")),
                 QStringList({ QStringLiteral("bash"), QStringLiteral("{file}") }));
        QCOMPARE(e.runners.value(QStringLiteral("sh")),
                 QStringList({ QStringLiteral("sh"), QStringLiteral("{file}") }));
        const bool python = !QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty();
        QCOMPARE(e.runners.contains(QStringLiteral("python")), python);
        if (python)
            QCOMPARE(e.runners.value(QStringLiteral("python3")),
                     QStringList({ QStringLiteral("python3"), QStringLiteral("{file}") }));
        QCOMPARE(e.bwrap, QStandardPaths::findExecutable(QStringLiteral("bwrap")));
        // Issue 17 item 2's documented limits.
        QCOMPARE(e.limits.cpuSeconds, 30);
        QCOMPARE(e.limits.addressSpaceBytes, 2LL * 1024 * 1024 * 1024);
        QCOMPARE(e.limits.fileSizeBytes, 256LL * 1024 * 1024);
        QCOMPARE(e.limits.processes, 64);
        QCOMPARE(e.limits.openFiles, 256);
        QCOMPARE(e.limits.wallSeconds, 300);
        QCOMPARE(e.limits.outputBytes, 16LL * 1024 * 1024);
        // One folder per notebook under the data directory.
        QCOMPARE(e.workingDirectoryFor(QStringLiteral("ab12")),
                 QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                     + QStringLiteral("/executions/ab12"));
    }

    void everyKey()
    {
        ServerConfig config;
        QString error;
        QVERIFY2(load("[execution]\nenabled = true\nrun_as = \"kyozo-run\"\nbwrap = \"\"\n"
                      "working_directory = \"/srv/kyozo/runs\"\nrun_role = \"owner\"\nmax_runs_per_user = 1\n"
                      "max_runs_per_server = 3\nmax_queued_per_user = 5\n"
                      "cpu_seconds = 2\naddress_space_bytes = 104857600\nfile_size_bytes = 1000\n"
                      "processes = 7\nopen_files = 32\nwall_seconds = 3\noutput_bytes = 4096\n"
                      "tmp_bytes = 2097152\n"
                      "[execution.runners]\nRuby = [\"ruby\", \"{file}\"]\nsh = []\n"
                      "bash = [\"bash\", \"--noprofile\", \"{file}\"]\n",
                      &config, &error),
                 qPrintable(error));
        const ExecutionOptions &e = config.execution;
        QCOMPARE(e.enabled, true);
        QCOMPARE(e.runAs, QStringLiteral("kyozo-run"));
        QCOMPARE(e.bwrap, QString());
        QCOMPARE(e.maxRunsPerUser, 1);
        QCOMPARE(e.maxRunsPerServer, 3);
        QCOMPARE(e.maxQueuedPerUser, 5);
        QCOMPARE(e.ownersOnly, true);
        QCOMPARE(e.limits.cpuSeconds, 2);
        QCOMPARE(e.limits.addressSpaceBytes, 104857600);
        QCOMPARE(e.limits.fileSizeBytes, 1000);
        QCOMPARE(e.limits.processes, 7);
        QCOMPARE(e.limits.openFiles, 32);
        QCOMPARE(e.limits.wallSeconds, 3);
        QCOMPARE(e.limits.outputBytes, 4096);
        QCOMPARE(e.limits.tmpBytes, 2097152);
        QCOMPARE(e.runners.value(QStringLiteral("ruby")),
                 QStringList({ QStringLiteral("ruby"), QStringLiteral("{file}") }));
        QVERIFY(!e.runners.contains(QStringLiteral("sh")));
        QCOMPARE(e.runners.value(QStringLiteral("bash")).size(), 3);
        QCOMPARE(e.workingDirectoryFor(QStringLiteral("ab12")),
                 QStringLiteral("/srv/kyozo/runs/ab12"));
        // Nothing a notebook id holds leaves the root.
        QCOMPARE(e.workingDirectoryFor(QStringLiteral("../x")),
                 QStringLiteral("/srv/kyozo/runs/___x"));
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("toml");
        QTest::newRow("user limit") << QByteArray("[execution]\nmax_runs_per_user = 0\n");
        QTest::newRow("server limit") << QByteArray("[execution]\nmax_runs_per_server = 0\n");
        QTest::newRow("run_role") << QByteArray("[execution]\nrun_role = \"viewer\"\n");
        QTest::newRow("cpu") << QByteArray("[execution]\ncpu_seconds = 0\n");
        QTest::newRow("wall") << QByteArray("[execution]\nwall_seconds = -1\n");
        QTest::newRow("runner not array") << QByteArray("[execution.runners]\nsh = \"sh\"\n");
        QTest::newRow("runner not strings") << QByteArray("[execution.runners]\nsh = [1]\n");
        QTest::newRow("runners not table") << QByteArray("[execution]\nrunners = 3\n");
    }
    void refusals()
    {
        QFETCH(QByteArray, toml);
        ServerConfig config;
        QString error;
        QVERIFY(!load(toml, &config, &error));
        QVERIFY2(error.contains(QLatin1String("[execution]")), qPrintable(error));
    }

    // working_directory_map: a notebook listed there runs in its own folder (solo mode's files),
    // read when asked; anything but an absolute path leaves the default.
    void workingDirectoryMap()
    {
        const QString map = dir.filePath(QStringLiteral("folders.json"));
        QFile f(map);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"ab12": "/home/ada/project/", "cd34": "relative/folder", "ef56": 7})");
        f.close();
        ServerConfig config;
        QString error;
        QVERIFY2(load(QStringLiteral("[execution]\nworking_directory = \"/srv/runs\"\n"
                                     "working_directory_map = \"%1\"\n")
                          .arg(map)
                          .toUtf8(),
                      &config, &error),
                 qPrintable(error));
        bool fromMap = false;
        QCOMPARE(config.execution.workingDirectoryFor(QStringLiteral("ab12"), &fromMap),
                 QStringLiteral("/home/ada/project"));
        QVERIFY(fromMap);
        for (const char *id : { "cd34", "ef56", "0000" }) {
            QCOMPARE(config.execution.workingDirectoryFor(QLatin1String(id), &fromMap),
                     QStringLiteral("/srv/runs/") + QLatin1String(id));
            QVERIFY(!fromMap);
        }
        // Read afresh: an entry added later counts for the next run.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"0000": "/data/notes"})");
        f.close();
        QCOMPARE(config.execution.workingDirectoryFor(QStringLiteral("0000"), &fromMap),
                 QStringLiteral("/data/notes"));
        QVERIFY(fromMap);
    }

    void filesTable()
    {
        ServerConfig config;
        QString error;
        QCOMPARE(config.files.maxUploadBytes, 64LL * 1024 * 1024);
        QCOMPARE(config.files.maxPendingParses, 16);
        QVERIFY2(load("[files]\ndirectory = \"/srv/files\"\nmax_upload_bytes = 1000\n"
                      "max_pending_parses = 2\n",
                      &config, &error),
                 qPrintable(error));
        QCOMPARE(config.files.directory, QStringLiteral("/srv/files"));
        QCOMPARE(config.files.maxUploadBytes, 1000);
        QCOMPARE(config.files.maxPendingParses, 2);
        ServerConfig bad;
        QVERIFY(!load("[files]\nmax_pending_parses = 0\n", &bad, &error));
        QVERIFY2(error.contains(QLatin1String("[files]")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestExecutionConfig)
#include "tst_executionconfig.moc"
