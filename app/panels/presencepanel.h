#pragma once

#include <QJsonObject>
#include <QWidget>

class QListWidget;
class QPushButton;

namespace Kyozo::App {

// Who has the notebook open (SPEC §9 presence avatars, issue 15 item 3): each writer's
// initials in their colour, their name and the client they use. Clicking one shows their
// cursor; "Follow" keeps it in view until the user types or scrolls.
class PresencePanel : public QWidget
{
    Q_OBJECT
public:
    explicit PresencePanel(QWidget *parent = nullptr);

    // presence_state as merged (SPEC §4): user id -> {"metas": [{name, color, client, …}]}.
    void setPresence(const QJsonObject &presence);
    // The writer the editor follows now (empty: nobody), as the button shows it.
    void setFollowing(const QString &userId);
    QListWidget *list() const { return m_list; }
    QPushButton *followButton() const { return m_follow; }

    // "Ada Lovelace" -> "AL", "ada" -> "A".
    static QString initials(const QString &name);

signals:
    void jumpRequested(const QString &userId);
    // Empty: stop following.
    void followRequested(const QString &userId);

private:
    QString selectedUser() const;

    QListWidget *m_list;
    QPushButton *m_follow;
    QString m_following;
};

} // namespace Kyozo::App
