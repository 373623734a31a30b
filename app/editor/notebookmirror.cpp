#include "notebookmirror.h"

#include <QLoggingCategory>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>

Q_LOGGING_CATEGORY(lcMirror, "kyozo.mirror")

namespace Kyozo::App {

namespace {

    constexpr QChar kBom(0xFEFF);

    bool cutsPair(const QString &text, qsizetype i)
    {
        return i > 0 && i < text.size() && text.at(i - 1).isHighSurrogate()
            && text.at(i).isLowSurrogate();
    }

    bool hasLoneSurrogate(const QString &text)
    {
        for (qsizetype i = 0; i < text.size(); ++i) {
            if (text.at(i).isHighSurrogate() && i + 1 < text.size()
                && text.at(i + 1).isLowSurrogate())
                ++i;
            else if (text.at(i).isSurrogate())
                return true;
        }
        return false;
    }

    // A whole-lines piece of notebook text as the document holds it: each line ending one
    // separator ('\n' for QTextCursor::insertText), without its first character when that is the
    // BOM the document does not show.
    QString documentText(const QString &lines, bool withoutBom, QList<QString> *endings = nullptr)
    {
        QString text;
        text.reserve(lines.size());
        qsizetype from = withoutBom ? 1 : 0;
        while (true) {
            const NotebookText::Line line = NotebookText::lineAt(lines, from);
            text += QStringView(lines).sliced(line.start, line.length);
            if (endings)
                endings->append(lines.sliced(line.start + line.length, line.ending));
            if (line.ending == 0 || line.end() == lines.size()) {
                if (line.ending)
                    text += u'\n';
                break;
            }
            text += u'\n';
            from = line.end();
        }
        return text;
    }

