#pragma once

#include "codehighlighter.h"
#include "documentanalysis.h"

#include <QSyntaxHighlighter>
#include <QTextLayout>
#include <QTextCharFormat>
#include <array>
#include <optional>
#include <unordered_map>

namespace Kyozo::App {

// Live semantic highlighting (SPEC §9). The highlighter asks the parser (STYLE.md): the
// first block Qt re-highlights after an edit re-analyses the document synchronously, so the
// block being typed in gets its new formats within the same keystroke, with no debounce.
// Blocks elsewhere whose formats changed (a fence opened above, front matter closed) are
// refreshed right after, from the event loop.
class SemanticHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    SemanticHighlighter(QTextDocument *document, CodeHighlighter *code);

    // The analysis of the document as it is now.
    const DocumentAnalysis &analysis();
    QTextCharFormat formatFor(Role role) const { return m_formats[size_t(role)]; }
    void setDark(bool dark);

signals:
    // After each fresh analysis (queued: listeners run outside the highlighting pass).
    void analysed();

protected:
    void highlightBlock(const QString &text) override;

private:
    void ensureAnalysed();
    // The formats of one line, and a hash of them kept as the block's state: a block whose
    // stored hash differs from the current one is stale.
    // With `out` null only the hash is computed (the refresh pass compares hashes).
    void formatsOfLine(int line, int length, size_t *signature, QList<QTextLayout::FormatRange> *out);
    static bool isWholeLine(const LineSpan &span, int length);
    const QList<CodeHighlighter::Span> *codeSpans(const CodeBlock *block);
    void refreshChangedBlocks();

    CodeHighlighter *m_code;
    DocumentAnalysis m_analysis;
    bool m_stale = true;
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
