#include "presencepanel.h"

#include <QJsonArray>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

namespace Kyozo::App {

namespace {

    QIcon avatar(const QString &initials, const QColor &color, int size)
    {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(pixmap.rect());
        QFont font = painter.font();
        font.setBold(true);
        font.setPixelSize(size * 2 / 5);
        painter.setFont(font);
        painter.setPen(color.lightness() > 150 ? Qt::black : Qt::white);
        painter.drawText(pixmap.rect(), Qt::AlignCenter, initials);
        return QIcon(pixmap);
    }

} // namespace

PresencePanel::PresencePanel(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget)
    , m_follow(new QPushButton(tr("&Follow")))
{
    m_list->setObjectName(QStringLiteral("presenceList"));
    m_list->setIconSize(QSize(24, 24));
    m_follow->setObjectName(QStringLiteral("followButton"));
    m_follow->setCheckable(true);
    m_follow->setEnabled(false);
    m_follow->setToolTip(tr("Keep the selected writer's cursor in view until you type or scroll"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
    layout->addWidget(m_follow);
    connect(m_list, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        emit jumpRequested(item->data(Qt::UserRole).toString());
    });
    connect(m_list, &QListWidget::currentItemChanged, this,
            [this] { m_follow->setEnabled(!selectedUser().isEmpty()); });
    connect(m_follow, &QPushButton::clicked, this,
            [this](bool checked) { emit followRequested(checked ? selectedUser() : QString()); });
}

QString PresencePanel::initials(const QString &name)
{
    QString letters;
    for (const QString &word : name.split(u' ', Qt::SkipEmptyParts)) {
        letters += word.left(word.at(0).isHighSurrogate() ? 2 : 1).toUpper();
        if (letters.size() >= 2)
            break;
    }
    return letters.isEmpty() ? QStringLiteral("?") : letters;
}

void PresencePanel::setPresence(const QJsonObject &presence)
{
    const QString selected = selectedUser();
    m_list->clear();
    for (auto it = presence.begin(); it != presence.end(); ++it) {
        const QJsonArray metas = it.value().toObject().value(QLatin1String("metas")).toArray();
        const QJsonObject meta = metas.first().toObject();
        const QString name = meta.value(QLatin1String("name")).toString(it.key());
        QStringList clients;
        for (const QJsonValue &m : metas)
            clients.append(m.toObject().value(QLatin1String("client")).toString());
        clients.removeDuplicates();
        auto *item = new QListWidgetItem(
            avatar(initials(name), QColor(meta.value(QLatin1String("color")).toString()),
                   m_list->iconSize().width()),
            tr("%1 — %2").arg(name, clients.join(QLatin1String(", "))), m_list);
        item->setData(Qt::UserRole, it.key());
        item->setData(Qt::UserRole + 1, name);
        if (it.key() == selected)
            m_list->setCurrentItem(item);
    }
    m_follow->setEnabled(!selectedUser().isEmpty());
}

void PresencePanel::setFollowing(const QString &userId)
{
    m_following = userId;
    m_follow->setChecked(!userId.isEmpty());
}

QString PresencePanel::selectedUser() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

} // namespace Kyozo::App
