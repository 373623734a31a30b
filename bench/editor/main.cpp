// bench/editor (issue 6): keystroke-to-updated-highlight latency on 100 KB, 1 MB and 5 MB
// notebooks (p50/p99 of 1,000 keystrokes at random positions, offscreen), the time until the
// whole document's analysis and formats have followed each keystroke, and the Semantics and
// Hidden data panels too (issue 18 item 4), the preview's render, app start to first painted
// notebook, idle RSS.
//   build/bench/bin/editor [--keys N] [--seed S] [CORPUS.md]
// CORPUS.md: the output of ../shared/bench/make-corpus.sh, for the "typical" notebooks.
// --analysis-only: the analysis alone (full parse, incremental, the app's rest), no editor.
// --remote N (issue 15, Benchmark): keystroke-to-screen latency on a 1 MB notebook of a real
// kyozo-server while N other authors type into it (5 characters a second each): from the key
// event to the end of the editor's next paint, p50/p99.
#include "coeditpeer.h"
#include "collab/textoperation.h"
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"
#include "markdownld/incrementalanalyzer.h"
#include "markdownld/streamparser.h"
#include "net/sharednotebook.h"
#include "panels/hiddendatapanel.h"
#include "panels/previewpanel.h"
#include "panels/semanticspanel.h"
#include "processrss.h"
#include "restrequest.h"
#include "temporaryserver.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
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

// When the watched widget last finished handling a paint event (CLOCK_MONOTONIC ns).
class BenchApplication : public QApplication
{
public:
    using QApplication::QApplication;
    bool notify(QObject *receiver, QEvent *event) override
    {
        const bool handled = QApplication::notify(receiver, event);
        if (event->type() == QEvent::Paint && receiver == watched)
            lastPaintDoneNs = KyozoTest::CoeditPeer::clockNs();
        return handled;
    }
    QObject *watched = nullptr;
    qint64 lastPaintDoneNs = 0;
};

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
    // The panels as the main window has them, updated from the analysis's diffs once it is in
    // (the window waits 120 ms after it for that; the figure here leaves the wait out).
    SemanticsPanel semantics;
    HiddenDataPanel hidden;
    PreviewPanel preview;
    for (QWidget *panel : std::initializer_list<QWidget *> { &semantics, &hidden, &preview }) {
        panel->resize(400, 600);
        panel->show();
    }
    QString error;
    QElapsedTimer load;
    load.start();
    if (!editor.loadBytes(notebookOfSize(size, corpus), &error)) {
        std::printf("load failed: %s\n", qPrintable(error));
        return;
    }
    QCoreApplication::processEvents();
    const double loadMs = double(load.nsecsElapsed()) / 1e6;
    SemanticHighlighter *highlighter = editor.highlighter();
    const auto updatePanels = [&] {
        const auto &items = highlighter->analysis().items();
        const ItemSplice changes = highlighter->takeItemChanges();
        semantics.applyItems(items, changes);
        hidden.applyItems(items, changes);
        QCoreApplication::processEvents(); // their repaint
    };
    while (highlighter->isAnalysing())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents | QEventLoop::AllEvents, 5);
    updatePanels();
    const CodeHtml codeHtml
        = [code = editor.codeHighlighter()](const QString &info, const QString &text) {
              return code->html(info, text, CodeHighlighter::Wait::No);
          };
    QRandomGenerator random(seed);
    QList<double> typed, refresh, panels, previews;
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
        // The rest: on large notebooks the whole analysis on the worker thread, then the
        // refresh of other blocks and the repaint, until all of it has landed.
        do
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents | QEventLoop::AllEvents, 5);
        while (highlighter->isAnalysing());
        QCoreApplication::processEvents();
        refresh.append(double(t.nsecsElapsed()) / 1e6);
        updatePanels();
        panels.append(double(t.nsecsElapsed()) / 1e6);
        // The preview renders the whole notebook again (cmark-gfm, then QTextBrowser): its
        // cost per update, on the first keys only (seconds each on 5 MB).
        if (i < 10) {
            QElapsedTimer p;
            p.start();
            preview.showNotebook(editor.saveBytes(), PreviewOptions(), codeHtml);
            QCoreApplication::processEvents();
            previews.append(double(p.nsecsElapsed()) / 1e6);
        }
    }
    std::printf(
        "%-8s %7.1f KB  load+first highlight %7.1f ms   keystroke p50 %6.2f ms  p99 %6.2f ms   "
        "whole update p50 %6.2f ms  p99 %6.2f ms   Semantics+Hidden data current p50 %6.2f ms  "
        "p99 %6.2f ms   preview render p50 %7.1f ms\n",
        kind, double(size) / 1024, loadMs, percentile(typed, 0.5), percentile(typed, 0.99),
        percentile(refresh, 0.5), percentile(refresh, 0.99), percentile(panels, 0.5),
        percentile(panels, 0.99), percentile(previews, 0.5));
    std::fflush(stdout);
}

