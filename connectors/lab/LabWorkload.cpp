// SPDX-License-Identifier: GPL-3.0-or-later
#include "Lab.h"

#include "LabPostgres.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QThread>

#include <atomic>
#include <cmath>
#include <csignal>
#include <unistd.h>

namespace doppel {

namespace {

std::atomic_bool g_stop{false};

void onTerminate(int)
{
    g_stop.store(true);
}

// Transactions per second at `seconds` into the cycle: a compressed day, quiet at "night",
// busy at "noon", with 10 % noise so forecasts have seasonality to find and noise to respect.
double targetRate(double seconds, int dayLength, QRandomGenerator& random)
{
    constexpr double base = 60.0;
    constexpr double swing = 0.8;
    const double phase = 2.0 * M_PI * std::fmod(seconds, dayLength) / dayLength;
    const double noise = 1.0 + 0.1 * (random.generateDouble() * 2.0 - 1.0);
    return std::max(5.0, base * (1.0 + swing * std::sin(phase)) * noise);
}

} // namespace

int Lab::runWorkload(const QString& dir, int dayLengthSeconds)
{
    // Own process group, so `lab down` stops this loop and its pgbench together.
    ::setsid();
    std::signal(SIGTERM, onTerminate);
    std::signal(SIGINT, onTerminate);
    QFile stateFile(dir + QStringLiteral("/lab.json"));
    if (!stateFile.open(QIODevice::ReadOnly)) {
        qCritical("lab workload: no lab in %s", qPrintable(dir));
        return 2;
    }
    auto state = LabState::fromJson(QJsonDocument::fromJson(stateFile.readAll()).object());
    if (!state) {
        qCritical("lab workload: %s", qPrintable(state.error().message));
        return 2;
    }
    auto bin = lab::postgresBinDir();
    if (!bin) {
        qCritical("lab workload: %s", qPrintable(bin.error().message));
        return 2;
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGPASSFILE"), dir + QStringLiteral("/pgpass"));
    QRandomGenerator random(42);
    QElapsedTimer clock;
    clock.start();
    constexpr int chunkSeconds = 10;
    while (!g_stop.load()) {
        const double rate = targetRate(clock.elapsed() / 1000.0, dayLengthSeconds, random);
        QProcess pgbench;
        pgbench.setProcessEnvironment(env);
        pgbench.setStandardOutputFile(dir + QStringLiteral("/workload.log"), QIODevice::Append);
        pgbench.setStandardErrorFile(dir + QStringLiteral("/workload.log"), QIODevice::Append);
        // Mostly reads with some writes, like an OLTP application; 4 clients.
        pgbench.start(*bin + QStringLiteral("/pgbench"), {QStringLiteral("-n"),
                                                          QStringLiteral("-h"),
                                                          QStringLiteral("127.0.0.1"),
                                                          QStringLiteral("-p"),
                                                          QString::number(state->production.port),
                                                          QStringLiteral("-U"),
                                                          QStringLiteral("doppel"),
                                                          QStringLiteral("-c"),
                                                          QStringLiteral("4"),
                                                          QStringLiteral("-j"),
                                                          QStringLiteral("1"),
                                                          QStringLiteral("-R"),
                                                          QString::number(rate, 'f', 1),
                                                          QStringLiteral("-T"),
                                                          QString::number(chunkSeconds),
                                                          QStringLiteral("-b"),
                                                          QStringLiteral("select-only@9"),
                                                          QStringLiteral("-b"),
                                                          QStringLiteral("simple-update@1"),
                                                          QStringLiteral("pgbench")});
        if (!pgbench.waitForStarted(5000)) {
            QThread::sleep(1);
            continue;
        }
        while (!pgbench.waitForFinished(200)) {
            if (g_stop.load()) {
                pgbench.terminate();
                pgbench.waitForFinished(5000);
                break;
            }
        }
        if (pgbench.exitCode() != 0 && !g_stop.load())
            QThread::sleep(1); // production down: retry without spinning
    }
    return 0;
}

} // namespace doppel
