#include "cells.h"

#include "markdownld/blockparser.h"
#include "markdownld/streamlistener.h"

#include <QCryptographicHash>
#include <QSet>

#include <vector>

namespace Kyozo::Execution {

namespace {

    bool isSpace(QChar c)
    {
        return c == u' ' || c == u'\t';
    }

    // `key=value`, `key="value"`, `key='value'`, `#id`, `.class`, separated by white space
    // (Pandoc's attribute list, as Runme reads ```sh {name=setup}). One pass.
    void parseAttributes(QStringView text, CellInfo &info, QString *firstClass)
    {
        qsizetype i = 0;
        QString name;
        while (i < text.size()) {
            while (i < text.size() && isSpace(text[i]))
                ++i;
            const qsizetype start = i;
            QString key, value;
            bool quoted = false;
            while (i < text.size() && !isSpace(text[i]) && text[i] != u'=')
                ++i;
            key = text.sliced(start, i - start).toString();
            if (i < text.size() && text[i] == u'=') {
                ++i;
                if (i < text.size() && (text[i] == u'"' || text[i] == u'\'')) {
                    const QChar quote = text[i++];
                    const qsizetype v = i;
                    while (i < text.size() && text[i] != quote)
                        ++i;
                    value = text.sliced(v, i - v).toString();
                    quoted = true;
                    if (i < text.size())
                        ++i;
                } else {
                    const qsizetype v = i;
                    while (i < text.size() && !isSpace(text[i]))
                        ++i;
                    value = text.sliced(v, i - v).toString();
                }
            }
            if (key.isEmpty() && !quoted)
                continue;
            if (key.startsWith(u'#') && key.size() > 1 && info.id.isEmpty() && value.isEmpty())
                info.id = key.mid(1);
            else if (key.startsWith(u'.') && key.size() > 1 && firstClass->isEmpty())
                *firstClass = key.mid(1);
            else if (key == u"name" && name.isEmpty())
                name = value;
            else if (key == u"service" && info.service.isEmpty())
                info.service = value;
        }
        if (info.id.isEmpty())
            info.id = name; // {#id} wins over {name=...}
    }

    // SPEC §2.2.2 front matter, as StreamParser reads it: `---` or `+++` alone on the first
    // line opens it, `---`/`...` (YAML) or `+++` (TOML) closes it; unclosed, it is Markdown.
    bool isDelimiterLine(QByteArrayView line, const char *delimiter)
    {
        if (!line.startsWith(delimiter))
            return false;
        for (qsizetype i = 3; i < line.size(); ++i)
            if (line[i] != ' ' && line[i] != '\t')
                return false;
        return true;
    }

    struct Line
    {
        qsizetype start; // first byte
        qsizetype textEnd; // before its line ending
        qsizetype end; // after its line ending
    };

    // Lines as the stream parser splits them: at '\n', a '\r' before it is part of the ending.
    std::vector<Line> linesOf(const QByteArray &utf8)
    {
        std::vector<Line> lines;
        qsizetype p = 0;
        while (p < utf8.size()) {
            qsizetype nl = utf8.indexOf('\n', p);
            const qsizetype end = nl < 0 ? utf8.size() : nl + 1;
            qsizetype textEnd = nl < 0 ? utf8.size() : nl;
            if (textEnd > p && utf8[textEnd - 1] == '\r')
                --textEnd;
            lines.push_back({ p, textEnd, end });
            p = end;
        }
        return lines;
    }

    qsizetype frontMatterLines(const QByteArray &utf8, const std::vector<Line> &lines)
    {
        if (lines.empty())
            return 0;
        QByteArrayView first
            = QByteArrayView(utf8).sliced(lines[0].start, lines[0].textEnd - lines[0].start);
        if (first.startsWith("\xEF\xBB\xBF"))
            first = first.sliced(3);
        const bool yaml = isDelimiterLine(first, "---");
        if (!yaml && !isDelimiterLine(first, "+++"))
            return 0;
        for (size_t i = 1; i < lines.size(); ++i) {
            const QByteArrayView l
                = QByteArrayView(utf8).sliced(lines[i].start, lines[i].textEnd - lines[i].start);
            if (yaml ? (isDelimiterLine(l, "---") || isDelimiterLine(l, "..."))
                     : isDelimiterLine(l, "+++"))
                return qsizetype(i + 1);
        }
        return 0;
    }

    struct FoundBlock
    {
        MarkdownLD::SourceRange range;
        QByteArray info;
        QByteArray code;
    };

