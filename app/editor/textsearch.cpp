#include "textsearch.h"

#include <QCoreApplication>
#include <QTextBoundaryFinder>

namespace Kyozo::App {

std::optional<QRegularExpression> searchPattern(const QString &text, const SearchOptions &options,
                                                QString *error)
{
    if (text.isEmpty()) {
        *error = QCoreApplication::translate("Kyozo::App", "Nothing to find.");
        return std::nullopt;
    }
    QString pattern = options.regularExpression ? text : QRegularExpression::escape(text);
    if (options.wholeWords)
        pattern = QStringLiteral("(?<![\\w])(?:%1)(?![\\w])").arg(pattern);
    QRegularExpression::PatternOptions flags = QRegularExpression::UseUnicodePropertiesOption;
    if (!options.matchCase)
        flags |= QRegularExpression::CaseInsensitiveOption;
    QRegularExpression re(pattern, flags);
    if (!re.isValid()) {
        *error = QCoreApplication::translate("Kyozo::App",
                                             "Not a regular expression: %1 (at character %2)")
                     .arg(re.errorString())
                     .arg(re.patternErrorOffset() + 1);
        return std::nullopt;
    }
    return re;
}

QString expandReplacement(const QString &replacement, const QRegularExpressionMatch &match,
                          bool regularExpression)
{
    if (!regularExpression)
        return replacement;
    QString out;
    out.reserve(replacement.size());
    for (qsizetype i = 0; i < replacement.size(); ++i) {
        const QChar c = replacement[i];
        if (c != QLatin1Char('\\') || i + 1 == replacement.size()) {
            out += c;
            continue;
        }
        const QChar next = replacement[++i];
        if (next.isDigit() && next.digitValue() <= match.lastCapturedIndex())
            out += match.captured(next.digitValue());
        else if (next.isDigit())
            continue; // a group the pattern does not have: nothing, as Kate does
        else if (next == QLatin1Char('n'))
            out += QLatin1Char('\n');
        else if (next == QLatin1Char('t'))
            out += QLatin1Char('\t');
        else
            out += next; // \\ and any other escaped character: itself
    }
    return out;
}

namespace {

    // A character that is a word by itself in the counts of word processors (Word, Pages).
    bool isIdeographic(char32_t c)
    {
        switch (QChar::script(c)) {
        case QChar::Script_Han:
        case QChar::Script_Hiragana:
        case QChar::Script_Katakana:
        case QChar::Script_Hangul:
            return true;
        default:
            return false;
        }
    }

    bool isWordChar(char32_t c)
    {
        return QChar::isLetterOrNumber(c) || QChar::category(c) == QChar::Mark_NonSpacing
            || QChar::category(c) == QChar::Mark_SpacingCombining;
    }

    // Inside a word: don't, well-known.
    bool isJoiner(char32_t c)
    {
        return c == U'\'' || c == U'\u2019' || c == U'-' || c == U'\u2010';
    }

    bool isLineBreak(QStringView cluster)
    {
        return cluster == u"\n" || cluster == u"\r\n" || cluster == u"\r" || cluster == u"\u2028"
            || cluster == u"\u2029";
    }

} // namespace

TextCounts countText(QStringView text)
{
    TextCounts counts;
    bool inWord = false;
    for (qsizetype i = 0; i < text.size();) {
        char32_t c = text[i].unicode();
        qsizetype width = 1;
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(text[i], text[i + 1]);
            width = 2;
        }
        if (isIdeographic(c)) {
            ++counts.words;
            inWord = false;
        } else if (isWordChar(c)) {
            if (!inWord)
                ++counts.words;
            inWord = true;
        } else if (!(inWord && isJoiner(c) && i + width < text.size()
                     && isWordChar(text[i + width].unicode()))) {
            inWord = false;
        }
        i += width;
    }
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, text.data(), text.size());
    qsizetype start = 0;
    for (qsizetype end = graphemes.toNextBoundary(); end > 0; end = graphemes.toNextBoundary()) {
        if (!isLineBreak(text.mid(start, end - start)))
            ++counts.characters;
        start = end;
    }
    return counts;
}

qsizetype visualColumn(const QString &line, qsizetype position)
{
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, line);
    qsizetype column = 1;
    for (qsizetype end = graphemes.toNextBoundary(); end > 0 && end <= position;
         end = graphemes.toNextBoundary())
        ++column;
    return column;
}

} // namespace Kyozo::App
