#pragma once

#include "textsearch.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace Kyozo::App {

// The find and replace bar under the editor (issue 19 item 1), as Ghostwriter and Kate have
// it: Find (Ctrl+F) and Replace (Ctrl+H) open it with the selection as the text to find,
// Enter and Find Next (F3) go to the next match, Shift+Enter and Find Previous (Shift+F3)
// to the one before, both wrapping around; Escape closes it. Match case, whole words and
// regular expressions; every match in the document is highlighted (the first
// kMaxHighlighted), and the bar says how many there are. Replace All is one undo step.
class FindBar : public QWidget
{
    Q_OBJECT
public:
    explicit FindBar(QPlainTextEdit *editor, QWidget *parent = nullptr);

    // Replace's keys: the platform's (QKeySequence::Replace), or Ctrl+H where it has none
    // (X11 without a desktop's theme binds nothing to it).
    static QList<QKeySequence> replaceShortcuts();

    void openFind();
    void openReplace();
    // False when there is no match (the bar says so).
    bool findNext();
    bool findPrevious();
    // Replaces the selected match, if the selection is one, then goes to the next.
    bool replace();
    // Every match, from the first; returns how many were replaced.
    int replaceAll();

    QLineEdit *findEdit() const { return m_find; }
    QLineEdit *replaceEdit() const { return m_replace; }
    QCheckBox *matchCaseBox() const { return m_matchCase; }
    QCheckBox *wholeWordsBox() const { return m_wholeWords; }
    QCheckBox *regexBox() const { return m_regex; }
    // "3 matches", "No match", a bad pattern's reason...
    QString status() const;
    // Matches counted (up to kMaxCounted) and highlighted (up to kMaxHighlighted).
    int matchCount() const { return m_matches; }

    // A large notebook with a common letter to find stays responsive: past these, the bar
    // says "10,000+" and only the first ones are highlighted.
    static constexpr int kMaxCounted = 10000;
    static constexpr int kMaxHighlighted = 2000;

protected:
    void hideEvent(QHideEvent *event) override;

private:
    SearchOptions options() const;
    std::optional<QRegularExpression> pattern();
    bool find(bool backward);
    void highlightAll();
    void open(bool replacing);

    QPlainTextEdit *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_matchCase;
    QCheckBox *m_wholeWords;
    QCheckBox *m_regex;
    QLabel *m_status;
    QWidget *m_replaceRow;
    QTimer m_highlightTimer; // after typing or an edit of the document, not on every key
    int m_matches = 0;
};

} // namespace Kyozo::App
