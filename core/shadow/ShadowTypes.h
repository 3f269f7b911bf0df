// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <chrono>
#include <vector>

namespace doppel {

// What a shadow is: production and shadow connections and the names Doppel gives the
// publication, slot and subscription that join them. Plain data; any thread.
struct ShadowSpec
{
    QString prodConninfo;
    QString shadowConninfo;
    // Passwords from the SecretStore, for hosts whose conninfo has none (.pgpass otherwise).
    // Held in memory only for the operation; never written anywhere.
    QString prodPassword;
    QString shadowPassword;
    // How the shadow server reaches production; empty: production's conninfo as Doppel used it
    // (host, port, dbname, user and the password libpq found, e.g. in .pgpass).
    QString publisherConninfo;
    // Publication, slot and subscription name; "doppel_" prefixed so an orphaned slot is
    // recognisably Doppel's.
    QString name = QStringLiteral("doppel_shadow");
    QStringList tables;                // empty: all tables
    QMap<QString, QString> rowFilters; // table -> WHERE expression (PostgreSQL 15 row filters)
    QString pgBinDir;                  // where pg_dump and psql are; empty: PATH, then PG 15's
    std::chrono::milliseconds timeout{30000};
};

enum class Verdict { Ok, Warn, Fail };
QString verdictName(Verdict verdict);

// One precheck: its verdict, the objects concerned and what to do about it.
struct ShadowCheck
{
    QString name;
    Verdict verdict = Verdict::Ok;
    QString message;
    QStringList objects;
    QString fix;
    QJsonObject toJson() const;
};

struct ShadowTableState
{
    QString table;
    QString state; // init, data_copy, finished_copy, synchronized, ready
};

// A replication slot named doppel_* on production, and the WAL it holds back.
struct ShadowSlot
{
    QString name;
    bool active = false;
    qint64 retainedBytes = 0;
};

struct ShadowStatus
{
    bool publicationExists = false;
    bool subscriptionExists = false;
    bool subscriptionEnabled = false;
    qint64 lagBytes = -1;   // production's current LSN minus the slot's confirmed LSN
    double lagSeconds = -1; // walsender's replay lag; 0 when caught up
    qint64 applyErrors = 0; // pg_stat_subscription_stats
    qint64 syncErrors = 0;
    std::vector<ShadowTableState> tables;
    std::vector<ShadowSlot> slots; // every doppel_* slot on production
    QJsonObject toJson() const;
};

// Row counts and an order-independent checksum of one table on both sides.
struct TableVerification
{
    QString table;
    qint64 rowsProd = 0;
    qint64 rowsShadow = 0;
    bool checksumMatch = false;
    int chunks = 0;
    int chunksDiffering = 0;
    QString error; // set when the table could not be read on one side
    bool identical() const { return error.isEmpty() && checksumMatch && rowsProd == rowsShadow; }
    QJsonObject toJson() const;
};

// A sequence set on the shadow.
struct SequenceSync
{
    QString sequence;
    qint64 prodValue = 0;
    qint64 shadowValue = 0;
};

} // namespace doppel
