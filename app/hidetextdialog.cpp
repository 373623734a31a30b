#include "hidetextdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Kyozo::App {

HideTextDialog::HideTextDialog(QWidget *parent)
    : QDialog(parent)
    , m_secret(new QLineEdit(this))
    , m_passphrase(new QLineEdit(this))
    , m_confirm(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Hide text in selection"));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_passphrase->setPlaceholderText(tr("optional: encrypts the hidden text"));
    m_confirm->setEchoMode(QLineEdit::Password);
    m_confirm->setPlaceholderText(tr("the same passphrase again"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Text to hide:"), m_secret);
    form->addRow(tr("&Passphrase:"), m_passphrase);
    form->addRow(tr("&Confirm:"), m_confirm);
    auto *note = new QLabel(tr("The text is carried by invisible characters in the selected "
                               "text. Without its passphrase an encrypted text cannot be read "
                               "back by anyone, you included."),
                            this);
    note->setWordWrap(true);
    note->setEnabled(false); // a hint, greyed
    m_problem->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("&Hide"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    setMinimumWidth(440); // the title and the hint in full
    for (QLineEdit *edit : { m_secret, m_passphrase, m_confirm })
        connect(edit, &QLineEdit::textChanged, this, &HideTextDialog::check);
    check();
}

QString HideTextDialog::secret() const
{
    return m_secret->text();
}

QString HideTextDialog::passphrase() const
{
    return m_passphrase->text();
}

QString HideTextDialog::problem() const
{
    return m_problem->text();
}

void HideTextDialog::check()
{
    QString why;
    if (m_secret->text().isEmpty())
        why = tr("Enter the text to hide.");
    else if (m_passphrase->text() != m_confirm->text())
        why = m_confirm->text().isEmpty() ? tr("Enter the passphrase again to confirm it.")
                                          : tr("The passphrases differ.");
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    m_ok->setEnabled(why.isEmpty());
}

} // namespace Kyozo::App
