#pragma once

#include <QDialog>
#include <QStringList>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace Kyozo::App {

// File → Connect to Server… (issue 21 item 2): a team server's address, its workspace, a
// token and, for a server whose certificate a private CA signed, that CA's file. What was
// entered last is offered again (QSettings; the token goes to the keychain, never to the
// settings). Connecting opens the workspace in a new window of its own process, started
// as `kyozo --server URL --workspace W [--ca-file F]` — the session a window belongs to is
// chosen when the process starts.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    QLineEdit *serverEdit() const { return m_server; }
    QLineEdit *workspaceEdit() const { return m_workspace; }
    QLineEdit *tokenEdit() const { return m_token; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QPushButton *connectButton() const { return m_connect; }
    // Why Connect is not possible yet, as shown; empty when it is.
    QString problem() const;

    // The command line of the new window's process.
    QStringList arguments() const;
    // Starts it (tests put their own in): QProcess::startDetached of this executable.
    std::function<bool(const QStringList &arguments)> launch;

private:
    void check();
    void chooseCaFile();
    void connectToServer();

    QLineEdit *m_server;
    QLineEdit *m_workspace;
    QLineEdit *m_token;
    QLineEdit *m_caFile;
    QLabel *m_problem;
    QPushButton *m_connect;
};

} // namespace Kyozo::App
