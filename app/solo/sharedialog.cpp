#include "sharedialog.h"

#include "solosession.h"

#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Kyozo::App {

QString ShareDialog::defaultAddress()
{
    const QHostAddress first = SoloSession::firstNetworkAddress();
    return first.isNull() ? QStringLiteral("0.0.0.0") : first.toString();
}

ShareDialog::ShareDialog(SoloSession *session, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_address(new QComboBox)
    , m_port(new QSpinBox)
    , m_share(new QPushButton(tr("&Share")))
    , m_stop(new QPushButton(tr("S&top Sharing")))
    , m_line(new QLineEdit)
    , m_copy(new QPushButton(tr("&Copy")))
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("shareDialog"));
    setWindowTitle(tr("Share"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("A collaborator on your network can edit this notebook with "
                                "you. The local server is restarted listening on the address "
                                "below; a guest user is made for them."));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_address->setObjectName(QStringLiteral("shareAddress"));
    m_address->setEditable(true);
    // Every IPv4 address of this machine that is not loopback, then every address at once.
    for (const QHostAddress &address : QNetworkInterface::allAddresses())
        if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback())
            m_address->addItem(address.toString());
    m_address->addItem(QStringLiteral("0.0.0.0"));
    m_address->setItemData(m_address->count() - 1, tr("Every address of this machine"),
                           Qt::ToolTipRole);
    m_address->setCurrentText(defaultAddress());
    m_port->setObjectName(QStringLiteral("sharePort"));
    m_port->setRange(1, 65535);
    m_port->setValue(kDefaultPort);
    auto *form = new QFormLayout;
    auto *where = new QHBoxLayout;
    where->addWidget(m_address, 1);
    where->addWidget(new QLabel(tr("Port:")));
    where->addWidget(m_port);
    form->addRow(tr("Listen on:"), where);
    layout->addLayout(form);

    m_line->setObjectName(QStringLiteral("shareCommand"));
    m_line->setReadOnly(true);
    m_line->setPlaceholderText(tr("The command for your collaborator appears here."));
    m_line->setMinimumWidth(560);
    m_copy->setObjectName(QStringLiteral("shareCopy"));
    m_copy->setEnabled(false);
    auto *line = new QHBoxLayout;
    line->addWidget(m_line, 1);
    line->addWidget(m_copy);
    layout->addWidget(new QLabel(tr("Your collaborator runs:")));
    layout->addLayout(line);

    // kyozo-server speaks plain HTTP and WebSocket (docs/server.md: no TLS yet).
    auto *warning = new QLabel(
        tr("<b>Not encrypted:</b> the server has no TLS yet, so the notebook and the token "
           "cross the network in the clear. Share only on a network you trust, and stop "
           "sharing when you are done. The guest may edit but never run cells."));
    warning->setObjectName(QStringLiteral("shareWarning"));
    warning->setWordWrap(true);
    layout->addWidget(warning);
    m_status->setObjectName(QStringLiteral("shareStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_share->setObjectName(QStringLiteral("shareButton"));
    m_stop->setObjectName(QStringLiteral("stopSharingButton"));
    buttons->addButton(m_share, QDialogButtonBox::ActionRole);
    buttons->addButton(m_stop, QDialogButtonBox::ActionRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_share, &QPushButton::clicked, this, &ShareDialog::startSharing);
    connect(m_stop, &QPushButton::clicked, m_session, &SoloSession::stopSharing);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_line->text()); });
    connect(m_session, &SoloSession::sharingStarted, this, &ShareDialog::showShared);
    connect(m_session, &SoloSession::sharingStopped, this, &ShareDialog::showStopped);
    connect(m_session, &SoloSession::sharingFailed, this, [this](const QString &reason) {
        showStopped();
        m_status->setText(tr("Could not share: %1").arg(reason));
    });
    m_stop->setEnabled(m_session->isSharing());
}

void ShareDialog::setNotebookId(const QString &id)
{
    m_notebookId = id;
    updateLine();
}

QString ShareDialog::commandLine() const
{
    return m_line->text();
}

void ShareDialog::startSharing()
{
    const QHostAddress address(m_address->currentText().trimmed());
    if (address.isNull()) {
        m_status->setText(tr("“%1” is not an IP address.").arg(m_address->currentText()));
        return;
    }
    m_share->setEnabled(false);
    m_status->setText(tr("Restarting the local server on %1…").arg(address.toString()));
    m_session->startSharing(address, quint16(m_port->value()));
}

void ShareDialog::showShared(const QUrl &url, const QString &token)
{
    m_url = url;
    m_token = token;
    m_share->setEnabled(true);
    m_stop->setEnabled(true);
    m_status->setText(tr("Shared at %1.").arg(url.toString()));
    updateLine();
}

void ShareDialog::showStopped()
{
    m_url.clear();
    m_token.clear();
    m_share->setEnabled(true);
    m_stop->setEnabled(false);
    m_status->setText(tr("Not shared: the local server listens on loopback only."));
    updateLine();
}

void ShareDialog::updateLine()
{
    const bool shared = !m_url.isEmpty() && !m_token.isEmpty();
    m_line->setText(shared ? SoloSession::guestCommandLine(m_url, m_token, m_notebookId)
                           : QString());
    m_line->setCursorPosition(0); // the URL in view, the token after it
    m_copy->setEnabled(shared);
}

} // namespace Kyozo::App
