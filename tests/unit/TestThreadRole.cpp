// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/ThreadRole.h"
#include "proxy/ProxyConfig.h"

#include <QtTest>

#include <pthread.h>
#include <sched.h>
#include <string>
#include <thread>

using namespace doppel;

namespace {

struct Observed
{
    std::string name;
    int policy = -1;
};

// Runs setThisThreadRole on a fresh thread and reads back what the kernel keeps.
Observed observe(ThreadRole role, const char* name)
{
    Observed seen;
    std::thread t([&] {
        setThisThreadRole(role, name);
        char buffer[32] = {};
        pthread_getname_np(pthread_self(), buffer, sizeof(buffer));
        seen.name = buffer;
        sched_param param{};
        pthread_getschedparam(pthread_self(), &seen.policy, &param);
    });
    t.join();
    return seen;
}

} // namespace

class TestThreadRole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backgroundThreadsYieldToTheClientPath()
    {
        const Observed seen = observe(ThreadRole::Background, "dp-capture");
        QCOMPARE(seen.name, std::string("dp-capture"));
        QCOMPARE(seen.policy, SCHED_BATCH);
    }
    void foregroundThreadsKeepNormalScheduling()
    {
        const Observed seen = observe(ThreadRole::Foreground, "dp-worker0");
        QCOMPARE(seen.name, std::string("dp-worker0"));
        QCOMPARE(seen.policy, SCHED_OTHER);
    }
    void longNamesAreCutToWhatTheKernelKeeps()
    {
        const Observed seen = observe(ThreadRole::Foreground, "dp-a-very-long-thread-name");
        QCOMPARE(seen.name, std::string("dp-a-very-long-"));
    }
    void proxyWorkersDefaultToOnePerFourCores()
    {
        const auto config = proxy::parseProxyArguments(
            {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral("--upstream"), QStringLiteral("host=127.0.0.1")});
        QVERIFY2(config, config ? "" : qPrintable(config.error().message));
        const int expected = std::max(1, int(std::thread::hardware_concurrency() / 4));
        QCOMPARE(config->workers, expected);
        const auto three = proxy::parseProxyArguments(
            {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral("--upstream"), QStringLiteral("host=127.0.0.1"),
             QStringLiteral("--workers"), QStringLiteral("3")});
        QVERIFY(three);
        QCOMPARE(three->workers, 3);
    }
};

QTEST_GUILESS_MAIN(TestThreadRole)
#include "TestThreadRole.moc"
