// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QHash>
#include <QSet>
#include <QStringList>
#include <QTextStream>

namespace doppel::cli {

// Exit codes scripts can rely on.
enum ExitCode { Success = 0, Failure = 1, Usage = 2 };

// One subcommand's arguments: positionals, `--name value` / `--name=value` options (repeatable)
// and `--flag` switches, checked against what the command accepts so a typo is named.
class Arguments
{
public:
    static Result<Arguments> parse(const QStringList& args, const QSet<QString>& valueOptions,
                                   const QSet<QString>& flags);
    QStringList positional;
    bool has(const QString& name) const
    {
        return m_values.contains(name) || m_flags.contains(name);
    }
    QString value(const QString& name, const QString& fallback = {}) const
    {
        return m_values.contains(name) ? m_values.value(name).last() : fallback;
    }
    QStringList values(const QString& name) const { return m_values.value(name); }

private:
    QHash<QString, QStringList> m_values;
    QSet<QString> m_flags;
};

// What every command gets: the repository path and the output streams.
struct Context
{
    QString repoPath;
    QTextStream& out;
    QTextStream& err;
};

int runHosts(Context& ctx, const QStringList& args);
int runMonitor(Context& ctx, const QStringList& args);
int runMetrics(Context& ctx, const QStringList& args);
int runLab(Context& ctx, const QStringList& args);
int runCapture(Context& ctx, const QStringList& args);
int runForecast(Context& ctx, const QStringList& args);
int runForecastService(Context& ctx, const QStringList& args);
int runThresholds(Context& ctx, const QStringList& args);
int runShadow(Context& ctx, const QStringList& args);
int runReplay(Context& ctx, const QStringList& args);
int runDiff(Context& ctx, const QStringList& args);
int runCaptureImport(Context& ctx, const QStringList& args);
int runWorkload(Context& ctx, const QStringList& args);

// Entry point shared by main() and the integration tests: argv without the program name.
int runDoppelctl(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace doppel::cli