// Where a whole update's time goes (issue 18 item 4): the document analysis alone, without
// the editor, after a key typed at a random place: a full parse, the IncrementalAnalyzer's
// pass (which extracts only the changed block), and the app's DocumentAnalysis around it.
void analysisTimes(const char *kind, qsizetype size, const QByteArray &corpus, int keys,
                   quint32 seed)
{
    QString text = QString::fromUtf8(notebookOfSize(size, corpus));
    QRandomGenerator random(seed);
    Kyozo::MarkdownLD::IncrementalAnalyzer incremental(DocumentAnalysis::editorOptions());
    incremental.update(text.toUtf8());
    DocumentAnalysis analysis;
    QList<double> full, core, app;
    for (int i = 0; i < keys; ++i) {
        text.insert(int(random.bounded(int(text.size()))), QChar(u'a' + int(random.bounded(26))));
        const QByteArray utf8 = text.toUtf8();
        QElapsedTimer t;
        t.start();
        {
            Kyozo::MarkdownLD::StreamParser parser(DocumentAnalysis::editorOptions());
            parser.feed(utf8);
            parser.finish();
        }
        full.append(double(t.nsecsElapsed()) / 1e6);
        t.restart();
        incremental.update(utf8);
        core.append(double(t.nsecsElapsed()) / 1e6);
        t.restart();
        analysis.analyse(text); // the app's own work after the parse, with a full parse
        app.append(double(t.nsecsElapsed()) / 1e6 - full.last());
    }
    std::printf("%-8s %7.1f KB  analysis: full parse p50 %6.2f ms  p99 %6.2f ms   incremental p50 "
                "%6.2f ms  "
                "p99 %6.2f ms   the app's rest p50 %6.2f ms\n",
                kind, double(size) / 1024, percentile(full, 0.5), percentile(full, 0.99),
                percentile(core, 0.5), percentile(core, 0.99), percentile(app, 0.5));
    std::fflush(stdout);
}

