// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl capture import`: PostgreSQL server logs into a capture, without a proxy; local
// files, or the log directory of an inventory host fetched over SFTP.
#include "CommandLine.h"

#include "ConnectorServices.h"
#include "logimport/LogImporter.h"
#include "store/Repository.h"

#include <QTemporaryDir>

namespace doppel::cli {

namespace {

const char* const ImportUsage =
    "usage: doppelctl capture import --log FILE... --format csvlog|stderr\n"
    "         [--log-line-prefix PREFIX] --out DIR\n"
    "       doppelctl capture import --host NAME [--remote-dir DIR] [--log NAME...]\n"
    "         --format csvlog|stderr [--log-line-prefix PREFIX] --out DIR\n"
    "  With --host the server's log files (.csv for csvlog, .log for stderr, and their .gz)\n"
    "  are copied over SFTP from its log directory (asked of the server, or --remote-dir);\n"
    "  --log then picks files of that directory by name.\n";

// The host's log files of that format, fetched into `into`; the local paths.
Result<QStringList> fetchServerLogs(Context& ctx, const Arguments& a,
                                    LogImportOptions::Format format, const QString& into)
{
    auto repo = Repository::open(ctx.repoPath);
    if (!repo)
        return repo.error();
    const QString name = a.value(QStringLiteral("host"));
    auto host = (*repo)->host(name);
    if (!host)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("no host named '%1' in the inventory").arg(name));
    auto secrets = createSecretStore();
    auto services = createHostServices(*secrets);
    QString dir = a.value(QStringLiteral("remote-dir"));
    if (dir.isEmpty()) {
        auto asked = services->serverLogDirectory(*host, std::chrono::seconds(10), {});
        if (!asked)
            return makeError(asked.error().code,
                             asked.error().message + QStringLiteral(" (or give --remote-dir)"));
        dir = *asked;
    }
    auto listed = services->listServerLogs(*host, dir, {});
    if (!listed)
        return listed.error();
    const QString suffix = format == LogImportOptions::Format::CsvLog ? QStringLiteral(".csv")
                                                                      : QStringLiteral(".log");
    const QStringList picked = a.values(QStringLiteral("log")) + a.positional;
    QStringList remote;
    qint64 total = 0;
    for (const ServerLogFile& f : *listed) {
        const QString fileName = f.path.section(QLatin1Char('/'), -1);
        const bool ofFormat = fileName.endsWith(suffix) || fileName.endsWith(suffix + ".gz");
        if (picked.isEmpty() ? ofFormat : picked.contains(fileName)) {
            remote << f.path;
            total += std::max<qint64>(0, f.size);
        }
    }
    if (remote.isEmpty())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("no %1 log file in %2 on %3").arg(suffix, dir, host->name));
    ctx.err << "fetching " << remote.size() << " file(s), "
            << QString::number(double(total) / 1e6, 'f', 1) << " MB, from " << dir << " on "
            << host->name << "\n";
    return services->fetchFiles(*host, remote, into, {}, {});
}

} // namespace

int runCaptureImport(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(args,
                              {QStringLiteral("log"), QStringLiteral("format"),
                               QStringLiteral("log-line-prefix"), QStringLiteral("out"),
                               QStringLiteral("host"), QStringLiteral("remote-dir")},
                              {QStringLiteral("quiet")});
    const bool remote = a && a->has(QStringLiteral("host"));
    if (!a || (!a->has(QStringLiteral("log")) && !remote) || !a->has(QStringLiteral("format")) ||
        !a->has(QStringLiteral("out"))) {
        ctx.err << "doppelctl capture import: "
                << (a ? QStringLiteral("--log (or --host), --format and --out are required")
                      : a.error().message)
                << "\n"
                << ImportUsage;
        return Usage;
    }
    LogImportOptions options;
    auto format = parseLogFormat(a->value(QStringLiteral("format")));
    if (!format) {
        ctx.err << "doppelctl capture import: " << format.error().message << "\n";
        return Usage;
    }
    options.format = *format;
    if (a->has(QStringLiteral("log-line-prefix")))
        options.logLinePrefix = a->value(QStringLiteral("log-line-prefix"));

    // --log FILE... : the files after --log up to the next option arrive as positionals.
    QStringList files = a->values(QStringLiteral("log")) + a->positional;
    QTemporaryDir fetched; // the copies live as long as the import needs them
    if (remote) {
        auto local = fetchServerLogs(ctx, *a, *format, fetched.path());
        if (!local) {
            ctx.err << "doppelctl capture import: " << local.error().message << "\n";
            return Failure;
        }
        files = *local;
    }
    const QString out = a->value(QStringLiteral("out"));
    const bool quiet = a->has(QStringLiteral("quiet"));
    int lastPercent = -1;
    auto result = importLogsToCapture(files, options, out, [&](double share) {
        const int percent = int(share * 100);
        if (quiet || percent == lastPercent)
            return;
        lastPercent = percent;
        ctx.err << "\rimporting… " << percent << "%";
        ctx.err.flush();
    });
    if (!quiet && lastPercent >= 0)
        ctx.err << "\n";
    if (!result) {
        ctx.err << "doppelctl capture import: " << result.error().message << "\n";
        return Failure;
    }
    // The first ones name the problem; a log full of foreign lines must not flood the terminal.
    constexpr int Shown = 20;
    for (qsizetype i = 0; i < std::min<qsizetype>(Shown, result->issues.size()); ++i)
        ctx.err << "doppelctl capture import: warning: " << result->issues[i].toString() << "\n";
    if (result->issues.size() > Shown)
        ctx.err << "doppelctl capture import: … and " << result->issues.size() - Shown
                << " more warnings of lines skipped\n";
    ctx.out << result->statements << " statements from " << result->files << " file(s) ("
            << QString::number(double(result->bytes) / 1e6, 'f', 1) << " MB) into " << out << ", "
            << result->issues.size() << " warning(s)\n";
    return Success;
}

} // namespace doppel::cli
