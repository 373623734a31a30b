#include "notebooktext.h"

#include "markdownld/utf8.h"

#include <QCoreApplication>
#include <QHash>
#include <QStringDecoder>
#include <QTextBlock>
#include <QTextDocument>

namespace Kyozo::App {

namespace {

    // The line ending a block was read with; blocks the user creates have none.
    class LineEnding : public QTextBlockUserData
    {
    public:
        explicit LineEnding(QString ending)
            : ending(std::move(ending))
        {
        }
        QString ending;
    };

} // namespace

// What QTextCursor::insertText turns into a block boundary (qtextcursor.cpp): the editor
// could not keep these characters inside a line, so they are line endings here.
qsizetype NotebookText::endingLength(const QString &text, qsizetype i)
{
    const QChar c = text.at(i);
    if (c == u'\r')
        return i + 1 < text.size() && text.at(i + 1) == u'\n' ? 2 : 1;
    if (c == u'\n' || c == QChar::ParagraphSeparator || c == QChar(0xFDD0) || c == QChar(0xFDD1))
        return 1;
    return 0;
}

NotebookText::Line NotebookText::lineAt(const QString &text, qsizetype from)
{
    for (qsizetype i = from; i < text.size(); ++i)
        if (const qsizetype n = endingLength(text, i))
            return { from, i - from, n };
    return { from, text.size() - from, 0 };
}

QString NotebookText::endingOf(const QTextBlock &block) const
{
    if (!block.next().isValid())
        return {};
    const auto *ending = static_cast<const LineEnding *>(block.userData());
    return ending ? ending->ending : m_defaultEnding;
}

void NotebookText::setEnding(QTextBlock &block, const QString &ending)
{
    if (ending.isEmpty()) {
        // The last line has none, as load() leaves it: should it stop being the last, it
        // gets the file's common ending like any line the user makes, never none.
        block.setUserData(nullptr);
        return;
    }
    if (auto *data = static_cast<LineEnding *>(block.userData()))
        data->ending = ending;
    else
        block.setUserData(new LineEnding(ending)); // the block owns it
}

bool NotebookText::checkSize(qint64 bytes, QString *error)
{
    if (bytes <= kMaxBytes)
        return true;
    *error = QCoreApplication::translate("Kyozo::App::NotebookText",
                                         "the file is %1 MB; the editor opens files up to %2 MB "
                                         "(kyozo-ld reads larger ones).")
                 .arg(double(bytes) / (1024 * 1024), 0, 'f', 1)
                 .arg(kMaxBytes / (1024 * 1024));
    return false;
}

bool NotebookText::load(const QByteArray &bytes, QTextDocument *document, QString *error)
{
    if (!checkSize(bytes.size(), error))
        return false;
    MarkdownLD::Utf8::StreamValidator validator;
    if (!validator.feed(bytes) || !validator.finish()) {
        const qint64 offset
            = validator.invalidOffset() >= 0 ? validator.invalidOffset() : bytes.size();
        *error
            = QCoreApplication::translate("Kyozo::App::NotebookText",
                                          "the file is not UTF-8 text (invalid byte at offset %1).")
                  .arg(offset);
        return false;
    }
    const bool bom = bytes.startsWith("\xEF\xBB\xBF");
    // QString::fromUtf8 drops a leading BOM: a second one, after the one kept aside, is text.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    const QString text = decoder(QByteArrayView(bytes).sliced(bom ? 3 : 0));

    QStringList lines;
    QStringList endings;
    QHash<QString, int> counts;
    qsizetype start = 0;
    for (qsizetype i = 0; i < text.size();) {
        const qsizetype n = endingLength(text, i);
        if (n == 0) {
            ++i;
            continue;
        }
        lines.append(text.sliced(start, i - start));
        endings.append(text.sliced(i, n));
        ++counts[endings.last()];
        i += n;
        start = i;
    }
    lines.append(text.sliced(start)); // the last line never has an ending

    m_bom = bom;
    m_defaultEnding = QStringLiteral("\n");
    int best = 0;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > best) {
            best = it.value();
            m_defaultEnding = it.key();
        }
    }
    document->setPlainText(lines.join(u'\n'));
    QTextBlock block = document->firstBlock();
    for (const QString &ending : std::as_const(endings)) {
        block.setUserData(new LineEnding(ending)); // the block owns it
        block = block.next();
    }
    return true;
}

QString NotebookText::text(const QTextDocument *document) const
{
    QString text;
    text.reserve(document->characterCount() + document->blockCount() + 1);
    if (m_bom)
        text += QChar(0xFEFF);
    for (QTextBlock block = document->firstBlock(); block.isValid(); block = block.next()) {
        text += block.text();
        text += endingOf(block);
    }
    return text;
}

QByteArray NotebookText::save(const QTextDocument *document) const
{
    return text(document).toUtf8();
}

} // namespace Kyozo::App
