#pragma once

#include <QList>
#include <QStringList>

namespace Kyozo::Server {

// Schema versions, oldest first. Each is a list of statements written in the SQL both
// SQLite and PostgreSQL accept (TEXT ids, BIGINT milliseconds since the epoch). Never edit
// a published version: add the next one (its upgrade is tested from a committed database
// of every earlier version).
struct Migration
{
    int version;
    QStringList statements;
    // Tables only PostgreSQL's processes use (SQLite has one serving process): on SQLite the
    // version is recorded with nothing created, and a quota is not spent on them.
    bool postgresOnly = false;
};

const QList<Migration> &migrations();

} // namespace Kyozo::Server
