#include "remotecursors.h"

#include <QDateTime>
#include <QTextDocument>

namespace Kyozo::App {

namespace {
    constexpr int kFadeStepMs = 100;
} // namespace

RemoteCursors::RemoteCursors(QTextDocument *document, QObject *parent)
    : QObject(parent)
    , m_document(document)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_fade.setInterval(kFadeStepMs);
    connect(&m_fade, &QTimer::timeout, this, [this] {
        emit changed();
        const qint64 now = m_clock();
        bool fading = false;
        for (const auto &[id, c] : m_cursors)
            fading = fading || now - c.activeAt < kLabelIdleMs + kLabelFadeMs;
        if (!fading)
            m_fade.stop();
    });
    // Edits move the cursors; their labels are drawn where the cursors are now.
    connect(document, &QTextDocument::contentsChanged, this, [this] {
        if (!m_cursors.empty())
            emit changed();
    });
}

void RemoteCursors::place(const QString &userId, const QString &name, const QColor &color,
                          int anchor, int position)
{
    const int last = m_document->characterCount() - 1;
    Cursor &c = m_cursors[userId];
    if (c.cursor.isNull())
        c.cursor = QTextCursor(m_document);
    c.name = name;
    c.color = color.isValid() ? color : QColor(Qt::darkCyan);
    c.cursor.setPosition(std::clamp(anchor, 0, last));
    c.cursor.setPosition(std::clamp(position, 0, last), QTextCursor::KeepAnchor);
    c.activeAt = m_clock();
    scheduleFade();
    emit changed();
}

void RemoteCursors::touch(const QString &userId)
{
    auto it = m_cursors.find(userId);
    if (it == m_cursors.end())
        return;
    it->second.activeAt = m_clock();
    scheduleFade();
    emit changed();
}

void RemoteCursors::remove(const QString &userId)
{
    if (m_cursors.erase(userId))
        emit changed();
}

void RemoteCursors::clear()
{
    if (m_cursors.empty())
        return;
    m_cursors.clear();
    emit changed();
}

const RemoteCursors::Cursor *RemoteCursors::find(const QString &userId) const
{
    const auto it = m_cursors.find(userId);
    return it == m_cursors.end() ? nullptr : &it->second;
}

qreal RemoteCursors::labelOpacity(const QString &userId) const
{
    const Cursor *c = find(userId);
    if (!c)
        return 0;
    const qint64 idle = m_clock() - c->activeAt;
    if (idle <= kLabelIdleMs)
        return 1;
    return std::max<qreal>(0, 1 - qreal(idle - kLabelIdleMs) / kLabelFadeMs);
}

void RemoteCursors::scheduleFade()
{
    if (!m_fade.isActive())
        m_fade.start();
}

} // namespace Kyozo::App
