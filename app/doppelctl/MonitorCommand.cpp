// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl monitor`: collects from every inventory host into the repository, headless.
#include "CommandLine.h"

#include "ConnectorServices.h"
#include "collect/Collector.h"
#include "common/Duration.h"
#include "metrics/MetricCatalog.h"
#include "store/Repository.h"

#include <QEventLoop>
#include <QMap>
#include <QTimer>

#include <cmath>

namespace doppel::cli {

int runMonitor(Context& ctx, const QStringList& args)
{
    auto a = Arguments::parse(
        args, {QStringLiteral("duration"), QStringLiteral("interval"), QStringLiteral("timeout")},
        {QStringLiteral("quiet")});
    if (!a || !a->positional.isEmpty()) {
        ctx.err << "doppelctl monitor: "
                << (a ? QStringLiteral("takes no arguments") : a.error().message) << "\n";
        return Usage;
    }
    auto duration = parseDuration(a->value(QStringLiteral("duration"), QStringLiteral("60s")));
    auto interval = parseDuration(a->value(QStringLiteral("interval"), QStringLiteral("10s")));
    auto timeout = parseDuration(a->value(QStringLiteral("timeout"), QStringLiteral("8s")));
    for (const auto* d : {&duration, &interval, &timeout})
        if (!*d) {
            ctx.err << "doppelctl monitor: " << d->error().message << "\n";
            return Usage;
        }
    if (interval->count() < 100) {
        ctx.err << "doppelctl monitor: --interval must be at least 100ms\n";
        return Usage;
    }
    std::vector<Host> hosts;
    {
        auto repo = Repository::open(ctx.repoPath);
        if (!repo) {
            ctx.err << "doppelctl: " << repo.error().toString() << "\n";
            return Failure;
        }
        auto list = (*repo)->hosts();
        if (!list) {
            ctx.err << "doppelctl: " << list.error().toString() << "\n";
            return Failure;
        }
        hosts = *list;
    }
    if (hosts.empty()) {
        ctx.err << "doppelctl monitor: the inventory in " << ctx.repoPath
                << " is empty; add hosts with `doppelctl hosts add` or start the lab with "
                   "`doppelctl lab up`\n";
        return Failure;
    }

    auto secrets = createSecretStore();
    auto services = createHostServices(*secrets);
    Collector collector(*services, ctx.repoPath);
    collector.setInterval(*interval);
    collector.setTimeout(std::min(*timeout, *interval * 2));
    collector.setHosts(hosts);

    struct Tally
    {
        int count = 0;
        double last = 0;
    };
    QMap<QString, QMap<QString, Tally>> tally;
    QMap<QString, QString> problems;
    QEventLoop loop;
    const bool quiet = a->has(QStringLiteral("quiet"));
    QObject::connect(&collector, &Collector::samplesCollected, &loop,
                     [&](const QString& host, const MetricSamples& samples) {
                         for (const auto& s : samples) {
                             auto& t = tally[host][s.metric];
                             ++t.count;
                             t.last = s.value;
                         }
                     });
    QObject::connect(&collector, &Collector::hostStateChanged, &loop,
                     [&](const QString& host, HostState state, const QString& reason) {
                         if (state == HostState::Ok)
                             problems.remove(host);
                         else
                             problems[host] = reason;
                         if (!quiet)
                             ctx.err
                                 << host << ": " << hostStateName(state)
                                 << (reason.isEmpty() ? QString() : QStringLiteral(": ") + reason)
                                 << "\n";
                         ctx.err.flush();
                     });
    QObject::connect(&collector, &Collector::storeFailed, &loop, [&](const QString& message) {
        ctx.err << "doppelctl monitor: " << message << "\n";
    });
    if (!quiet)
        ctx.err << "monitoring " << hosts.size() << " host(s) every " << formatDuration(*interval)
                << " for " << formatDuration(*duration) << " into " << ctx.repoPath << "\n";
    ctx.err.flush();
    QTimer::singleShot(*duration, &loop, &QEventLoop::quit);
    collector.start();
    loop.exec();
    collector.stop();

    // Plain decimals, never exponents: a DBA reads 82393493504 bytes faster than 8.24e+10.
    auto plain = [](double v) {
        return v == std::floor(v) && std::fabs(v) < 1e15 ? QString::number(qint64(v))
                                                         : QString::number(v, 'f', 3);
    };
    ctx.out << "host\tmetric\tsamples\tlast\tunit\n";
    for (auto h = tally.cbegin(); h != tally.cend(); ++h)
        for (auto m = h->cbegin(); m != h->cend(); ++m) {
            const auto info = findMetric(m.key());
            ctx.out << h.key() << "\t" << m.key() << "\t" << m->count << "\t" << plain(m->last)
                    << "\t" << (info ? QString::fromLatin1(info->unit) : QString()) << "\n";
        }
    ctx.out << collector.sampleCount() << " samples stored in " << ctx.repoPath << "\n";
    for (auto p = problems.cbegin(); p != problems.cend(); ++p)
        ctx.err << "doppelctl monitor: " << p.key() << ": " << p.value() << "\n";
    return tally.isEmpty() ? Failure : Success;
}

} // namespace doppel::cli
