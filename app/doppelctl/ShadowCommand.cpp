// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl shadow check|setup|status|verify|sync-sequences|teardown`: a shadow fed by logical
// replication, set up, watched, compared with production and removed.
#include "CommandLine.h"

#include "common/Duration.h"
#include "shadow/ShadowPrechecks.h"
#include "shadow/ShadowSetup.h"
#include "shadow/ShadowStatus.h"
#include "shadow/ShadowVerify.h"
#include "store/Repository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace doppel::cli {

namespace {

const char* const ShadowUsage =
    "usage: doppelctl shadow check|setup|status|verify|sync-sequences|teardown\n"
    "         --prod CONNINFO|HOST --shadow CONNINFO|HOST [--tables T1,T2] [--json]\n"
    "         [--name doppel_shadow] [--row-filter TABLE=EXPR]... [--publisher-conninfo C]\n"
    "         [--pg-bindir DIR] [--timeout 30s] [--margin 1000] [--chunk-rows 10000]\n";

// A conninfo as given, or the conninfo of the inventory host of that name.
Result<QString> resolveConninfo(const QString& repoPath, const QString& value)
{
    if (value.contains(QLatin1Char('=')) || value.contains(QLatin1String("://")))
        return value;
    auto repo = Repository::open(repoPath);
    if (!repo)
        return repo.error();
    auto host = (*repo)->host(value);
    if (!host)
        return makeError(
            ErrorCode::NotFound,
            QStringLiteral("'%1' is neither a conninfo nor a host of the inventory").arg(value));
    return host->conninfo;
}

Result<ShadowSpec> specFrom(const Context& ctx, const Arguments& a)
{
    if (!a.has(QStringLiteral("prod")) || !a.has(QStringLiteral("shadow")))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("--prod and --shadow are required"));
    ShadowSpec spec;
    auto prod = resolveConninfo(ctx.repoPath, a.value(QStringLiteral("prod")));
    if (!prod)
        return prod.error();
    auto shadow = resolveConninfo(ctx.repoPath, a.value(QStringLiteral("shadow")));
    if (!shadow)
        return shadow.error();
    spec.prodConninfo = *prod;
    spec.shadowConninfo = *shadow;
    spec.name = a.value(QStringLiteral("name"), spec.name);
    spec.publisherConninfo = a.value(QStringLiteral("publisher-conninfo"));
    spec.pgBinDir = a.value(QStringLiteral("pg-bindir"));
    for (const QString& list : a.values(QStringLiteral("tables")))
        for (const QString& t : list.split(QLatin1Char(','), Qt::SkipEmptyParts))
            spec.tables << t.trimmed();
    for (const QString& filter : a.values(QStringLiteral("row-filter"))) {
        const int eq = filter.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return makeError(
                ErrorCode::InvalidInput,
                QStringLiteral("--row-filter takes TABLE=EXPRESSION, not '%1'").arg(filter));
        spec.rowFilters.insert(filter.left(eq).trimmed(), filter.mid(eq + 1).trimmed());
    }
    if (a.has(QStringLiteral("timeout"))) {
        auto t = parseDuration(a.value(QStringLiteral("timeout")));
        if (!t)
            return t.error();
        spec.timeout = *t;
    }
    return spec;
}

void printJson(Context& ctx, const QJsonValue& value)
{
    ctx.out << (value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject()))
                   .toJson(QJsonDocument::Indented);
}

void audit(const Context& ctx, Severity severity, const QString& message)
{
    // The repository's event log is the audit trail of what Doppel changed on servers.
    if (auto repo = Repository::open(ctx.repoPath))
        (void)(*repo)->appendEvent(
            Event{0, 0, severity, QStringLiteral("shadow"), QString(), message});
}

int fail(Context& ctx, const QString& action, const Error& error)
{
    ctx.err << "doppelctl shadow " << action << ": " << error.message << "\n";
    return Failure;
}

