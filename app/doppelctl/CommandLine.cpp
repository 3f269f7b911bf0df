// SPDX-License-Identifier: GPL-3.0-or-later
#include "CommandLine.h"

#include "store/Repository.h"

namespace doppel::cli {

Result<Arguments> Arguments::parse(const QStringList& args, const QSet<QString>& valueOptions,
                                   const QSet<QString>& flags)
{
    Arguments out;
    for (int i = 0; i < args.size(); ++i) {
        const QString& arg = args[i];
        if (!arg.startsWith(QLatin1String("--")) || arg == QLatin1String("--")) {
            out.positional << arg;
            continue;
        }
        QString name = arg.mid(2);
        QString value;
        bool inlineValue = false;
        if (const int eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
            value = name.mid(eq + 1);
            name = name.left(eq);
            inlineValue = true;
        }
        if (flags.contains(name) && !inlineValue) {
            out.m_flags.insert(name);
        } else if (valueOptions.contains(name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size())
                    return makeError(ErrorCode::InvalidInput,
                                     QStringLiteral("--%1 needs a value").arg(name));
                value = args[++i];
            }
            out.m_values[name] << value;
        } else {
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("Unknown option --%1").arg(name));
        }
    }
    return out;
}

static void usage(QTextStream& out)
{
    out << "Usage: doppelctl [--repo PATH] COMMAND ...\n\n"
           "Commands:\n"
           "  hosts add NAME --role production|shadow|target --conninfo CONNINFO\n"
           "            [--ssh USER@HOST[:PORT]] [--ssh-auth agent|key|password] [--ssh-key FILE]\n"
           "            [--known-hosts FILE]\n"
           "  hosts list [--json] | hosts remove NAME | hosts test NAME [--accept-new-host-key]\n"
           "  monitor [--duration 60s] [--interval 5s] [--timeout 8s]\n"
           "  metrics --host NAME --metric NAME [--since ISO|--last 1h] --csv\n"
           "  metrics --list\n"
           "  forecast --input FILE.csv | --host NAME --metric NAME  --horizon N|1d\n"
           "           [--season auto|none|P[,P2]] [--model "
           "auto|ets|arima|mstl|theta|naive|snaive]\n"
           "           [--level 80,95] [--threshold X] [--output FILE.csv] [--json FILE.json]\n"
           "  forecast-service run-once [--host NAME] [--horizons 1h,1d,1w] [--no-limits] "
           "[--json]\n"
           "  thresholds add --metric NAME --value X --horizon 1h|1d|1w [--probability 0.8]\n"
           "            [--host NAME] | thresholds list [--json] | thresholds remove ID\n"
           "  lab up [--dir DIR] [--scale N] [--day 600s] [--no-workload]\n"
           "  lab status [--dir DIR] [--json] | lab down [--dir DIR]\n"
           "  capture stats DIR [--json]\n"
           "  capture import --log FILE... --format csvlog|stderr [--log-line-prefix P] --out DIR\n"
           "  workload features DIR [--json]\n"
           "  workload summary DIR [--window 60s] [--top 10] [--json] [--store --host NAME]\n"
           "  shadow check|setup|status|verify|sync-sequences|teardown --prod CONNINFO|HOST\n"
           "            --shadow CONNINFO|HOST [--tables T1,T2] [--json] (see shadow --help)\n"
           "  replay --capture DIR --target CONNINFO [--speed S] [--sessions all|N]\n"
           "            [--from T --to T] [--report FILE.json]\n"
           "  diff --capture DIR [--replay FILE.json] --report FILE.html|md|json [--rule R]...\n"
           "            [--plans --prod CONNINFO --shadow CONNINFO [--plans-top N]]\n\n"
           "The repository defaults to "
        << Repository::defaultPath() << "\n";
}

int runDoppelctl(const QStringList& argsIn, QTextStream& out, QTextStream& err)
{
    QStringList args = argsIn;
    QString repo = Repository::defaultPath();
    // Global options come before the command.
    while (!args.isEmpty() && args.first().startsWith(QLatin1String("--"))) {
        const QString opt = args.takeFirst();
        if (opt == QLatin1String("--repo") && !args.isEmpty()) {
            repo = args.takeFirst();
        } else if (opt.startsWith(QLatin1String("--repo="))) {
            repo = opt.mid(7);
        } else if (opt == QLatin1String("--help")) {
            usage(out);
            return Success;
        } else {
            err << "doppelctl: unknown option " << opt << "\n";
            usage(err);
            return Usage;
        }
    }
    if (args.isEmpty()) {
        usage(err);
        return Usage;
    }
    // --repo may also follow the command, as in `doppelctl lab up --repo PATH`.
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--repo") && i + 1 < args.size()) {
            repo = args[i + 1];
            args.remove(i, 2);
            break;
        }
        if (args[i].startsWith(QLatin1String("--repo="))) {
            repo = args[i].mid(7);
            args.remove(i);
            break;
        }
    }
    Context ctx{repo, out, err};
    const QString command = args.takeFirst();
    if (command == QLatin1String("hosts"))
        return runHosts(ctx, args);
    if (command == QLatin1String("monitor"))
        return runMonitor(ctx, args);
    if (command == QLatin1String("metrics"))
        return runMetrics(ctx, args);
    if (command == QLatin1String("lab"))
        return runLab(ctx, args);
    if (command == QLatin1String("capture"))
        return runCapture(ctx, args);
    if (command == QLatin1String("workload"))
        return runWorkload(ctx, args);
    if (command == QLatin1String("forecast"))
        return runForecast(ctx, args);
    if (command == QLatin1String("forecast-service"))
        return runForecastService(ctx, args);
    if (command == QLatin1String("thresholds"))
        return runThresholds(ctx, args);
    if (command == QLatin1String("shadow"))
        return runShadow(ctx, args);
    if (command == QLatin1String("replay"))
        return runReplay(ctx, args);
    if (command == QLatin1String("diff"))
        return runDiff(ctx, args);
    if (command == QLatin1String("help")) {
        usage(out);
        return Success;
    }
    err << "doppelctl: unknown command '" << command << "'\n";
    usage(err);
    return Usage;
}

} // namespace doppel::cli