void remoteKeystrokes(int authors, int keys, const QByteArray &corpus)
{
    auto *app = static_cast<BenchApplication *>(QCoreApplication::instance());
    KyozoTest::TemporaryServer server;
    QString error;
    if (!server.start(QStringLiteral("[limits]\nmessages_per_second = 5000\nmessage_burst = 10000\n"),
                      &error)) {
        std::printf("remote: server: %s\n", qPrintable(error));
        return;
    }
    const QString token = server.userWithToken(QStringLiteral("ada"), QStringLiteral("lab"),
                                               QStringLiteral("owner"));
    const QByteArray content = notebookOfSize(1024 * 1024, corpus);
    const KyozoTest::RestResponse created = KyozoTest::restRequest(
        "POST", server.url(QStringLiteral("/api/v1/workspaces/lab/notebooks")), token,
        QJsonDocument(QJsonObject { { QStringLiteral("title"), QStringLiteral("bench") },
                                    { QStringLiteral("content"), QString::fromUtf8(content) } })
            .toJson(),
        QByteArrayLiteral("application/json"), 60000);
    const QString id = created.json.value(QLatin1String("id")).toString();
    if (id.isEmpty()) {
        std::printf("remote: cannot create the notebook (%d)\n", created.status);
        return;
    }
    NotebookEditor editor;
    editor.resize(1000, 800);
    editor.show();
    app->watched = editor.viewport();
    SharedNotebook shared(&editor);
    shared.open(server.url({}), token, id);
    if (!KyozoTest::waitForEvents([&] { return shared.isLoaded(); }, 30000)) {
        std::printf("remote: the editor did not load the notebook\n");
        return;
    }
    std::vector<std::unique_ptr<KyozoTest::CoeditPeer>> peers;
    for (int i = 0; i < authors; ++i) {
        const QString name = QStringLiteral("author%1").arg(i);
        auto peer = std::make_unique<KyozoTest::CoeditPeer>(id, name);
        peer->setBatch(true);
        const QString peerToken = server.userWithToken(name, QStringLiteral("lab"), QStringLiteral("editor"));
        if (peerToken.isEmpty()) {
            std::printf("remote: no token for %s\n", qPrintable(name));
            return;
        }
        peer->connectTo(server.socketUrl(peerToken));
        peers.push_back(std::move(peer));
    }
    if (!KyozoTest::waitForEvents([&] {
            return std::all_of(peers.begin(), peers.end(), [](const auto &p) { return p->hasJoined(); });
        }, 30000)) {
        for (const auto &p : peers)
            std::printf("remote: %s joined %d, frames %lld, error: %s\n", p->hasJoined() ? "yes" : "no", p->joins(), p->framesReceived(),
                        qPrintable(p->error()));
        std::printf("remote: the authors did not join (server sockets %lld, opened %lld)\n",
                    server.metric(QStringLiteral("kyozo_sockets")),
                    server.metric(QStringLiteral("kyozo_sockets_opened_total")));
        return;
    }
    // Each author types 5 characters a second at its own place, a tenth of the way further
    // into the text than the one before.
    QTimer typing;
    typing.setInterval(200);
    int remoteKeys = 0;
    QObject::connect(&typing, &QTimer::timeout, [&] {
        for (size_t i = 0; i < peers.size(); ++i) {
            KyozoTest::CoeditPeer &p = *peers[i];
            const qsizetype length = p.text().size();
            const qsizetype at = std::min(length, qsizetype(double(i + 1) / double(peers.size() + 1)
                                                            * double(length)));
            Kyozo::Collab::TextOperation op;
            op.retain(at).insert(QStringLiteral("x")).retain(length - at);
            if (p.edit(op))
                ++remoteKeys;
        }
    });
    typing.start();
    QRandomGenerator random(7);
    QList<double> latencies;
    for (int i = 0; i < keys; ++i) {
        // A key every 50 ms or so, between the others' edits.
        KyozoTest::waitForEvents([] { return false; }, 40 + int(random.bounded(20)));
        QTextCursor cursor(editor.document());
        cursor.setPosition(int(random.bounded(editor.document()->characterCount() - 1)));
        editor.setTextCursor(cursor);
        const QChar c = QChar(u'a' + int(random.bounded(26)));
        QKeyEvent press(QEvent::KeyPress, Qt::Key_A, Qt::NoModifier, QString(c));
        QKeyEvent release(QEvent::KeyRelease, Qt::Key_A, Qt::NoModifier, QString(c));
        const qint64 t0 = KyozoTest::CoeditPeer::clockNs();
        QApplication::sendEvent(editor.viewport()->parentWidget(), &press);
        QApplication::sendEvent(editor.viewport()->parentWidget(), &release);
        // Until a paint that began after the key has ended: the character is on screen.
        KyozoTest::waitForEvents([&] { return app->lastPaintDoneNs > t0; }, 2000);
        latencies.append(double(app->lastPaintDoneNs - t0) / 1e6);
    }
    typing.stop();
    KyozoTest::waitForEvents([&] { return shared.isLoaded() && std::all_of(peers.begin(), peers.end(), [](const auto &p) { return p->isSettled(); }); }, 10000);
    std::printf("1 MB notebook, %d remote authors typing 5 chars/s each (%d remote keystrokes): local "
                "keystroke to end of paint p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d keys "
                "(target p99 <= 16 ms)\n",
                authors, remoteKeys, percentile(latencies, 0.5), percentile(latencies, 0.99),
                percentile(latencies, 1.0), keys);
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
    BenchApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (const qsizetype at = args.indexOf(QStringLiteral("--remote")); at >= 0) {
        QByteArray corpus;
        if (args.last().endsWith(QLatin1String(".md"))) {
            QFile f(args.last());
            if (f.open(QIODevice::ReadOnly))
                corpus = f.read(8 * 1024 * 1024);
        }
        const int keys = args.contains(QStringLiteral("--keys"))
            ? args.value(args.indexOf(QStringLiteral("--keys")) + 1).toInt()
            : 300;
        remoteKeystrokes(args.value(at + 1).toInt(), keys, corpus);
        return 0;
    }
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
    if (args.contains(QStringLiteral("--analysis-only"))) {
        for (qsizetype size : sizes) {
            if (!corpus.isEmpty())
                analysisTimes("typical", size, corpus, keys, seed);
            analysisTimes("dense", size, {}, keys, seed);
        }
        return 0;
    }
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