    bool isEndingChar(QChar c)
    {
        return c == u'\n' || c == u'\r' || c == QChar::ParagraphSeparator || c == QChar(0xFDD0)
            || c == QChar(0xFDD1);
    }

} // namespace

TextEdit minimalEdit(const QString &before, const QString &after, qsizetype offset,
                     qsizetype maxPrefix, qsizetype maxSuffix)
{
    const qsizetype shorter = std::min(before.size(), after.size());
    const qsizetype prefixCap = maxPrefix < 0 ? shorter : std::min(shorter, maxPrefix);
    qsizetype p = 0;
    while (p < prefixCap && before.at(p) == after.at(p))
        ++p;
    if (p > 0 && before.at(p - 1).isHighSurrogate())
        --p; // the pairs differ in their low half: replace the whole pair
    const qsizetype suffixCap = maxSuffix < 0 ? shorter - p : std::min(shorter - p, maxSuffix);
    qsizetype q = 0;
    while (q < suffixCap && before.at(before.size() - 1 - q) == after.at(after.size() - 1 - q))
        ++q;
    if (q > 0 && before.at(before.size() - q).isLowSurrogate())
        --q;
    return { offset + p, before.size() - p - q, after.sliced(p, after.size() - p - q) };
}

NotebookMirror::NotebookMirror(QTextDocument *document, NotebookText *file, QObject *parent)
    : QObject(parent)
    , m_document(document)
    , m_file(file)
{
    // QTextDocument emits contentsChange only once it has a layout (qtextdocument_p.cpp,
    // finishEdit): a document no view shows yet gets its default one now.
    document->documentLayout();
    connect(document, &QTextDocument::contentsChange, this, &NotebookMirror::onContentsChange);
    reset();
}

void NotebookMirror::reset()
{
    m_text = m_file->text(m_document);
    m_blockCount = m_document->blockCount();
    recount();
}

void NotebookMirror::recount()
{
    m_twoUnitEndings = m_text.count(QLatin1String("\r\n"));
}

qsizetype NotebookMirror::lineStart(const QTextBlock &block) const
{
    const qsizetype bom = m_file->hasBom() ? 1 : 0;
    if (block.blockNumber() == 0)
        return 0;
    if (m_twoUnitEndings == 0)
        return block.position() + bom;
    qsizetype start = bom;
    for (QTextBlock b = m_document->firstBlock(); b.isValid() && b != block; b = b.next())
        start += b.length() - 1 + m_file->endingOf(b).size();
    return start;
}

QTextBlock NotebookMirror::lineOf(qsizetype offset, qsizetype *start) const
{
    const qsizetype bom = m_file->hasBom() ? 1 : 0;
    if (m_twoUnitEndings == 0) {
        const int position
            = int(std::clamp<qsizetype>(offset - bom, 0, m_document->characterCount() - 1));
        const QTextBlock block = m_document->findBlock(position);
        *start = lineStart(block);
        return block;
    }
    qsizetype at = 0;
    for (QTextBlock b = m_document->firstBlock(); b.isValid(); b = b.next()) {
        const qsizetype length
            = (b.blockNumber() == 0 ? bom : 0) + b.length() - 1 + m_file->endingOf(b).size();
        if (offset < at + length || !b.next().isValid()) {
            *start = at;
            return b;
        }
        at += length;
    }
    *start = 0;
    return m_document->firstBlock();
}

qsizetype NotebookMirror::notebookOffset(int documentPosition) const
{
    const QTextBlock block = m_document->findBlock(documentPosition);
    if (!block.isValid())
        return m_text.size();
    const qsizetype textStart
        = lineStart(block) + (block.blockNumber() == 0 && m_file->hasBom() ? 1 : 0);
    return textStart + (documentPosition - block.position());
}

int NotebookMirror::documentPosition(qsizetype notebookOffset) const
{
    qsizetype start = 0;
    const QTextBlock block = lineOf(notebookOffset, &start);
    const qsizetype textStart = start + (block.blockNumber() == 0 && m_file->hasBom() ? 1 : 0);
    return block.position()
        + int(std::clamp<qsizetype>(notebookOffset - textStart, 0, block.length() - 1));
}

void NotebookMirror::onContentsChange(int position, int, int added)
{
    if (m_applying)
        return;
    // The lines from the one the change starts in to the one it ends in, as they are now;
    // the count of lines the same stretch had before follows from the block count, since
    // the lines outside it are untouched. (charsRemoved is not used: Qt reports more than
    // was removed when a change reaches the document's end.)
    const int count = m_document->blockCount();
    const int lastPosition = m_document->characterCount() - 1;
    position = std::clamp(position, 0, lastPosition);
    // One untouched line more on each side: a line ending "\r" that now meets an empty line
    // ending "\n" is found wherever the change left it.
    QTextBlock first = m_document->findBlock(position);
    if (first.previous().isValid())
        first = first.previous();
    QTextBlock last = m_document->findBlock(std::min(position + added, lastPosition));
    if (last.next().isValid())
        last = last.next();
    const int linesNow = last.blockNumber() - first.blockNumber() + 1;
    const int linesBefore = linesNow + m_blockCount - count;

    qsizetype start = lineStart(first);
    qsizetype end = start;
    bool fits = linesBefore >= 1;
    bool reachedLastLine = false; // the text's last line, the one without an ending
    for (int k = 0; fits && k < linesBefore; ++k) {
        const NotebookText::Line line = NotebookText::lineAt(m_text, end);
        end = line.end();
        reachedLastLine = line.ending == 0;
        fits = !reachedLastLine || k + 1 == linesBefore;
    }
    fits = fits && reachedLastLine == !last.next().isValid();
    QString now;
    if (fits) {
        QString ending;
        auto merges = [this](const QString &ending, const QTextBlock &next) {
            return ending == u"\r" && next.isValid() && next.text().isEmpty()
                && m_file->endingOf(next).startsWith(u'\n');
        };
        for (QTextBlock b = first;; b = b.next()) {
            // "\r" then an empty line's "\n" would read back as one "\r\n", one line less
            // than the document shows: that empty line ends in "\r" too.
            if (merges(ending, b))
                NotebookText::setEnding(b, QStringLiteral("\r"));
            if (b.blockNumber() == 0 && m_file->hasBom())
                now += kBom;
            now += b.text();
            ending = m_file->endingOf(b);
            now += ending;
            if (b == last) {
                if (!merges(ending, b.next()))
                    break;
                // The next line, untouched, is made to end in "\r" as well: it joins the region.
                last = b.next();
                end = NotebookText::lineAt(m_text, end).end();
            }
        }
    } else {
        // Not expected; the whole text is always right, only slower.
        qCWarning(lcMirror) << "change at" << position
                            << "does not match the lines; comparing the whole text";
        start = 0;
        end = m_text.size();
        now = m_file->text(m_document);
    }
    m_blockCount = count;
    const QString before = m_text.sliced(start, end - start);
    // The change starts at `position`, whose notebook offset the unchanged lines above give.
    const TextEdit edit
        = minimalEdit(before, now, start, fits ? notebookOffset(position) - start : -1);
    if (edit.removed == 0 && edit.inserted.isEmpty())
        return; // formats only (the highlighter marks blocks dirty)
    m_twoUnitEndings += now.count(QLatin1String("\r\n")) - before.count(QLatin1String("\r\n"));
    const QString removedText = m_text.sliced(edit.offset, edit.removed);
    m_text.replace(edit.offset, edit.removed, edit.inserted);
    emit localEdit(edit, removedText);
}

bool NotebookMirror::apply(const TextEdit &edit, QString *error)
{
    auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (edit.offset < 0 || edit.removed < 0 || edit.offset + edit.removed > m_text.size())
        return refuse(tr("the change does not fit the notebook's text"));
    if (cutsPair(m_text, edit.offset) || cutsPair(m_text, edit.offset + edit.removed)
        || hasLoneSurrogate(edit.inserted))
        return refuse(tr("the change would split a character"));
    if (edit.removed == 0 && edit.inserted.isEmpty())
        return true;

    // The lines the edit touches, widened so that the split into lines outside them cannot
    // change: back one line when the first starts right after a "\r" (a "\n" may join it),
    // forward while the new text ends inside a line or in a "\r" that meets a "\n".
    qsizetype regionStart = 0;
    QTextBlock first = lineOf(edit.offset, &regionStart);
    if (edit.offset == regionStart && regionStart > 0 && m_text.at(regionStart - 1) == u'\r') {
        first = first.previous();
        regionStart = lineStart(first);
    }
    qsizetype lastStart = 0;
    QTextBlock last = edit.removed > 0 ? lineOf(edit.offset + edit.removed - 1, &lastStart)
                                       : lineOf(edit.offset, &lastStart);
    if (last.blockNumber() < first.blockNumber()) {
        last = first;
        lastStart = regionStart;
    }
    qsizetype regionEnd = NotebookText::lineAt(m_text, lastStart).end();
    const qsizetype editEnd = edit.offset + edit.removed;
    QString after = m_text.sliced(regionStart, edit.offset - regionStart) + edit.inserted
        + m_text.sliced(editEnd, regionEnd - editEnd);
    while (last.next().isValid() && !after.isEmpty()) {
        const QChar c = after.back();
        const bool open = !isEndingChar(c) || (c == u'\r' && m_text.at(regionEnd) == u'\n');
        if (!open)
            break;
        last = last.next();
        const qsizetype lineEnd = NotebookText::lineAt(m_text, regionEnd).end();
        after += QStringView(m_text).sliced(regionEnd, lineEnd - regionEnd);
        regionEnd = lineEnd;
    }
    const QString before = m_text.sliced(regionStart, regionEnd - regionStart);
    const bool atTextStart = regionStart == 0;
    // The BOM stays one while the text still starts with it; a U+FEFF the user typed at the
    // start is text, shown in the document, and never becomes one.
    const bool bomBefore = atTextStart && m_file->hasBom();
    const bool bomAfter = bomBefore && after.startsWith(kBom);
    QList<QString> endings;
    const QString documentBefore = documentText(before, bomBefore);
    const QString documentAfter
        = after.isEmpty() ? QString() : documentText(after, bomAfter, &endings);
    if (after.isEmpty() && !last.next().isValid())
        endings.append(QString()); // the text's last line stays, empty

    const int firstNumber = first.blockNumber();
    const int documentStart = first.position();
    // Where the edit is in the document's characters: a "\r\n" is one separator there, the
    // BOM nothing.
    const QStringView crlf(u"\r\n");
    const QStringView head = QStringView(m_text).sliced(regionStart, edit.offset - regionStart);
    const QStringView tail = QStringView(m_text).sliced(editEnd, regionEnd - editEnd);
    const qsizetype headLength
        = head.size() - head.count(crlf) - (bomBefore && !head.isEmpty() ? 1 : 0);
    const TextEdit change
        = minimalEdit(documentBefore, documentAfter, 0, headLength, tail.size() - tail.count(crlf));
    m_applying = true;
    QTextCursor cursor(m_document);
    cursor.setPosition(documentStart + int(change.offset));
    cursor.setPosition(documentStart + int(change.offset + change.removed),
                       QTextCursor::KeepAnchor);
    if (change.inserted.isEmpty())
        cursor.removeSelectedText();
    else
        cursor.insertText(change.inserted);
    m_applying = false;

    m_text.replace(edit.offset, edit.removed, edit.inserted);
    if (atTextStart)
        m_file->setBom(bomAfter);
    // Every line of the region gets its ending, and the line after it keeps its own, however
    // Qt shared the blocks out while it joined or split them.
    QTextBlock block = m_document->findBlockByNumber(firstNumber);
    for (const QString &ending : std::as_const(endings)) {
        if (!block.isValid())
            break;
        NotebookText::setEnding(block, ending);
        block = block.next();
    }
    if (block.isValid()) {
        const NotebookText::Line line = NotebookText::lineAt(m_text, regionStart + after.size());
        NotebookText::setEnding(block, m_text.sliced(line.start + line.length, line.ending));
    }
    m_blockCount = m_document->blockCount();
    m_twoUnitEndings += after.count(QLatin1String("\r\n")) - before.count(QLatin1String("\r\n"));
    return true;
}

} // namespace Kyozo::App
