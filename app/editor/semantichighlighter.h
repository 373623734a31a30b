#pragma once

#include "codehighlighter.h"
#include "documentanalysis.h"

#include <QSyntaxHighlighter>
#include <QTextCharFormat>
#include <QTextLayout>
#include <array>
#include <optional>
#include <unordered_map>
#include <utility>

namespace Kyozo::App {

// Live semantic highlighting (SPEC §9). The highlighter asks the parser (STYLE.md), and the
// block being typed in gets its new formats within the same keystroke, with no debounce:
// - up to kSyncChars, the first block Qt re-highlights after an edit re-analyses the whole
//   document on the spot;
// - above, that block is formatted from a parse of the lines around it (from a blank line
//   outside any code, front matter, JSON-LD or HTML block, where the parser's state is
//   known to be fresh), and the whole document is analysed on a worker thread.
// Blocks elsewhere whose formats changed (a fence opened above, front matter closed) are
// refreshed from the event loop once the whole analysis is in.
class SemanticHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    SemanticHighlighter(QTextDocument *document, CodeHighlighter *code);

    // The latest whole-document analysis: of the document as it is now up to kSyncChars,
    // else possibly of a version a few keystrokes old (analysed() follows the fresh one).
    const DocumentAnalysis &analysis();
    // How analysis().items() differs from the items when this was last called: what the
    // panels redraw (issue 18 item 4). Edits moved with paused analysis change no index.
    ItemSplice takeItemChanges();
    bool isAnalysing() const { return m_running; }

    // Paused, edits move what the last analysis found with the text and nothing is analysed
    // again until resumed (bulk changes; and the proof that positions move, issue 18 item 4).
    void setAnalysisPaused(bool paused);
    bool isAnalysisPaused() const { return m_paused; }

    static constexpr int kSyncChars = 512 * 1024;
    static constexpr int kWindowLines = 400;
    QTextCharFormat formatFor(Role role) const { return m_formats[size_t(role)]; }
    void setDark(bool dark);

signals:
    // After each fresh analysis (queued: listeners run outside the highlighting pass).
    void analysed();

protected:
    void highlightBlock(const QString &text) override;

private:
    void ensureAnalysed();
    bool moveAnalysis(int position, int removed, int added);
    void installAnalysis(); // m_analysis is fresh: queue the refresh, tell the panels
    // An analysis made from `base` (0: from nothing known) as `serial` landed, `installed` as
    // m_analysis or dropped for a newer one: its splice extends those the panels have not
    // taken yet.
    void chainSplice(quint64 base, quint64 serial, const ItemSplice &splice, bool installed);
    bool isLarge() const;
    void analyseInBackground();
    // Parses the lines around `line` into m_window, unless it already holds them.
    void ensureWindow(int line);
    // The formats of one line, and a hash of them kept as the block's state: a block whose
    // stored hash differs from the current one is stale.
    // With `out` null only the hash is computed (the refresh pass compares hashes).
    void formatsOfLine(const DocumentAnalysis &analysis, int line, int lineOffset, int length, size_t *signature,
                       QList<QTextLayout::FormatRange> *out);
    static bool isWholeLine(const LineSpan &span, int length);
    const QList<CodeHighlighter::Span> *codeSpans(const DocumentAnalysis &analysis, const CodeBlock *block, int lineOffset);
    void refreshChangedBlocks();

    CodeHighlighter *m_code;
    DocumentAnalysis m_analysis;
    // The whole analyses' analyser: one of them at a time (on the worker, or here when no
    // worker runs), so that each extracts only the blocks changed since the last.
    std::shared_ptr<MarkdownLD::IncrementalAnalyzer> m_incremental;
    // Every analysis has a serial; m_incremental's state is the one made last with it.
    quint64 m_serials = 0;
    quint64 m_incrementalSerial = 0;
    // From the items the panels last took to m_analysis's, and from there to those of the
    // analysis made last (m_chainEnd), which may have been dropped for a newer one.
    ItemSplice m_spliceToAnalysis;
    ItemSplice m_splicePastAnalysis = ItemSplice::none();
    quint64 m_chainEnd = 0;
    bool m_stale = true;
    bool m_paused = false;
    quint64 m_generation = 0; // counts edits
    bool m_running = false;   // a worker thread is analysing
    DocumentAnalysis m_window;
    int m_windowFirst = -1;   // document line of the window's first line
    quint64 m_windowGeneration = 0;
    bool m_refreshQueued = false;
    std::optional<bool> m_dark;
    // Per code block of the current analysis: its spans (nullptr while being computed),
    // nullopt until looked up.
    QList<std::optional<const QList<CodeHighlighter::Span> *>> m_codeSpans;
    // By first content line; node-based, so pointers into it survive insertions.
    std::unordered_map<int, QList<CodeHighlighter::Span>> m_previousCodeSpans;
    QList<LineSpan> m_lineSpans;                       // scratch, reused for every line
    QList<QTextLayout::FormatRange> m_lineFormats;     // scratch
    std::array<QTextCharFormat, 16> m_formats;
};

} // namespace Kyozo::App
