// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl lab up|status|down`: real PostgreSQL and sshd on loopback for play and for tests.
#include "CommandLine.h"

#include "common/Duration.h"
#include "lab/Lab.h"
#include "store/Repository.h"

#include <QJsonDocument>

namespace doppel::cli {

int runLab(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(
        args, {QStringLiteral("dir"), QStringLiteral("scale"), QStringLiteral("day")},
        {QStringLiteral("json"), QStringLiteral("no-workload")});
    if (!a || a->positional.size() != 1) {
        ctx.err << "doppelctl lab: "
                << (a ? QStringLiteral("up, status or down?") : a.error().message) << "\n";
        return Usage;
    }
    const QString verb = a->positional.first();
    Lab lab(a->value(QStringLiteral("dir"), Lab::defaultDir()));
    auto progress = [&](const QString& step) {
        ctx.err << step << "\n";
        ctx.err.flush();
    };
    auto day = parseDuration(a->value(QStringLiteral("day"), QStringLiteral("600s")));
    if (!day || day->count() < 10000) {
        ctx.err << "doppelctl lab: --day must be a duration of at least 10s\n";
        return Usage;
    }
    if (verb == QLatin1String("workload")) // started by `lab up`, not by users
        return Lab::runWorkload(lab.dir(), int(day->count() / 1000));
    if (verb == QLatin1String("up")) {
        bool ok = false;
        Lab::Options options;
        options.scale = a->value(QStringLiteral("scale"), QStringLiteral("10")).toInt(&ok);
        if (!ok || options.scale < 1) {
            ctx.err << "doppelctl lab up: --scale takes a whole number of 1 or more\n";
            return Usage;
        }
        options.dayLengthSeconds = int(day->count() / 1000);
        options.workload = !a->has(QStringLiteral("no-workload"));
        auto repo = Repository::open(ctx.repoPath);
        if (!repo) {
            ctx.err << "doppelctl: " << repo.error().toString() << "\n";
            return Failure;
        }
        auto state = lab.up(options, repo->get(), progress);
        if (!state) {
            ctx.err << "doppelctl lab up: " << state.error().message << "\n";
            return Failure;
        }
        ctx.out << "production: " << state->production.conninfo << "\n"
                << "shadow:     " << state->shadow.conninfo << "\n"
                << "ssh:        ssh -p " << state->ssh.port << " -i " << state->ssh.key
                << " -o UserKnownHostsFile=" << state->ssh.knownHosts << " " << state->ssh.user
                << "@" << state->ssh.host << "\n"
                << "hosts lab-production and lab-shadow registered in " << ctx.repoPath << "\n";
        return Success;
    }
    if (verb == QLatin1String("status")) {
        auto state = lab.status();
        if (!state) {
            ctx.err << "doppelctl lab status: " << state.error().message << "\n";
            return Failure;
        }
        if (a->has(QStringLiteral("json"))) {
            ctx.out << QJsonDocument(state->toJson()).toJson(QJsonDocument::Compact) << "\n";
        } else {
            auto line = [&](const char* what, qint64 pid, const QString& detail) {
                ctx.out << what
                        << (pid > 0 ? QStringLiteral("running (pid %1)").arg(pid)
                                    : QStringLiteral("stopped"))
                        << "  " << detail << "\n";
            };
            line("production  ", state->production.pid, state->production.conninfo);
            line("shadow      ", state->shadow.pid, state->shadow.conninfo);
            line("sshd        ", state->ssh.pid,
                 QStringLiteral("127.0.0.1:%1").arg(state->ssh.port));
            line("workload    ", state->workload.running ? state->workload.pid : 0, QString());
        }
        return Success;
    }
    if (verb == QLatin1String("down")) {
        if (auto st = lab.down(progress); !st) {
            ctx.err << "doppelctl lab down: " << st.error().message << "\n";
            return Failure;
        }
        return Success;
    }
    ctx.err << "doppelctl lab: unknown verb '" << verb << "'\n";
    return Usage;
}

} // namespace doppel::cli
