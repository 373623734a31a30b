#pragma once

#include <QDialog>
#include <QUrl>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace Kyozo::App {

class SoloSession;

// "Share…" (issue 15 item 3): picks the address and port the bundled server is restarted on,
// then shows the command line a collaborator runs (`kyozo --server URL --workspace local
// --notebook ID --token TOKEN`) with a Copy button, and warns that the traffic is not
// encrypted. "Stop Sharing" puts the server back on loopback only.
class ShareDialog : public QDialog
{
    Q_OBJECT
public:
    ShareDialog(SoloSession *session, QWidget *parent = nullptr);

    // The mirrored notebook the line opens (empty: the guest sees the workspace's list).
    void setNotebookId(const QString &id);
    // The address the dialog proposes: the machine's first IPv4 address that is not
    // loopback, else every address (0.0.0.0).
    static QString defaultAddress();
    static constexpr int kDefaultPort = 4000;

    QString commandLine() const;

private:
    void startSharing();
    void showShared(const QUrl &url, const QString &token);
    void showStopped();
    void updateLine();

    SoloSession *m_session;
    QComboBox *m_address;
    QSpinBox *m_port;
    QPushButton *m_share;
    QPushButton *m_stop;
    QLineEdit *m_line;
    QPushButton *m_copy;
    QLabel *m_status;
    QString m_notebookId;
    QUrl m_url; // where the guest connects, while shared
    QString m_token;
};

} // namespace Kyozo::App
