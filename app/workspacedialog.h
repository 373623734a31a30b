#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace Kyozo::App {

class RestClient;

// A workspace's members and their roles (issue 21 item 3), for its owners: change a role,
// add a user the operator made (`kyozo-server user add`), remove a member. Everything goes
// through the server's members routes (docs/server.md "REST"); what the server refuses (not
// an owner, the last owner, no such user) is shown in the dialog as the server says it.
class WorkspaceDialog : public QDialog
{
    Q_OBJECT
public:
    WorkspaceDialog(RestClient *rest, const QString &workspace, QWidget *parent = nullptr);

    // Reads the members again.
    void reload();
    QTableWidget *table() const { return m_table; }
    QString message() const;

signals:
    // The members were read (after each reload), or the server refused.
    void loaded();

private:
    void setRole(const QString &user, const QString &role);
    void addMember();
    void removeSelected();
    QString memberPath(const QString &user) const;
    void showError(const QString &error);

    RestClient *m_rest;
    QString m_workspace;
    QTableWidget *m_table;
    QLineEdit *m_newUser;
    QComboBox *m_newRole;
    QPushButton *m_add;
    QPushButton *m_remove;
    QLabel *m_message;
    bool m_filling = false;
};

} // namespace Kyozo::App
