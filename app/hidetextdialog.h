#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace Kyozo::App {

// Insert → Hide text in selection… (issue 19 item 6): the text to hide in the selection's
// zero-width characters and an optional passphrase that encrypts it, entered twice: a typo in
// a passphrase nobody can read back would lose the message for good. OK waits until there is
// text to hide and the two passphrases agree, and says why otherwise.
class HideTextDialog : public QDialog
{
    Q_OBJECT
public:
    explicit HideTextDialog(QWidget *parent = nullptr);

    QString secret() const;
    QString passphrase() const;
    QLineEdit *secretEdit() const { return m_secret; }
    QLineEdit *passphraseEdit() const { return m_passphrase; }
    QLineEdit *confirmEdit() const { return m_confirm; }
    QPushButton *okButton() const { return m_ok; }
    // Why OK is off, as shown; empty when it is on.
    QString problem() const;

private:
    void check();

    QLineEdit *m_secret;
    QLineEdit *m_passphrase;
    QLineEdit *m_confirm;
    QLabel *m_problem;
    QPushButton *m_ok;
};

} // namespace Kyozo::App
