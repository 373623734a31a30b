#include "admincommands.h"

#include "billing/billingreport.h"
#include "billing/billingservice.h"
#include "storage/accountstore.h"
#include "storage/billingstore.h"
#include "storage/database.h"
#include "storage/sqlitefile.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <cstdio>

namespace Kyozo::Server {

namespace {
    QString tr(const char *text)
    {
        return QCoreApplication::translate("kyozo-server", text);
    }

    int fail(int code, const QString &message)
    {
        std::fprintf(stderr, "kyozo-server: %s\n", qPrintable(message));
        return code;
    }

    void print(const QString &line)
    {
        std::printf("%s\n", line.toUtf8().constData());
    }
} // namespace

// `billing report [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: the period's figures as one JSON
// object; --to defaults to now, --from to 30 days before --to; both days are included.
int billingReportCommand(const ServerConfig &settings, Database &database, const QStringList &rest)
{
    const QString usage
        = tr("usage: kyozo-server billing report [--from YYYY-MM-DD] [--to YYYY-MM-DD]");
    qint64 toMs = QDateTime::currentMSecsSinceEpoch();
    std::optional<qint64> fromMs;
    for (qsizetype i = 0; i < rest.size(); ++i) {
        const bool from = rest[i] == QLatin1String("--from");
        if ((!from && rest[i] != QLatin1String("--to")) || i + 1 >= rest.size())
            return fail(2, usage);
        const QDate day = QDate::fromString(rest[++i], Qt::ISODate);
        if (!day.isValid())
            return fail(2, usage);
        const qint64 start = QDateTime(day, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
        if (from)
            fromMs = start;
        else
            toMs = start + 86400000 - 1;
    }
    const qint64 begin = fromMs.value_or(toMs - 30LL * 86400000);
    if (begin > toMs)
        return fail(2, tr("--from is after --to"));
    BillingStore store(database);
    QString error;
    const auto subscriptions = store.allSubscriptions(&error);
    if (!subscriptions)
        return fail(1, error);
    const QJsonObject report = billingReport(
        *subscriptions,
        [&](const Billing::Subscription &s) { return planOfSubscription(settings.billing, s); },
        begin, toMs);
    print(QString::fromUtf8(QJsonDocument(report).toJson(QJsonDocument::Indented)).trimmed());
    return 0;
}

int runAdminCommand(const ServerConfig &settings, const QStringList &words)
{
    const DatabaseUrl &url = settings.database;
    // SPEC §11: a failing admin command says one line; the migration log is for the server.
    QLoggingCategory::setFilterRules(QStringLiteral("kyozo.*.info=false"));
    const QString noun = words.value(0), verb = words.value(1);
    QStringList rest = words.mid(2);
    // Backups work on the file, not through a connection that would migrate it first.
    if (noun == QLatin1String("backup") || noun == QLatin1String("restore")) {
        if (words.size() != 2)
            return fail(2, tr("usage: kyozo-server --database sqlite:PATH backup|restore FILE"));
        if (url.driver != DatabaseUrl::Driver::Sqlite)
            return fail(2,
                        tr("a PostgreSQL database is backed up with pg_dump and restored with "
                           "pg_restore (docs/operator.md \"Backups\")"));
        QString error;
        const bool done = noun == QLatin1String("backup") ? backupSqlite(url.path, verb, &error)
                                                          : restoreSqlite(verb, url.path, &error);
        return done ? 0 : fail(1, error);
    }
    Database database;
    QString error;
    if (!database.open(url, &error))
        return fail(1, error);
    AccountStore accounts(database);

    if (noun == QLatin1String("user") && verb == QLatin1String("add")) {
        QString workspace;
        std::optional<Role> role;
        QString name;
        for (qsizetype i = 0; i < rest.size(); ++i) {
            if (rest[i] == QLatin1String("--workspace") && i + 1 < rest.size()) {
                workspace = rest[++i];
            } else if (rest[i] == QLatin1String("--role") && i + 1 < rest.size()) {
                role = roleFromString(rest[++i]);
                if (!role)
                    return fail(2, tr("--role must be owner, editor or viewer"));
            } else if (name.isEmpty() && !rest[i].startsWith(QLatin1String("--"))) {
                name = rest[i];
            } else {
                return fail(2,
                            tr("usage: kyozo-server user add NAME [--workspace W] [--role "
                               "owner|editor|viewer]"));
            }
        }
        if (name.isEmpty())
            return fail(2,
                        tr("usage: kyozo-server user add NAME [--workspace W] [--role "
                           "owner|editor|viewer]"));
        if (role && workspace.isEmpty())
            return fail(2, tr("--role needs --workspace"));
        if (!accounts.addUser(name, workspace, role, &error))
            return fail(1, error);
        return 0;
    }
    if (noun == QLatin1String("user") && verb == QLatin1String("list") && rest.isEmpty()) {
        const QList<UserSummary> users = accounts.users(&error);
        if (!error.isEmpty())
            return fail(1, error);
        for (const UserSummary &u : users) {
            QStringList memberships;
            for (const auto &[ws, role] : u.memberships)
                memberships.append(ws + QLatin1Char(':') + roleName(role));
            print(u.name + QLatin1Char('\t') + memberships.join(QLatin1Char(',')));
        }
        return 0;
    }
    if (noun == QLatin1String("token") && verb == QLatin1String("create") && rest.size() == 1) {
        const std::optional<QString> token = accounts.createToken(rest.first(), &error);
        if (!token)
            return fail(1, error);
        print(*token); // alone on one line, for scripts
        return 0;
    }
    if (noun == QLatin1String("token") && verb == QLatin1String("revoke") && rest.size() == 1) {
        if (!accounts.revokeToken(rest.first(), &error))
            return fail(1, error);
        return 0;
    }
    if (noun == QLatin1String("billing") && verb == QLatin1String("report"))
        return billingReportCommand(settings, database, rest);
    return fail(2, tr("unknown command; use: user add|list, token create|revoke, billing report"));
}

} // namespace Kyozo::Server