    // Takes each fenced block's content lines with their own line endings from the text:
    // the parser gives where each content line starts once container prefixes and the
    // fence's indentation are removed (CommonMark 0.29 §4.5).
    class FenceCollector : public MarkdownLD::StreamListener
    {
    public:
        FenceCollector(const QByteArray &utf8, const std::vector<Line> &lines)
            : m_utf8(utf8)
            , m_lines(lines)
        {
        }
        void blockClosed(const MarkdownLD::BlockEvent &event) override
        {
            if (event.kind != MarkdownLD::BlockKind::FencedCode)
                return;
            FoundBlock block { event.range, event.info.toByteArray(), {} };
            if (event.contentLines) {
                for (const MarkdownLD::ContentLine &l : *event.contentLines) {
                    const Line &line = m_lines[size_t(l.line - 1)];
                    const qsizetype from = qMin(qsizetype(l.documentByte), line.textEnd);
                    block.code.append(m_utf8.constData() + from, line.end - from);
                }
            }
            blocks.push_back(std::move(block));
        }
        std::vector<FoundBlock> blocks;

    private:
        const QByteArray &m_utf8;
        const std::vector<Line> &m_lines;
    };

    // UTF-8 byte offsets to UTF-16 offsets, for offsets asked in increasing order.
    class OffsetMap
    {
    public:
        explicit OffsetMap(const QByteArray &utf8)
            : m_utf8(utf8)
        {
        }
        qsizetype utf16(qsizetype byte)
        {
            while (m_byte < byte && m_byte < m_utf8.size()) {
                const uchar c = uchar(m_utf8[m_byte]);
                const int length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
                m_units += length == 4 ? 2 : 1;
                m_byte += length;
            }
            return m_units;
        }

    private:
        const QByteArray &m_utf8;
        qsizetype m_byte = 0;
        qsizetype m_units = 0;
    };

} // namespace

CellInfo parseCellInfo(QStringView info)
{
    CellInfo result;
    info = info.trimmed();
    const qsizetype brace = info.indexOf(u'{');
    qsizetype wordEnd = 0;
    while (wordEnd < info.size() && !isSpace(info[wordEnd]) && info[wordEnd] != u'{')
        ++wordEnd;
    result.language = info.first(wordEnd).toString().toLower();
    QString firstClass;
    if (brace >= 0) {
        const qsizetype close = info.indexOf(u'}', brace + 1);
        // Only white space between the word and the braces: `python {#x}`, `{.python #x}`.
        if (close > brace && info.sliced(wordEnd, brace - wordEnd).trimmed().isEmpty())
            parseAttributes(info.sliced(brace + 1, close - brace - 1), result, &firstClass);
    }
    if (result.language.isEmpty())
        result.language = firstClass.toLower(); // Pandoc's ```{.python}
    return result;
}

QList<Cell> cellsOf(QStringView notebookText)
{
    const QByteArray utf8 = notebookText.toUtf8();
    const std::vector<Line> lines = linesOf(utf8);
    const qsizetype skip = frontMatterLines(utf8, lines);
    FenceCollector collector(utf8, lines);
    // Every fence's content is wanted, whatever its size: the text is in memory already.
    MarkdownLD::BlockParser parser(&collector, utf8.size() + 1,
                                   [](QByteArrayView) { return true; });
    for (size_t i = size_t(skip); i < lines.size(); ++i) {
        QByteArrayView text
            = QByteArrayView(utf8).sliced(lines[i].start, lines[i].textEnd - lines[i].start);
        qint64 start = lines[i].start;
        if (i == 0 && text.startsWith("\xEF\xBB\xBF")) {
            text = text.sliced(3);
            start += 3;
        }
        parser.processLine(text, start, qint64(i + 1));
    }
    parser.finish();

    QList<Cell> cells;
    cells.reserve(qsizetype(collector.blocks.size()));
    QSet<QString> taken;
    OffsetMap offsets(utf8);
    int index = 0;
    for (const FoundBlock &b : collector.blocks) {
        Cell cell;
        cell.index = ++index;
        const CellInfo info = parseCellInfo(QString::fromUtf8(b.info));
        cell.language = info.language;
        cell.service = info.service;
        QString id = info.id.isEmpty() ? QStringLiteral("cell-%1").arg(cell.index) : info.id;
        if (taken.contains(id)) {
            int n = 2;
            while (taken.contains(id + u'-' + QString::number(n)))
                ++n;
            id += u'-' + QString::number(n);
        }
        taken.insert(id);
        cell.id = id;
        cell.code = QString::fromUtf8(b.code);
        cell.hash = QCryptographicHash::hash(b.code, QCryptographicHash::Sha256).toHex();
        cell.startLine = int(b.range.startLine);
        cell.endLine = int(b.range.endLine);
        cell.startOffset = offsets.utf16(qsizetype(b.range.startByte));
        cell.endOffset = offsets.utf16(qsizetype(b.range.endByte));
        cells.append(cell);
    }
    return cells;
}

} // namespace Kyozo::Execution
