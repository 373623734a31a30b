#pragma once

#include <QRegularExpression>
#include <QString>

#include <optional>

namespace Kyozo::App {

// Find and Replace (issue 19 item 1): how the words typed in the find bar become a pattern,
// and a replacement's text for one match. Matches stay within a line (a block), as in
// Ghostwriter, Kate and Qt Creator.
struct SearchOptions
{
    bool matchCase = false;
    bool wholeWords = false; // not inside a longer word: no letter, digit or _ either side
    bool regularExpression = false; // PCRE, as QRegularExpression takes it
};

// Nothing, with a one-line reason, for empty text or a regular expression that does not
// compile.
std::optional<QRegularExpression> searchPattern(const QString &text, const SearchOptions &options,
                                                QString *error);

// With a regular expression, \0 is the whole match, \1 to \9 its groups and \\ a backslash
// (Kate's and Qt Creator's notation); otherwise the replacement is taken as it is.
QString expandReplacement(const QString &replacement, const QRegularExpressionMatch &match,
                          bool regularExpression);

// The status bar's figures (issue 19 item 2): words as a word processor counts them (runs of
// letters and digits, apostrophes and hyphens inside a word kept; each CJK ideograph, kana
// or hangul syllable a word of its own), and characters as a reader sees them (grapheme
// clusters: an emoji with its modifiers is one), line breaks not counted.
struct TextCounts
{
    qsizetype words = 0;
    qsizetype characters = 0;
};
TextCounts countText(QStringView text);
// The grapheme clusters of `line` before `position` (UTF-16 index): the column a person
// counts, from 1.
qsizetype visualColumn(const QString &line, qsizetype position);

} // namespace Kyozo::App