int runCheck(Context& ctx, const ShadowSpec& spec, bool json)
{
    auto conns = shadow::connectBoth(spec);
    if (!conns)
        return fail(ctx, QStringLiteral("check"), conns.error());
    auto checks = shadow::runPrechecks(*conns, spec);
    if (!checks)
        return fail(ctx, QStringLiteral("check"), checks.error());
    if (json) {
        QJsonArray array;
        for (const auto& c : *checks)
            array.append(c.toJson());
        printJson(ctx, QJsonObject{{QStringLiteral("checks"), array},
                                   {QStringLiteral("ok"), !shadow::anyFailed(*checks)}});
    } else {
        for (const auto& c : *checks) {
            ctx.out << verdictName(c.verdict).toUpper().leftJustified(5) << c.name << ": "
                    << c.message << "\n";
            if (!c.objects.isEmpty() && c.verdict != Verdict::Ok)
                ctx.out << "      objects: " << c.objects.join(QStringLiteral(", ")) << "\n";
            if (!c.fix.isEmpty() && c.verdict != Verdict::Ok)
                ctx.out << "      fix: " << c.fix << "\n";
        }
    }
    return shadow::anyFailed(*checks) ? Failure : Success;
}

int runSetupOrTeardown(Context& ctx, const ShadowSpec& spec, bool setup, bool json)
{
    const QString action = setup ? QStringLiteral("setup") : QStringLiteral("teardown");
    auto progress = [&](const QString& step) {
        if (!json) {
            ctx.err << action << ": " << step << "\n";
            ctx.err.flush();
        }
    };
    auto done =
        setup ? shadow::setupShadow(spec, progress) : shadow::teardownShadow(spec, progress);
    if (!done) {
        audit(ctx, Severity::Error,
              QStringLiteral("%1 of %2 failed: %3").arg(action, spec.name, done.error().message));
        return fail(ctx, action, done.error());
    }
    audit(ctx, Severity::Info,
          QStringLiteral("%1 of %2: %3")
              .arg(action, spec.name,
                   done->isEmpty() ? QStringLiteral("nothing to do")
                                   : done->join(QStringLiteral("; "))));
    if (json)
        printJson(ctx, QJsonObject{{setup ? QStringLiteral("done") : QStringLiteral("removed"),
                                    QJsonArray::fromStringList(*done)}});
    else if (done->isEmpty())
        ctx.out << "nothing to remove\n";
    else
        for (const QString& line : *done)
            ctx.out << line << "\n";
    return Success;
}

int runStatus(Context& ctx, const ShadowSpec& spec, bool json)
{
    auto prod = shadow::connectProd(spec);
    if (!prod)
        return fail(ctx, QStringLiteral("status"), prod.error());
    auto shadowConn = shadow::connectShadow(spec);
    auto status = shadow::readShadowStatus(**prod, shadowConn ? shadowConn->get() : nullptr, spec);
    if (!status)
        return fail(ctx, QStringLiteral("status"), status.error());
    if (json) {
        QJsonObject o = status->toJson();
        if (!shadowConn)
            o.insert(QStringLiteral("shadow_error"), shadowConn.error().message);
        printJson(ctx, o);
    } else {
        if (!shadowConn)
            ctx.out << "shadow unreachable: " << shadowConn.error().message << "\n";
        ctx.out << "publication " << spec.name << ": " << (status->publicationExists ? "yes" : "no")
                << "\nsubscription: "
                << (status->subscriptionExists
                        ? (status->subscriptionEnabled ? "enabled" : "disabled")
                        : "none")
                << "\nlag: "
                << (status->lagBytes < 0 ? QStringLiteral("unknown")
                                         : QStringLiteral("%1 bytes").arg(status->lagBytes))
                << ", "
                << (status->lagSeconds < 0
                        ? QStringLiteral("unknown")
                        : QStringLiteral("%1 s").arg(status->lagSeconds, 0, 'f', 3))
                << "\napply errors: " << status->applyErrors
                << ", sync errors: " << status->syncErrors << "\n";
        for (const auto& t : status->tables)
            ctx.out << "  " << t.table << "\t" << t.state << "\n";
        for (const auto& s : status->slots)
            ctx.out << "slot " << s.name << (s.active ? " active" : " INACTIVE") << ", holds "
                    << s.retainedBytes << " bytes of WAL\n";
    }
    return Success;
}

