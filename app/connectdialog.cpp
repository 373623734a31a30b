#include "connectdialog.h"

#include "net/privateca.h"
#include "net/tokenstore.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QUrl>
#include <QVBoxLayout>

namespace Kyozo::App {

namespace {

    // QSettings keys of what was entered last.
    const QString kServerKey = QStringLiteral("connect/server");
    const QString kWorkspaceKey = QStringLiteral("connect/workspace");
    const QString kCaFileKey = QStringLiteral("connect/caFile");

    // As main.cpp reads --server, so that the token is kept under the name the new process
    // looks it up by.
    QUrl serverUrl(const QString &text)
    {
        return QUrl::fromUserInput(text.trimmed());
    }

} // namespace

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_server(new QLineEdit(this))
    , m_workspace(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_caFile(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Connect to Server"));
    const QSettings settings;
    m_server->setPlaceholderText(tr("https://kyozo.example.org"));
    m_server->setText(settings.value(kServerKey).toString());
    m_workspace->setPlaceholderText(tr("team"));
    m_workspace->setText(settings.value(kWorkspaceKey, QStringLiteral("team")).toString());
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("the one kept for this server, or asked for"));
    m_caFile->setPlaceholderText(tr("none: the system's certificate authorities"));
    m_caFile->setText(settings.value(kCaFileKey).toString());

    auto *browse = new QPushButton(tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &ConnectDialog::chooseCaFile);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("&Workspace:"), m_workspace);
    form->addRow(tr("&Token:"), m_token);
    auto *caLabel = new QLabel(tr("Private &CA:"), this);
    caLabel->setBuddy(m_caFile); // the row's field is a layout: its mnemonic needs a buddy
    form->addRow(caLabel, caRow);
    auto *caNote = new QLabel(tr("Only for a server whose certificate your organisation's own "
                                 "certificate authority signed (a PEM or DER file)."),
                              this);
    caNote->setWordWrap(true);
    caNote->setEnabled(false); // greyed: a hint, not a field
    form->addRow(QString(), caNote);

    m_problem->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_connect = buttons->addButton(tr("C&onnect"), QDialogButtonBox::AcceptRole);
    m_connect->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::connectToServer);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    setMinimumWidth(460);

    for (QLineEdit *edit : { m_server, m_workspace, m_caFile })
        connect(edit, &QLineEdit::textChanged, this, &ConnectDialog::check);
    launch = [](const QStringList &arguments) {
        return QProcess::startDetached(QCoreApplication::applicationFilePath(), arguments);
    };
    check();
}

QString ConnectDialog::problem() const
{
    return m_problem->text();
}

void ConnectDialog::check()
{
    QString why;
    const QUrl url = serverUrl(m_server->text());
    const QString caFile = m_caFile->text().trimmed();
    if (m_server->text().trimmed().isEmpty())
        why = tr("Enter the server's address.");
    else if (!url.isValid() || url.host().isEmpty()
             || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        why = tr("The server's address is an https:// (or http://) URL.");
    else if (m_workspace->text().trimmed().isEmpty())
        why = tr("Enter the workspace's name.");
    else if (!caFile.isEmpty() && url.scheme() != QLatin1String("https"))
        why = tr("A private CA is for an https:// server.");
    else if (!caFile.isEmpty())
        readCaFile(caFile, &why); // says what is wrong with the file, if anything
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    m_connect->setEnabled(why.isEmpty());
}

void ConnectDialog::chooseCaFile()
{
    const QString file
        = QFileDialog::getOpenFileName(this, tr("Private CA"), m_caFile->text(),
                                       tr("Certificates (*.pem *.crt *.cer *.der);;All files (*)"));
    if (!file.isEmpty())
        m_caFile->setText(QDir::toNativeSeparators(file));
}

QStringList ConnectDialog::arguments() const
{
    QStringList out { QStringLiteral("--server"), serverUrl(m_server->text()).toString(),
                      QStringLiteral("--workspace"), m_workspace->text().trimmed() };
    if (const QString caFile = m_caFile->text().trimmed(); !caFile.isEmpty())
        out << QStringLiteral("--ca-file") << QDir::fromNativeSeparators(caFile);
    return out;
}

void ConnectDialog::connectToServer()
{
    check();
    if (!m_connect->isEnabled())
        return;
    QSettings settings;
    settings.setValue(kServerKey, m_server->text().trimmed());
    settings.setValue(kWorkspaceKey, m_workspace->text().trimmed());
    settings.setValue(kCaFileKey, m_caFile->text().trimmed());
    // The token goes where the new process reads it (the keychain), not on its command line
    // where `ps` would show it.
    if (const QString token = m_token->text().trimmed(); !token.isEmpty()) {
        TokenStore store(serverUrl(m_server->text()).toString());
        if (!store.write(token)) {
            m_problem->setText(tr("The token could not be kept: %1").arg(store.notice()));
            m_problem->setVisible(true);
            return;
        }
    }
    if (!launch(arguments())) {
        m_problem->setText(tr("Could not start a new window."));
        m_problem->setVisible(true);
        return;
    }
    accept();
}

} // namespace Kyozo::App
