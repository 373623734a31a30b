#include "workspacedialog.h"

#include "net/restclient.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Kyozo::App {

namespace {
    // The server's role names (docs/server.md), in the order the combo boxes list them.
    const QStringList kRoles
        = { QStringLiteral("owner"), QStringLiteral("editor"), QStringLiteral("viewer") };

    QComboBox *roleBox(QWidget *parent)
    {
        auto *box = new QComboBox(parent);
        box->addItem(WorkspaceDialog::tr("Owner"), kRoles[0]);
        box->addItem(WorkspaceDialog::tr("Editor"), kRoles[1]);
        box->addItem(WorkspaceDialog::tr("Viewer"), kRoles[2]);
        return box;
    }
} // namespace

WorkspaceDialog::WorkspaceDialog(RestClient *rest, const QString &workspace, QWidget *parent)
    : QDialog(parent)
    , m_rest(rest)
    , m_workspace(workspace)
    , m_table(new QTableWidget(0, 2, this))
    , m_newUser(new QLineEdit(this))
    , m_newRole(roleBox(this))
    , m_add(new QPushButton(tr("&Add"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("workspaceDialog"));
    setWindowTitle(tr("Members of %1").arg(workspace));
    m_table->setHorizontalHeaderLabels({ tr("Member"), tr("Role") });
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    // The role boxes are cell widgets, which ResizeToContents does not measure.
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Fixed);
    m_table->setColumnWidth(1, m_newRole->sizeHint().width() + 8);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_newUser->setPlaceholderText(tr("User name"));
    m_newRole->setCurrentIndex(1); // editor, as `user add` makes them
    m_message->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("workspaceMessage"));

    auto *add = new QHBoxLayout;
    add->addWidget(m_newUser, 1);
    add->addWidget(m_newRole);
    add->addWidget(m_add);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_remove, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addLayout(add);
    layout->addWidget(m_message);
    layout->addWidget(buttons);

    connect(m_add, &QPushButton::clicked, this, &WorkspaceDialog::addMember);
    connect(m_remove, &QPushButton::clicked, this, &WorkspaceDialog::removeSelected);
    connect(m_table, &QTableWidget::itemSelectionChanged, this,
            [this] { m_remove->setEnabled(!m_table->selectedItems().isEmpty()); });
    m_remove->setEnabled(false);
    // Return adds the name typed (QDialog presses its default button; a returnPressed
    // connection as well would add twice).
    m_add->setDefault(true);
    resize(420, 360);
    reload();
}

QString WorkspaceDialog::message() const
{
    return m_message->text();
}

QString WorkspaceDialog::memberPath(const QString &user) const
{
    return QStringLiteral("/api/v1/workspaces/%1/members/%2")
        .arg(QString::fromUtf8(QUrl::toPercentEncoding(m_workspace)),
             QString::fromUtf8(QUrl::toPercentEncoding(user)));
}

void WorkspaceDialog::showError(const QString &error)
{
    m_message->setText(error);
}

void WorkspaceDialog::reload()
{
    m_rest->get(QStringLiteral("/api/v1/workspaces/%1/members")
                    .arg(QString::fromUtf8(QUrl::toPercentEncoding(m_workspace))),
                {},
                [this, alive = QPointer<WorkspaceDialog>(this)](const QJsonObject &json,
                                                                const QString &error) {
                    if (!alive)
                        return; // closed meanwhile: the reply outlives the dialog
                    if (!error.isEmpty()) {
                        showError(tr("Cannot read the members: %1").arg(error));
                        emit loaded();
                        return;
                    }
                    m_filling = true;
                    const QJsonArray members = json.value(QLatin1String("members")).toArray();
                    m_table->setRowCount(int(members.size()));
                    for (int row = 0; row < members.size(); ++row) {
                        const QJsonObject m = members[row].toObject();
                        const QString user = m.value(QLatin1String("user")).toString();
                        m_table->setItem(row, 0, new QTableWidgetItem(user));
                        QComboBox *box = roleBox(m_table);
                        box->setCurrentIndex(
                            int(kRoles.indexOf(m.value(QLatin1String("role")).toString())));
                        connect(box, &QComboBox::currentIndexChanged, this, [this, box, user] {
                            if (!m_filling)
                                setRole(user, box->currentData().toString());
                        });
                        m_table->setCellWidget(row, 1, box);
                    }
                    m_filling = false;
                    emit loaded();
                });
}

void WorkspaceDialog::setRole(const QString &user, const QString &role)
{
    m_message->clear();
    m_rest->put(memberPath(user), QJsonObject { { QStringLiteral("role"), role } },
                [this, user, alive = QPointer<WorkspaceDialog>(this)](const QJsonObject &,
                                                                      const QString &error) {
                    if (!alive)
                        return;
                    if (!error.isEmpty())
                        showError(tr("Cannot change %1's role: %2").arg(user, error));
                    reload(); // shows what the server kept
                });
}

void WorkspaceDialog::addMember()
{
    const QString user = m_newUser->text().trimmed();
    if (user.isEmpty())
        return;
    m_message->clear();
    m_rest->put(memberPath(user),
                QJsonObject { { QStringLiteral("role"), m_newRole->currentData().toString() } },
                [this, user, alive = QPointer<WorkspaceDialog>(this)](const QJsonObject &,
                                                                      const QString &error) {
                    if (!alive)
                        return;
                    if (!error.isEmpty())
                        showError(tr("Cannot add %1: %2").arg(user, error));
                    else
                        m_newUser->clear();
                    reload();
                });
}

void WorkspaceDialog::removeSelected()
{
    const QList<QTableWidgetItem *> selected = m_table->selectedItems();
    if (selected.isEmpty())
        return;
    const QString user = m_table->item(selected.first()->row(), 0)->text();
    m_message->clear();
    m_rest->remove(memberPath(user),
                   [this, user, alive = QPointer<WorkspaceDialog>(this)](const QJsonObject &,
                                                                         const QString &error) {
                       if (!alive)
                           return;
                       if (!error.isEmpty())
                           showError(tr("Cannot remove %1: %2").arg(user, error));
                       reload();
                   });
}

} // namespace Kyozo::App