int runVerify(Context& ctx, const ShadowSpec& spec, const Arguments& a, bool json)
{
    shadow::VerifyOptions options;
    if (a.has(QStringLiteral("chunk-rows"))) {
        bool ok = false;
        options.chunkRows = a.value(QStringLiteral("chunk-rows")).toInt(&ok);
        if (!ok || options.chunkRows < 1)
            return fail(ctx, QStringLiteral("verify"),
                        makeError(ErrorCode::InvalidInput,
                                  QStringLiteral("--chunk-rows takes a positive whole number")));
    }
    auto conns = shadow::connectBoth(spec);
    if (!conns)
        return fail(ctx, QStringLiteral("verify"), conns.error());
    auto tables = shadow::verifyShadow(*conns, spec, options, [&](const QString& table) {
        if (!json) {
            ctx.err << "verifying " << table << "\n";
            ctx.err.flush();
        }
    });
    if (!tables)
        return fail(ctx, QStringLiteral("verify"), tables.error());
    bool identical = true;
    QJsonArray array;
    for (const auto& t : *tables) {
        identical = identical && t.identical();
        array.append(t.toJson());
        if (!json)
            ctx.out << (t.identical() ? "same     " : "DIFFERS  ") << t.table << "\trows "
                    << t.rowsProd << " / " << t.rowsShadow << "\tchecksum "
                    << (t.checksumMatch ? "match" : "differs") << " (" << t.chunksDiffering
                    << " of " << t.chunks << " chunks)"
                    << (t.error.isEmpty() ? QString() : QStringLiteral("\t") + t.error) << "\n";
    }
    if (json)
        printJson(ctx, QJsonObject{{QStringLiteral("tables"), array},
                                   {QStringLiteral("identical"), identical}});
    return identical ? Success : Failure;
}

int runSyncSequences(Context& ctx, const ShadowSpec& spec, const Arguments& a, bool json)
{
    bool ok = true;
    const qint64 margin = a.value(QStringLiteral("margin"), QStringLiteral("1000")).toLongLong(&ok);
    if (!ok || margin < 0)
        return fail(ctx, QStringLiteral("sync-sequences"),
                    makeError(ErrorCode::InvalidInput,
                              QStringLiteral("--margin takes a whole number of increments >= 0")));
    auto conns = shadow::connectBoth(spec);
    if (!conns)
        return fail(ctx, QStringLiteral("sync-sequences"), conns.error());
    auto synced = shadow::syncSequences(*conns, margin);
    if (!synced)
        return fail(ctx, QStringLiteral("sync-sequences"), synced.error());
    audit(ctx, Severity::Info,
          QStringLiteral("%1 sequence(s) set on the shadow with a margin of %2")
              .arg(synced->size())
              .arg(margin));
    QJsonArray array;
    for (const auto& s : *synced) {
        array.append(QJsonObject{{QStringLiteral("sequence"), s.sequence},
                                 {QStringLiteral("prod_value"), double(s.prodValue)},
                                 {QStringLiteral("shadow_value"), double(s.shadowValue)}});
        if (!json)
            ctx.out << s.sequence << "\t" << s.prodValue << " -> " << s.shadowValue << "\n";
    }
    if (json)
        printJson(ctx, QJsonObject{{QStringLiteral("sequences"), array}});
    return Success;
}

} // namespace

int runShadow(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(args,
                              {QStringLiteral("prod"), QStringLiteral("shadow"),
                               QStringLiteral("tables"), QStringLiteral("name"),
                               QStringLiteral("row-filter"), QStringLiteral("publisher-conninfo"),
                               QStringLiteral("pg-bindir"), QStringLiteral("timeout"),
                               QStringLiteral("margin"), QStringLiteral("chunk-rows")},
                              {QStringLiteral("json")});
    if (!a || a->positional.size() != 1) {
        ctx.err << "doppelctl shadow: "
                << (a ? QStringLiteral("name one action") : a.error().message) << "\n"
                << ShadowUsage;
        return Usage;
    }
    const QString action = a->positional.first();
    const bool json = a->has(QStringLiteral("json"));
    auto spec = specFrom(ctx, *a);
    if (!spec) {
        ctx.err << "doppelctl shadow " << action << ": " << spec.error().message << "\n";
        return spec.error().code == ErrorCode::InvalidInput ? Usage : Failure;
    }
    if (action == QLatin1String("check"))
        return runCheck(ctx, *spec, json);
    if (action == QLatin1String("setup"))
        return runSetupOrTeardown(ctx, *spec, true, json);
    if (action == QLatin1String("teardown"))
        return runSetupOrTeardown(ctx, *spec, false, json);
    if (action == QLatin1String("status"))
        return runStatus(ctx, *spec, json);
    if (action == QLatin1String("verify"))
        return runVerify(ctx, *spec, *a, json);
    if (action == QLatin1String("sync-sequences"))
        return runSyncSequences(ctx, *spec, *a, json);
    ctx.err << "doppelctl shadow: unknown action '" << action << "'\n" << ShadowUsage;
    return Usage;
}

} // namespace doppel::cli
