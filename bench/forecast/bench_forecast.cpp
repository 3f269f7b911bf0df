// SPDX-License-Identifier: GPL-3.0-or-later
// Forecasting benchmark, Doppel's side. Two modes:
//   bench_forecast accuracy DIR OUT.csv   hold out the last horizon of each DIR/<name>.csv listed
//                                         in DIR/series.csv (name,frequency,horizon) and score
//                                         Doppel's auto, ets and arima: MASE, sMAPE, wall time.
//   bench_forecast speed OUT.csv [N]      fit+forecast a 2,016-point five-minute series with a
//                                         daily season (median of runs), then N (10,000) such
//                                         series on 2 threads.
//   bench_forecast sample OUT.csv         write one of those series for the R peer.
#include "forecast/Forecaster.h"
#include "forecast/Series.h"
#include "forecast/Stats.h"

#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include <sys/resource.h>

using namespace doppel;
using namespace doppel::forecast;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

// CPU seconds used by the whole process: on a machine shared with other jobs, wall time
// includes waiting for a core; CPU time divided by the threads is what two free cores take.
double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::vector<double> loadSeries(const std::vector<double>& y, unsigned seed)
{
    // A CPU-like metric: daily cycle with a second harmonic, slow drift, noise.
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> e(0, 2.5);
    std::vector<double> out;
    out.reserve(y.size());
    double drift = 0;
    for (size_t t = 0; t < y.size(); ++t) {
        drift += 0.02 * e(rng);
        out.push_back(y[t] + drift + e(rng));
    }
    return out;
}

std::vector<double> dailyShape(int n)
{
    std::vector<double> y(static_cast<size_t>(n));
    for (int t = 0; t < n; ++t)
        y[size_t(t)] =
            45 + 18 * std::sin(2 * M_PI * t / 288.0) + 6 * std::cos(4 * M_PI * t / 288.0 + 0.3);
    return y;
}

int accuracy(const QString& dir, const QString& outPath)
{
    QFile list(dir + QStringLiteral("/series.csv"));
    if (!list.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(list.fileName()));
        return 1;
    }
    QFile out(outPath);
    if (!out.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(outPath));
        return 1;
    }
    QTextStream os(&out);
    os << "series,method,mase,smape,seconds,model\n";
    const QStringList lines = QString::fromUtf8(list.readAll()).split(QLatin1Char('\n'));
    for (const QString& line : lines.mid(1)) {
        const QStringList f = line.trimmed().split(QLatin1Char(','));
        if (f.size() < 3)
            continue;
        const QString name = f[0];
        const int period = f[1].toInt();
        const int h = f[2].toInt();
        auto s = readSeriesCsv(dir + QLatin1Char('/') + name + QStringLiteral(".csv"));
        if (!s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.error().message));
            return 1;
        }
        const std::vector<double>& y = s->values;
        const std::vector<double> train(y.begin(), y.end() - h);
        const std::vector<double> test(y.end() - h, y.end());
        for (const char* method : {"auto", "ets", "arima"}) {
            ForecastOptions o;
            o.horizon = h;
            o.model = QLatin1String(method);
            o.detectSeasons = false;
            if (period > 1)
                o.seasons = {period};
            // The median of up to five fits, as bench_r.R times R's: one run of a
            // millisecond fit says more about the machine's other jobs than about the fit.
            std::vector<double> times;
            Result<ForecastReport> r = makeError(ErrorCode::Unknown, QStringLiteral("not run"));
            double spent = 0;
            while (times.size() < 5 && (times.empty() || spent < 2.0)) {
                const auto t0 = Clock::now();
                r = forecastSeries(train, 0, o);
                times.push_back(seconds(t0, Clock::now()));
                spent += times.back();
                if (!r)
                    break;
            }
            if (!r) {
                std::fprintf(stderr, "%s %s: %s\n", qPrintable(name), method,
                             qPrintable(r.error().message));
                continue;
            }
            std::sort(times.begin(), times.end());
            const double median = times[times.size() / 2];
            os << name << ",doppel-" << method << ","
               << QString::number(mase(train, test, r->mean, period), 'g', 6) << ","
               << QString::number(smape(test, r->mean), 'g', 6) << ","
               << QString::number(median, 'g', 6) << ",\"" << r->model << "\"\n";
            os.flush();
            std::fprintf(stderr, "%-16s doppel-%-6s %-34s %.4fs (median of %zu)\n",
                         qPrintable(name), method, qPrintable(r->model), median, times.size());
        }
    }
    return 0;
}

