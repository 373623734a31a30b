#include "accountdata.h"

#include "database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>

#include <array>

namespace Kyozo::Server {

namespace {

    // Every row of a one-parameter query, as objects keyed by column name.
    std::optional<QJsonArray> rows(Database &db, const QString &sql, const QString &userId,
                                   QString *error)
    {
        QSqlQuery q(db.connection());
        q.setForwardOnly(true);
        q.prepare(sql);
        q.addBindValue(userId);
        if (!execute(q, error))
            return std::nullopt;
        QJsonArray out;
        while (q.next()) {
            QJsonObject row;
            const QSqlRecord r = q.record();
            for (int i = 0; i < r.count(); ++i) {
                const QVariant v = q.value(i);
                row.insert(r.fieldName(i),
                           v.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue::fromVariant(v));
            }
            out.append(row);
        }
        return out;
    }

} // namespace

std::optional<QJsonObject> AccountData::exportOf(const QString &userId, QString *error)
{
    struct Part
    {
        const char *key;
        const char *sql;
    };
    // Bounded by what one user can have made; operations are summarised, not listed.
    static const Part parts[] = {
        { "user", "SELECT id, name, created_at FROM users WHERE id = ?" },
        { "memberships",
          "SELECT w.name AS workspace, m.role FROM memberships m JOIN workspaces w ON "
          "w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.name" },
        { "tokens",
          "SELECT id, created_at, revoked_at FROM tokens WHERE user_id = ? ORDER BY created_at" },
        { "subscriptions",
          "SELECT source, subscription_id, customer_id, plan, state, expires_at, updated_at FROM "
          "billing_subscriptions WHERE user_id = ? ORDER BY source, subscription_id" },
        { "billing_events",
          "SELECT received_at, source, event_id, event_type, subscription_id, outcome, reason, "
          "state FROM billing_events WHERE user_id = ? ORDER BY received_at" },
        { "usage",
          "SELECT operation, period_start, used FROM usage_counters WHERE user_id = ? "
          "ORDER BY period_start, operation" },
        { "edits",
          "SELECT notebook_id, COUNT(*) AS operations, MIN(created_at) AS first_at, "
          "MAX(created_at) AS last_at FROM notebook_operations WHERE user_id = ? GROUP BY "
          "notebook_id ORDER BY notebook_id" },
        { "cell_runs",
          "SELECT notebook_id, cell_id, status, exit_code, started_at, finished_at FROM cell_runs "
          "WHERE user_id = ? ORDER BY finished_at" },
    };
    QJsonObject out { { QStringLiteral("exported_at"),
                        QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) } };
    for (const Part &p : parts) {
        const std::optional<QJsonArray> r = rows(m_db, QString::fromLatin1(p.sql), userId, error);
        if (!r)
            return std::nullopt;
        if (QLatin1String(p.key) == QLatin1String("user"))
            out.insert(QLatin1String(p.key), r->at(0));
        else
            out.insert(QLatin1String(p.key), *r);
    }
    return out;
}

bool AccountData::erase(const QString &userId, QString *error)
{
    Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.commit(error);
    const QString now = QString::number(QDateTime::currentMSecsSinceEpoch());
    const QString statements[] = {
        QStringLiteral("UPDATE tokens SET revoked_at = %1 WHERE user_id = ? AND revoked_at IS NULL")
            .arg(now),
        QStringLiteral("DELETE FROM memberships WHERE user_id = ?"),
        QStringLiteral("DELETE FROM usage_counters WHERE user_id = ?"),
        QStringLiteral("UPDATE billing_subscriptions SET user_id = '' WHERE user_id = ?"),
        QStringLiteral("UPDATE billing_events SET user_id = NULL WHERE user_id = ?"),
    };
    QSqlQuery q(m_db.connection());
    for (const QString &sql : statements) {
        q.prepare(sql);
        q.addBindValue(userId);
        if (!executeWrite(m_db, q, error))
            return false;
    }
    // The registers name the user too.
    q.prepare(QStringLiteral("SELECT source, subscription_id, registers FROM billing_subscriptions "
                             "WHERE registers LIKE ?"));
    q.addBindValue(QStringLiteral("%\"") + userId + QStringLiteral("\"%"));
    if (!execute(q, error))
        return false;
    QList<std::array<QString, 3>> rewrites;
    while (q.next()) {
        QJsonObject registers = QJsonDocument::fromJson(q.value(2).toByteArray()).object();
        QJsonObject user = registers.value(QLatin1String("user_id")).toObject();
        if (user.value(QLatin1String("value")).toString() != userId)
            continue;
        user.insert(QLatin1String("value"), QString());
        registers.insert(QLatin1String("user_id"), user);
        rewrites.append(
            { q.value(0).toString(), q.value(1).toString(),
              QString::fromUtf8(QJsonDocument(registers).toJson(QJsonDocument::Compact)) });
    }
    for (const auto &[source, id, registers] : rewrites) {
        q.prepare(QStringLiteral("UPDATE billing_subscriptions SET registers = ? WHERE source = ? "
                                 "AND subscription_id = ?"));
        q.addBindValue(registers);
        q.addBindValue(source);
        q.addBindValue(id);
        if (!executeWrite(m_db, q, error))
            return false;
    }
    q.prepare(QStringLiteral("UPDATE users SET name = ? WHERE id = ?"));
    q.addBindValue(QStringLiteral("deleted-") + userId);
    q.addBindValue(userId);
    if (!executeWrite(m_db, q, error))
        return false;
    return transaction.commit(error);
}

} // namespace Kyozo::Server
