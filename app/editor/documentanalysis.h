#pragma once

#include "markdownld/incrementalanalyzer.h"
#include "markdownld/pipeline.h"
#include "markdownld/semanticitem.h"

#include <QList>
#include <QString>

namespace Kyozo::App {

// What the highlighter and the panels draw, by line of the editor (one block per line).
// At most 16 (a line's whole-line roles are a 16-bit mask).
enum class Role : quint8 {
    Heading,
    FrontMatter,
    FrontMatterKey,
    JsonLd,
    JsonLdKey,
    Metadata,   // HTML metadata: Dublin Core, Open Graph, microdata
    Annotation,
    Inferred,   // items the parser inferred rather than read (SPEC §2.3)
    HtmlBlock,
    Code,
    HiddenData,
    SuspiciousHidden,
    Error,
};

// A run of lines with one role (0-based, inclusive).
struct LineRange
{
    int firstLine = 0;
    int lastLine = 0;
    Role role = Role::Heading;
};

// A span inside one line; columns in UTF-16 code units of the block's text.
struct LineSpan
{
    int line = 0;
    int start = 0;
    int length = 0;
    Role role = Role::Heading;
};

// Where a hidden-data or suspicious-hidden item's run starts: its line and UTF-16 column,
// worked out once per analysis (the editor draws a marker there on every repaint).
struct HiddenMarker
{
    int line = 0; // 0-based
    int column = 0; // UTF-16 code units into the line
    qsizetype item = 0; // index into DocumentAnalysis::items()
};

// A fenced code block whose info string names a language (not linked data).
struct CodeBlock
{
    int firstContentLine = 0; // 0-based
    int lineCount = 0;
    QString language;         // the fence's info string, first word
    QString code;             // its lines joined by '\n'
};

// Which items changed from one list to the next, by index, as the panels redraw them: items
// [first, first + removed) of the older list became [first, first + inserted) of the newer;
// the others are the same items (those after the splice possibly moved with the text).
// `whole`: the lists are not known to be related; redraw everything.
struct ItemSplice
{
    qsizetype first = 0;
    qsizetype removed = 0;
    qsizetype inserted = 0;
    bool whole = true;

    static ItemSplice none() { return { 0, 0, 0, false }; }
    bool isEmpty() const { return !whole && removed == 0 && inserted == 0; }
    // This splice and then `next`, which starts from the list this one leads to, as one.
    ItemSplice then(const ItemSplice &next) const;
};

// The core parser's view of the editor's text (STYLE.md: the highlighter asks the parser).
// The whole document is read again on each analysis, through the IncrementalAnalyzer when
// one is given, which extracts only the blocks that changed (what costs on dense notebooks).
class DocumentAnalysis
{
public:
    // `text`: the editor's lines joined by '\n' (QTextDocument::toRawText with U+2029
    // turned into '\n'), so parser line N is editor block N - 1.
    // With `incremental`, the analyser that saw the document's previous text: only the blocks
    // that changed since are extracted again (SPEC §2.6). One analysis at a time may use it.
    void analyse(const QString &text, MarkdownLD::IncrementalAnalyzer *incremental = nullptr);
    // The parser's options for the editor: inferred items, and the plugins of the pipeline.
    static MarkdownLD::StreamParser::Options editorOptions();
    // An edit of the text analysed: `removed` UTF-16 units at `position` replaced by
    // `inserted` ('\n' between lines). Everything found moves with its text, as
    // KTextEditor's moving ranges do, without a new analysis: items (bytes, lines, columns),
    // line roles, spans, hidden-data markers, code blocks. What the edit itself touched is
    // only as right as the next analysis makes it. False (nothing moved) if the edit does
    // not fit the text analysed.
    bool moveWith(int position, int removed, const QString &inserted);
    // The plugins every analysis runs (loaded at first use).
    static const MarkdownLD::Pipeline &editorPipeline();

    const QList<MarkdownLD::SemanticItem> &items() const { return m_items; }
    // How items() differs from the items of the analysis `incremental` made before this one
    // (whole without one).
    const ItemSplice &splice() const { return m_splice; }
    const QList<CodeBlock> &codeBlocks() const { return m_codeBlocks; }
    int lineCount() const { return int(m_lineStarts.size()); }
    qsizetype textLength() const { return m_text.size(); }
    // The code block with a language that holds this line, or nullptr.
    const CodeBlock *codeBlockAt(int line) const;
    // Spans of one line, whole-line roles first (drawn under the inline ones).
    // The whole-line roles of a line, a bit per Role (0 beyond the end).
    quint16 rolesOfLine(int line) const { return line >= 0 && line < m_lineRoles.size() ? m_lineRoles[line] : 0; }
    // `out` is cleared first; callers reuse it across lines.
    void spansOfLine(int line, QList<LineSpan> *out) const;
    // UTF-16 column of a 0-based line and 1-based code-point column, for cursor jumps:
    // O(log n), from an index of the line's characters outside the BMP (issue 14 item 8: a
    // scan from the line's start per item made a line of many runs quadratic).
    int utf16Column(int line0, qint64 codePointColumn) const;
    // The runs of the hidden items, ordered by (line, column): binary-searchable by position.
    const QList<HiddenMarker> &hiddenMarkers() const { return m_hiddenMarkers; }

private:
    void addItem(const MarkdownLD::SemanticItem &item);
    void addInline(int line0, int start, int length, Role role);
    void addJsonKeys(int line0);
    int utf16Length(const MarkdownLD::SourceRange &range) const; // of the text the range covers
    int lineLength(int line0) const;

    QString m_text;
    QList<qsizetype> m_lineStarts; // UTF-16 offset of each line in m_text
    // Code-point index in its line of each high surrogate, line by line; m_astralStarts[l]
    // is the first of line l (one more entry than lines).
    QList<int> m_astral;
    QList<int> m_astralStarts;
    bool m_astralValid = true; // false once moved: utf16Column() counts on the line itself
    QList<HiddenMarker> m_hiddenMarkers;
    QByteArray m_utf8;             // what the parser read; item byte ranges index it
    QList<LineRange> m_ranges;     // whole-line roles as found
    QList<quint16> m_lineRoles;    // per line, a bit per whole-line Role
    QList<LineSpan> m_spans;       // sorted by line once analysed
    QList<MarkdownLD::SemanticItem> m_items;
    ItemSplice m_splice;
    QList<CodeBlock> m_codeBlocks;
};

} // namespace Kyozo::App
