#include "findbar.h"

#include <QApplication>
#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QStyle>
#include <QTextBlock>
#include <QToolButton>

namespace Kyozo::App {

FindBar::FindBar(QPlainTextEdit *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
    , m_find(new QLineEdit(this))
    , m_replace(new QLineEdit(this))
    , m_matchCase(new QCheckBox(tr("Match &case"), this))
    , m_wholeWords(new QCheckBox(tr("&Whole words"), this))
    , m_regex(new QCheckBox(tr("Re&gular expression"), this))
    , m_status(new QLabel(this))
    , m_replaceRow(new QWidget(this))
{
    setAccessibleName(tr("Find and replace"));
    m_find->setPlaceholderText(tr("Find"));
    m_find->setAccessibleName(tr("Text to find"));
    m_find->setClearButtonEnabled(true);
    m_find->setMinimumWidth(260);
    m_replace->setPlaceholderText(tr("Replace with"));
    m_replace->setAccessibleName(tr("Replacement"));
    auto *previous = new QPushButton(tr("&Previous"), this);
    auto *next = new QPushButton(tr("&Next"), this);
    auto *replaceOne = new QPushButton(tr("&Replace"), m_replaceRow);
    auto *replaceEvery = new QPushButton(tr("Replace &All"), m_replaceRow);
    auto *close = new QToolButton(this);
    close->setAutoRaise(true);
    close->setIcon(QIcon::fromTheme(QStringLiteral("window-close"),
                                    style()->standardIcon(QStyle::SP_TitleBarCloseButton)));
    close->setToolTip(tr("Close (Esc)"));
    close->setAccessibleName(tr("Close the find bar"));

    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_find, 1);
    findRow->addWidget(previous);
    findRow->addWidget(next);
    findRow->addWidget(m_matchCase);
    findRow->addWidget(m_wholeWords);
    findRow->addWidget(m_regex);
    findRow->addWidget(m_status);
    findRow->addWidget(close);
    auto *replaceRow = new QHBoxLayout(m_replaceRow);
    replaceRow->setContentsMargins(0, 0, 0, 0);
    replaceRow->addWidget(m_replace, 1);
    replaceRow->addWidget(replaceOne);
    replaceRow->addWidget(replaceEvery);
    replaceRow->addStretch(0);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addLayout(findRow);
    layout->addWidget(m_replaceRow);

    connect(previous, &QPushButton::clicked, this, &FindBar::findPrevious);
    connect(next, &QPushButton::clicked, this, &FindBar::findNext);
    connect(replaceOne, &QPushButton::clicked, this, &FindBar::replace);
    connect(replaceEvery, &QPushButton::clicked, this, &FindBar::replaceAll);
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    connect(m_find, &QLineEdit::returnPressed, this, [this] {
        if (QApplication::keyboardModifiers() & Qt::ShiftModifier)
            findPrevious();
        else
            findNext();
    });
    connect(m_replace, &QLineEdit::returnPressed, this, &FindBar::replace);
    new QShortcut(QKeySequence(Qt::Key_Escape), this, this, &QWidget::hide,
                  Qt::WidgetWithChildrenShortcut);

    m_highlightTimer.setSingleShot(true);
    m_highlightTimer.setInterval(150);
    connect(&m_highlightTimer, &QTimer::timeout, this, &FindBar::highlightAll);
    const auto later = [this] {
        if (isVisible())
            m_highlightTimer.start();
    };
    connect(m_find, &QLineEdit::textChanged, this, later);
    for (QCheckBox *box : { m_matchCase, m_wholeWords, m_regex })
        connect(box, &QCheckBox::toggled, this, later);
    connect(m_editor->document(), &QTextDocument::contentsChanged, this, later);
    hide();
}

QList<QKeySequence> FindBar::replaceShortcuts()
{
    QList<QKeySequence> keys = QKeySequence::keyBindings(QKeySequence::Replace);
    if (keys.isEmpty())
        keys.append(QKeySequence(Qt::CTRL | Qt::Key_H));
    return keys;
}

SearchOptions FindBar::options() const
{
    return SearchOptions { m_matchCase->isChecked(), m_wholeWords->isChecked(),
                           m_regex->isChecked() };
}

QString FindBar::status() const
{
    return m_status->text();
}

std::optional<QRegularExpression> FindBar::pattern()
{
    QString error;
    std::optional<QRegularExpression> re = searchPattern(m_find->text(), options(), &error);
    if (!re)
        m_status->setText(m_find->text().isEmpty() ? QString() : error);
    return re;
}

void FindBar::open(bool replacing)
{
    // The selection, when it is on one line, is what to find (as in Ghostwriter and Kate).
    const QString selected = m_editor->textCursor().selectedText();
    if (!selected.isEmpty() && !selected.contains(QChar::ParagraphSeparator))
        m_find->setText(m_regex->isChecked() ? QRegularExpression::escape(selected) : selected);
    m_replaceRow->setVisible(replacing);
    show();
    m_find->setFocus();
    m_find->selectAll();
    highlightAll();
}

void FindBar::openFind()
{
    open(false);
}

void FindBar::openReplace()
{
    open(true);
}

bool FindBar::find(bool backward)
{
    const std::optional<QRegularExpression> re = pattern();
    if (!re)
        return false;
    QTextDocument *document = m_editor->document();
    const QTextDocument::FindFlags flags
        = backward ? QTextDocument::FindBackward : QTextDocument::FindFlags();
    QTextCursor found = document->find(*re, m_editor->textCursor(), flags);
    if (found.isNull()) { // around the end, as every editor does
        QTextCursor from(document);
        from.movePosition(backward ? QTextCursor::End : QTextCursor::Start);
        found = document->find(*re, from, flags);
    }
    if (found.isNull()) {
        m_status->setText(tr("No match"));
        return false;
    }
    m_editor->setTextCursor(found);
    m_editor->centerCursor();
    return true;
}

bool FindBar::findNext()
{
    return find(false);
}

bool FindBar::findPrevious()
{
    return find(true);
}

bool FindBar::replace()
{
    const std::optional<QRegularExpression> re = pattern();
    if (!re)
        return false;
    QTextCursor cursor = m_editor->textCursor();
    // Only a selection that is itself a whole match is replaced; otherwise this goes to the
    // next match first, as Kate does.
    const QRegularExpressionMatch match
        = re->match(cursor.selectedText(), 0, QRegularExpression::NormalMatch,
                    QRegularExpression::AnchorAtOffsetMatchOption);
    if (cursor.hasSelection() && match.hasMatch()
        && match.capturedLength() == cursor.selectedText().size()) {
        cursor.insertText(expandReplacement(m_replace->text(), match, m_regex->isChecked()));
        m_editor->setTextCursor(cursor);
    }
    return findNext();
}

int FindBar::replaceAll()
{
    const std::optional<QRegularExpression> re = pattern();
    if (!re)
        return 0;
    QTextDocument *document = m_editor->document();
    QTextCursor cursor(document);
    int replaced = 0;
    cursor.beginEditBlock();
    // Last line first: a replacement that adds line breaks splits only lines already done.
    for (QTextBlock block = document->lastBlock(); block.isValid(); block = block.previous()) {
        const QString text = block.text();
        // Empty matches too: `^` puts the replacement at the start of every line.
        std::vector<QRegularExpressionMatch> matches;
        for (auto it = re->globalMatch(text); it.hasNext();)
            matches.push_back(it.next());
        for (auto m = matches.rbegin(); m != matches.rend(); ++m) {
            cursor.setPosition(block.position() + int(m->capturedStart()));
            cursor.setPosition(block.position() + int(m->capturedEnd()), QTextCursor::KeepAnchor);
            cursor.insertText(expandReplacement(m_replace->text(), *m, m_regex->isChecked()));
            ++replaced;
        }
    }
    cursor.endEditBlock();
    m_status->setText(replaced == 1 ? tr("1 replaced") : tr("%1 replaced").arg(replaced));
    return replaced;
}

void FindBar::highlightAll()
{
    QList<QTextEdit::ExtraSelection> selections;
    m_matches = 0;
    const std::optional<QRegularExpression> re = pattern();
    if (!re) {
        m_editor->setExtraSelections(selections);
        return;
    }
    QTextCharFormat format;
    const QColor mark = palette().color(QPalette::Highlight);
    format.setBackground(QColor(mark.red(), mark.green(), mark.blue(), 70));
    QTextDocument *document = m_editor->document();
    for (QTextBlock block = document->begin(); block.isValid() && m_matches < kMaxCounted;
         block = block.next()) {
        for (auto it = re->globalMatch(block.text()); it.hasNext() && m_matches < kMaxCounted;) {
            const QRegularExpressionMatch m = it.next();
            if (m.capturedLength() == 0)
                continue; // `^`, `a*`: places, not text to show
            ++m_matches;
            if (selections.size() >= kMaxHighlighted)
                continue;
            QTextEdit::ExtraSelection s;
            s.cursor = QTextCursor(document);
            s.cursor.setPosition(block.position() + int(m.capturedStart()));
            s.cursor.setPosition(block.position() + int(m.capturedEnd()), QTextCursor::KeepAnchor);
            s.format = format;
            selections.append(s);
        }
    }
    m_editor->setExtraSelections(selections);
    if (m_matches == 0)
        m_status->setText(tr("No match"));
    else if (m_matches >= kMaxCounted)
        m_status->setText(tr("%L1+ matches").arg(kMaxCounted));
    else
        m_status->setText(m_matches == 1 ? tr("1 match") : tr("%L1 matches").arg(m_matches));
}

void FindBar::hideEvent(QHideEvent *event)
{
    m_editor->setExtraSelections({});
    m_editor->setFocus();
    QWidget::hideEvent(event);
}

} // namespace Kyozo::App
