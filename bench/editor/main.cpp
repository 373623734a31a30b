// bench/editor (issue 6): keystroke-to-updated-highlight latency on 100 KB, 1 MB and 5 MB
// notebooks (p50/p99 of 1,000 keystrokes at random positions, offscreen), the time until the
// whole document's analysis and formats have followed each keystroke, app start to first
// painted notebook, idle RSS.
//   build/bench/bin/editor [--keys N] [--seed S] [CORPUS.md]
// CORPUS.md: the output of ../shared/bench/make-corpus.sh, for the "typical" notebooks.
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"
#include "processrss.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QKeyEvent>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace Kyozo::App;

namespace {

double percentile(QList<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[std::min(v.size() - 1, qsizetype(p * double(v.size())))];
}

QByteArray sampleBody()
{
    QFile f(QStringLiteral(KYOZO_SOURCE_DIR "/resources/samples/welcome.md"));
    f.open(QIODevice::ReadOnly);
    const QByteArray sample = f.readAll();
    return sample.mid(sample.indexOf("\n# "));
}

// "dense": the sample notebook's linked data (four JSON-LD blocks, HTML metadata,
// microdata, a code cell, a hidden payload) repeated, one such section per 2.5 KB.
// "typical": real Markdown from make-corpus.sh with that section every 50 KB, as the parser
// benchmark inserts it.
QByteArray notebookOfSize(qsizetype bytes, const QByteArray &corpus)
{
    const QByteArray body = sampleBody();
    QByteArray out;
    qsizetype from = 0;
    while (out.size() < bytes) {
        if (corpus.isEmpty()) {
            out += body;
            continue;
        }
        const qsizetype to = corpus.indexOf('\n', from + 50 * 1024);
        out += corpus.mid(from, to + 1 - from);
        out += "\n";
        out += body;
        out += "\n";
        from = to + 1;
    }
    out.truncate(out.lastIndexOf('\n', bytes) + 1); // whole lines: never cut a UTF-8 sequence
    return out;
}

void keystrokes(const char *kind, qsizetype size, const QByteArray &corpus, int keys, quint32 seed)
{
    NotebookEditor editor;
    editor.resize(1000, 800);
    editor.show();
    QString error;
    QElapsedTimer load;
    load.start();
    if (!editor.loadBytes(notebookOfSize(size, corpus), &error)) {
        std::printf("load failed: %s\n", qPrintable(error));
        return;
    }
    QCoreApplication::processEvents();
    const double loadMs = double(load.nsecsElapsed()) / 1e6;
    QRandomGenerator random(seed);
    QList<double> typed, refresh;
    const int chars = editor.document()->characterCount();
    for (int i = 0; i < keys; ++i) {
        QTextCursor cursor(editor.document());
        cursor.setPosition(int(random.bounded(chars - 1)));
        editor.setTextCursor(cursor);
        const QChar c = QChar(u'a' + int(random.bounded(26)));
        QKeyEvent press(QEvent::KeyPress, Qt::Key_A, Qt::NoModifier, QString(c));
        QKeyEvent release(QEvent::KeyRelease, Qt::Key_A, Qt::NoModifier, QString(c));
        QElapsedTimer t;
        t.start();
        // The insertion, the analysis and the formats of the typed block, all in this call.
        QApplication::sendEvent(editor.viewport()->parentWidget(), &press);
        typed.append(double(t.nsecsElapsed()) / 1e6);
        QApplication::sendEvent(editor.viewport()->parentWidget(), &release);
        t.restart();
        // The rest: on large notebooks the whole analysis on the worker thread, then the
        // refresh of other blocks and the repaint, until all of it has landed.
        do
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents | QEventLoop::AllEvents, 5);
        while (editor.highlighter()->isAnalysing());
        QCoreApplication::processEvents();
        refresh.append(double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("%-8s %7.1f KB  load+first highlight %7.1f ms   keystroke p50 %6.2f ms  p99 %6.2f ms   "
                "whole update p50 %6.2f ms  p99 %6.2f ms\n",
                kind, double(size) / 1024, loadMs, percentile(typed, 0.5), percentile(typed, 0.99), percentile(refresh, 0.5),
                percentile(refresh, 0.99));
    std::fflush(stdout);
}

void startup()
{
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("KYOZO_NO_KEYCHAIN"), QStringLiteral("1"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("kyozo.startup.debug=true"));
    for (int run = 0; run < 3; ++run) {
        QProcess app;
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::MergedChannels);
        QElapsedTimer t;
        t.start();
        app.start(QStringLiteral(KYOZO_BIN_DIR "/kyozo"), { QStringLiteral(KYOZO_SOURCE_DIR "/resources/samples/welcome.md") });
        QByteArray out;
        double painted = -1, connected = -1;
        while (t.elapsed() < 30000 && (painted < 0 || connected < 0)) {
            app.waitForReadyRead(50);
            out += app.readAll();
            if (painted < 0 && out.contains("first paint done"))
                painted = double(t.nsecsElapsed()) / 1e6;
            if (connected < 0 && out.contains("Connected to the local server"))
                connected = double(t.nsecsElapsed()) / 1e6;
        }
        QThread::sleep(3);
        QCoreApplication::processEvents();
        const long appRss = processRssKiB(app.processId());
        long serverRss = -1;
        const qsizetype at = out.indexOf(" pid ");
        if (at >= 0)
            serverRss = processRssKiB(out.mid(at + 5, out.indexOf('\n', at) - at - 5).trimmed().toLongLong());
        std::printf("start → first painted notebook %6.0f ms, → connected to its server %6.0f ms; idle RSS app %ld KiB, "
                    "bundled server %ld KiB\n",
                    painted, connected, appRss, serverRss);
        std::fflush(stdout);
        app.terminate();
        app.waitForFinished(5000);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int keys = args.contains(QStringLiteral("--keys")) ? args.value(args.indexOf(QStringLiteral("--keys")) + 1).toInt() : 1000;
    const quint32 seed = args.contains(QStringLiteral("--seed")) ? args.value(args.indexOf(QStringLiteral("--seed")) + 1).toUInt() : 1;
    std::printf("Kyozo editor benchmark: %d keystrokes at random positions per size, offscreen, seed %u\n", keys, seed);
    QByteArray corpus;
    if (const QString path = args.size() > 1 && args.last().endsWith(QLatin1String(".md")) ? args.last() : QString(); !path.isEmpty()) {
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            corpus = f.read(8 * 1024 * 1024);
    }
    const QList<qsizetype> sizes = { qsizetype(100) * 1024, qsizetype(1024) * 1024, qsizetype(5) * 1024 * 1024 };
    if (corpus.isEmpty())
        std::printf("(no corpus given: only the dense notebooks)\n");
    else
        for (qsizetype size : sizes)
            keystrokes("typical", size, corpus, keys, seed);
    for (qsizetype size : sizes)
        keystrokes("dense", size, {}, keys, seed);
    startup();
    return 0;
}
