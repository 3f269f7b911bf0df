// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl capture import`: PostgreSQL server logs into a capture, without a proxy.
#include "CommandLine.h"

#include "logimport/LogImporter.h"
#include "workload/CaptureWriter.h"

namespace doppel::cli {

int runCaptureImport(Context& ctx, const QStringList& args)
{
    const char* usage = "usage: doppelctl capture import --log FILE... --format csvlog|stderr\n"
                        "         [--log-line-prefix PREFIX] --out DIR\n";
    auto a = Arguments::parse(args,
                              {QStringLiteral("log"), QStringLiteral("format"),
                               QStringLiteral("log-line-prefix"), QStringLiteral("out")},
                              {QStringLiteral("quiet")});
    if (!a || !a->has(QStringLiteral("log")) || !a->has(QStringLiteral("format")) ||
        !a->has(QStringLiteral("out"))) {
        ctx.err << "doppelctl capture import: "
                << (a ? QStringLiteral("--log, --format and --out are required")
                      : a.error().message)
                << "\n"
                << usage;
        return Usage;
    }
    // --log FILE... : the files after --log up to the next option arrive as positionals.
    QStringList files = a->values(QStringLiteral("log")) + a->positional;
    LogImportOptions options;
    auto format = parseLogFormat(a->value(QStringLiteral("format")));
    if (!format) {
        ctx.err << "doppelctl capture import: " << format.error().message << "\n";
        return Usage;
    }
    options.format = *format;
    if (a->has(QStringLiteral("log-line-prefix")))
        options.logLinePrefix = a->value(QStringLiteral("log-line-prefix"));

    CaptureWriterOptions writerOptions;
    writerOptions.dir = a->value(QStringLiteral("out"));
    writerOptions.fsync = FsyncPolicy::None; // flushed and closed at the end
    auto writer = CaptureWriter::open(writerOptions);
    if (!writer) {
        ctx.err << "doppelctl capture import: " << writer.error().message << "\n";
        return Failure;
    }
    const bool quiet = a->has(QStringLiteral("quiet"));
    int lastPercent = -1;
    auto result = importLogs(files, options, **writer, [&](double share) {
        const int percent = int(share * 100);
        if (quiet || percent == lastPercent)
            return;
        lastPercent = percent;
        ctx.err << "\rimporting… " << percent << "%";
        ctx.err.flush();
    });
    (*writer)->close();
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
            << QString::number(double(result->bytes) / 1e6, 'f', 1) << " MB) into "
            << writerOptions.dir << ", " << result->issues.size() << " warning(s)\n";
    return Success;
}

} // namespace doppel::cli