int speed(const QString& outPath, int count)
{
    QFile out(outPath);
    if (!out.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(outPath));
        return 1;
    }
    QTextStream os(&out);
    os << "case,model,runs,median_ms,total_s\n";
    const std::vector<double> shape = dailyShape(2016);
    for (const char* model : {"mstl", "auto"}) {
        ForecastOptions o;
        o.horizon = 288;
        o.model = QLatin1String(model);
        o.detectSeasons = false;
        o.seasons = {288};
        std::vector<double> times, cpu;
        const int runs = 31;
        QString chosen;
        for (int i = 0; i < runs; ++i) {
            const auto y = loadSeries(shape, 100 + unsigned(i));
            const double c0 = processCpuSeconds();
            const auto t0 = Clock::now();
            auto r = forecastSeries(y, 300000, o);
            const auto t1 = Clock::now();
            cpu.push_back((processCpuSeconds() - c0) * 1000);
            if (!r)
                return 1;
            chosen = r->model;
            times.push_back(seconds(t0, t1) * 1000);
        }
        std::sort(times.begin(), times.end());
        std::sort(cpu.begin(), cpu.end());
        os << "single-2016," << model << "," << runs << "," << times[times.size() / 2] << ",\n";
        os << "single-2016-cpu," << model << "," << runs << "," << cpu[cpu.size() / 2] << ",\n";
        std::fprintf(stderr, "2016-point series, --model %s (%s): median %.2f ms (CPU %.2f ms)\n",
                     model, qPrintable(chosen), times[times.size() / 2], cpu[cpu.size() / 2]);
    }
    // Also with the season detected, as `--season auto` does.
    {
        ForecastOptions o;
        o.horizon = 288;
        o.model = QStringLiteral("mstl");
        std::vector<double> times;
        for (int i = 0; i < 31; ++i) {
            const auto y = loadSeries(shape, 300 + unsigned(i));
            const auto t0 = Clock::now();
            auto r = forecastSeries(y, 300000, o);
            times.push_back(seconds(t0, Clock::now()) * 1000);
            if (!r)
                return 1;
        }
        std::sort(times.begin(), times.end());
        os << "single-2016-detect,mstl,31," << times[15] << ",\n";
        std::fprintf(stderr, "2016-point series, --model mstl --season auto: median %.2f ms\n",
                     times[15]);
    }
    for (const char* model : {"mstl"}) {
        std::atomic<int> next{0}, failures{0};
        ForecastOptions o;
        o.horizon = 288;
        o.model = QLatin1String(model);
        o.detectSeasons = false;
        o.seasons = {288};
        const double c0 = processCpuSeconds();
        const auto t0 = Clock::now();
        auto worker = [&] {
            for (int i = next++; i < count; i = next++) {
                const auto y = loadSeries(shape, 10'000 + unsigned(i));
                if (!forecastSeries(y, 300000, o))
                    ++failures;
            }
        };
        std::thread a(worker), b(worker);
        a.join();
        b.join();
        const double total = seconds(t0, Clock::now());
        const double cpuPerThread = (processCpuSeconds() - c0) / 2;
        os << "batch-" << count << "-2threads," << model << "," << count << ",," << total << "\n";
        os << "batch-" << count << "-cpu-per-thread," << model << "," << count << ",,"
           << cpuPerThread << "\n";
        std::fprintf(stderr,
                     "%d series on 2 threads, --model %s: %.1f s wall, %.1f s CPU per thread "
                     "(%d failures)\n",
                     count, model, total, cpuPerThread, int(failures));
    }
    return 0;
}

// One model on one series, N times (last horizon held out): the median, and a steady loop to
// profile a single fit under perf.
int repeat(const QString& file, int period, int h, const QString& model, int runs)
{
    auto s = readSeriesCsv(file);
    if (!s) {
        std::fprintf(stderr, "%s\n", qPrintable(s.error().message));
        return 1;
    }
    const std::vector<double> train(s->values.begin(), s->values.end() - h);
    ForecastOptions o;
    o.horizon = h;
    o.model = model;
    o.detectSeasons = false;
    if (period > 1)
        o.seasons = {period};
    std::vector<double> times;
    QString name;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        auto r = forecastSeries(train, 0, o);
        times.push_back(seconds(t0, Clock::now()));
        if (!r) {
            std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
            return 1;
        }
        name = r->model;
    }
    std::sort(times.begin(), times.end());
    std::printf("%s: median %.3f ms of %d\n", qPrintable(name), times[times.size() / 2] * 1e3,
                runs);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() >= 4 && args[1] == QLatin1String("accuracy"))
        return accuracy(args[2], args[3]);
    if (args.size() >= 3 && args[1] == QLatin1String("sample")) {
        // One of the speed series, for the R peer to time on the same data.
        QFile f(args[2]);
        if (!f.open(QIODevice::WriteOnly))
            return 1;
        QTextStream os(&f);
        os << "value\n";
        for (double v : loadSeries(dailyShape(2016), 100))
            os << QString::number(v, 'g', 10) << "\n";
        return 0;
    }
    if (args.size() >= 6 && args[1] == QLatin1String("repeat"))
        return repeat(args[2], args[3].toInt(), args[4].toInt(), args[5],
                      args.size() >= 7 ? args[6].toInt() : 101);
    if (args.size() >= 3 && args[1] == QLatin1String("speed"))
        return speed(args[2], args.size() >= 4 ? args[3].toInt() : 10000);
    std::fprintf(
        stderr,
        "usage: bench_forecast accuracy DIR OUT.csv | speed OUT.csv [N] | repeat FILE PERIOD "
        "HORIZON MODEL [RUNS]\n");
    return 2;
}
