// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyServer.h"

#include "LsnWatcher.h"
#include "MirrorEngine.h"
#include "ProxyMetrics.h"
#include "ProxyWorker.h"
#include "workload/CaptureWriter.h"

#include <QDateTime>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <thread>
#include <unistd.h>

namespace doppel::proxy {

ProxyServer::ProxyServer(ProxyConfig config, QStringList arguments)
    : m_config(std::move(config)), m_arguments(std::move(arguments))
{}

ProxyServer::~ProxyServer()
{
    for (const auto& w : m_workers)
        w->stop();
    m_workers.clear();
    if (m_mirror)
        m_mirror->stop(); // before the capture closes: mirror threads still hand it records
    if (m_capture)
        m_capture->close();
    for (int fd : {m_listenFd, m_metricsFd, m_signalFd, m_epoll})
        if (fd >= 0)
            ::close(fd);
}

void ProxyServer::log(const QString& message) const
{
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() +
                            " doppel-proxy: " + message.toUtf8() + "\n";
    ::fwrite(line.constData(), 1, size_t(line.size()), stderr);
}

namespace {

// The TLS contexts of a configuration; a certificate that does not load is an error, so a
// RELOAD with a broken one keeps the old contexts.
Result<ProxyShared::Tls> makeTls(const ProxyConfig& config)
{
    ProxyShared::Tls tls;
    tls.requireClients = config.tlsRequire;
    if (!config.tlsCert.isEmpty()) {
        auto clients = TlsContext::forClients(config.tlsCert, config.tlsKey);
        if (!clients)
            return clients.error();
        tls.clients = *clients;
    }
    if (config.upstreamTls.wanted()) {
        auto upstream = TlsContext::forUpstream(config.upstreamTls);
        if (!upstream)
            return upstream.error();
        tls.upstream = *upstream;
    }
    return tls;
}

} // namespace

Result<std::unique_ptr<ProxyServer>> ProxyServer::create(const ProxyConfig& config,
                                                         const QStringList& arguments)
{
    std::unique_ptr<ProxyServer> s(new ProxyServer(config, arguments));
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    s->m_signalFd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

    auto upstream = resolveAddress(config.upstreamHost, config.upstreamPort);
    if (!upstream)
        return upstream.error();
    s->m_shared.setUpstream(*upstream);
    auto tls = makeTls(config);
    if (!tls)
        return tls.error();
    s->m_shared.setTls(*tls);
    s->m_shared.maxMessageSize.store(config.maxMessageSize);
    s->m_shared.setAdmin(config.effectiveAdminUsers(), config.upstreamDatabase.toUtf8());

    if (!config.captureDir.isEmpty()) {
        CaptureWriterOptions o;
        o.dir = config.captureDir;
        o.fsync = config.fsync;
        o.maxSegmentBytes = config.segmentBytes;
        o.maxSegmentSeconds = config.segmentSeconds;
        o.redact = config.redact;
        auto writer = CaptureWriter::open(o);
        if (!writer)
            return writer.error();
        s->m_capture = std::move(*writer);
        s->m_shared.capture = s->m_capture.get();
    }

    if (!config.shadow.isEmpty()) {
        s->m_mirror = std::make_unique<MirrorEngine>(config, s->m_shared);
        s->m_shared.mirror = s->m_mirror.get();
    }

    auto fd = listenTcp(config.listenHost, config.listenPort);
    if (!fd)
        return fd.error();
    s->m_listenFd = *fd;
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    getsockname(s->m_listenFd, reinterpret_cast<sockaddr*>(&bound), &len);
    s->m_port = bound.ss_family == AF_INET6
                    ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                    : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

    if (!config.metricsHost.isEmpty()) {
        auto mfd = listenTcp(config.metricsHost, config.metricsPort);
        if (!mfd)
            return mfd.error();
        s->m_metricsFd = *mfd;
        sockaddr_storage m{};
        socklen_t mlen = sizeof(m);
        getsockname(s->m_metricsFd, reinterpret_cast<sockaddr*>(&m), &mlen);
        s->m_metricsPort = ntohs(reinterpret_cast<sockaddr_in*>(&m)->sin_port);
    }

    s->m_epoll = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = s->m_listenFd;
    epoll_ctl(s->m_epoll, EPOLL_CTL_ADD, s->m_listenFd, &ev);
    ev.data.fd = s->m_signalFd;
    epoll_ctl(s->m_epoll, EPOLL_CTL_ADD, s->m_signalFd, &ev);
    if (s->m_metricsFd >= 0) {
        ev.data.fd = s->m_metricsFd;
        epoll_ctl(s->m_epoll, EPOLL_CTL_ADD, s->m_metricsFd, &ev);
    }

    ProxyServer* raw = s.get();
    s->m_shared.wakeWorkers = [raw] {
        for (const auto& w : raw->m_workers)
            w->wake();
    };
    for (int i = 0; i < config.workers; ++i) {
        auto w = std::make_unique<ProxyWorker>(s->m_shared, i);
        if (auto st = w->start(); !st)
            return st.error();
        s->m_workers.push_back(std::move(w));
    }
    return s;
}

int ProxyServer::run()
{
    log(QStringLiteral("listening on %1:%2, upstream %3, %4 workers, capture %5")
            .arg(m_config.listenHost)
            .arg(m_port)
            .arg(m_shared.upstream().display)
            .arg(m_config.workers)
            .arg(m_config.captureDir.isEmpty() ? QStringLiteral("off") : m_config.captureDir) +
        (m_mirror ? QStringLiteral(", mirroring %1 %2 to the shadow")
                        .arg(m_mirror->rate())
                        .arg(m_config.mirrorByStatement ? QStringLiteral("of statements")
                                                        : QStringLiteral("of sessions"))
                  : QString()) +
        (m_metricsFd >= 0
             ? QStringLiteral(", metrics on %1:%2").arg(m_config.metricsHost).arg(m_metricsPort)
             : QString()));
    epoll_event events[8];
    while (true) {
        const int n = epoll_wait(m_epoll, events, 8, -1);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; ++i) {
            if (events[i].data.fd == m_signalFd) {
                signalfd_siginfo info;
                while (::read(m_signalFd, &info, sizeof(info)) == sizeof(info)) {
                    if (info.ssi_signo == SIGHUP) {
                        reload();
                    } else {
                        log(QStringLiteral("signal %1: draining").arg(info.ssi_signo));
                        drainAndStop();
                        return 0;
                    }
                }
                continue;
            }
            if (events[i].data.fd == m_metricsFd) {
                const int fd = accept4(m_metricsFd, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0)
                    serveMetrics(fd, m_shared);
                continue;
            }
            while (true) {
                sockaddr_storage peer{};
                socklen_t len = sizeof(peer);
                const int fd = accept4(m_listenFd, reinterpret_cast<sockaddr*>(&peer), &len,
                                       SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0)
                    break; // EAGAIN, or EMFILE: the next connection attempt retries
                tuneSocket(fd);
                // Round robin, skipping a worker that holds clearly more sessions.
                std::size_t pick = m_next++ % m_workers.size();
                for (std::size_t k = 0; k < m_workers.size(); ++k)
                    if (m_workers[k]->sessionCount() + 1 < m_workers[pick]->sessionCount())
                        pick = k;
                m_workers[pick]->adopt(fd, peer);
            }
        }
    }
    drainAndStop();
    return 1;
}

void ProxyServer::reload()
{
    if (m_config.configFile.isEmpty()) {
        log(QStringLiteral("SIGHUP: no --config file to reload"));
        return;
    }
    auto next = reloadProxyConfig(m_config, m_arguments);
    if (!next) {
        log(QStringLiteral("SIGHUP: config not reloaded: ") + next.error().message);
        return;
    }
    auto upstream = resolveAddress(next->upstreamHost, next->upstreamPort);
    if (!upstream) {
        log(QStringLiteral("SIGHUP: config not reloaded: ") + upstream.error().message);
        return;
    }
    auto tls = makeTls(*next);
    if (!tls) {
        log(QStringLiteral("SIGHUP: config not reloaded: ") + tls.error().message);
        return;
    }
    QStringList restart;
    if (next->listenHost != m_config.listenHost || next->listenPort != m_config.listenPort)
        restart << QStringLiteral("listen");
    if (next->captureDir != m_config.captureDir || next->fsync != m_config.fsync ||
        next->segmentBytes != m_config.segmentBytes ||
        next->segmentSeconds != m_config.segmentSeconds || next->redact != m_config.redact)
        restart << QStringLiteral("capture settings");
    if (next->metricsHost != m_config.metricsHost || next->metricsPort != m_config.metricsPort)
        restart << QStringLiteral("metrics-listen");
    if (next->workers != m_config.workers)
        restart << QStringLiteral("workers");
    if (next->shadow != m_config.shadow || next->mirrorByStatement != m_config.mirrorByStatement ||
        next->mirrorWrites != m_config.mirrorWrites || next->mirrorQueue != m_config.mirrorQueue ||
        next->criticalFingerprints != m_config.criticalFingerprints)
        restart << QStringLiteral("shadow and mirror-by/writes/queue/critical-fingerprint");
    if (m_mirror && next->mirrorRate != m_config.mirrorRate) {
        m_mirror->setRate(next->mirrorRate);
        m_config.mirrorRate = next->mirrorRate;
    }
    m_shared.setUpstream(*upstream);
    m_shared.setTls(*tls);
    m_shared.maxMessageSize.store(next->maxMessageSize);
    m_shared.setAdmin(next->effectiveAdminUsers(), next->upstreamDatabase.toUtf8());
    m_config.upstream = next->upstream;
    m_config.upstreamHost = next->upstreamHost;
    m_config.upstreamPort = next->upstreamPort;
    m_config.upstreamTls = next->upstreamTls;
    m_config.tlsCert = next->tlsCert;
    m_config.tlsKey = next->tlsKey;
    m_config.tlsRequire = next->tlsRequire;
    m_config.maxMessageSize = next->maxMessageSize;
    m_config.drainSeconds = next->drainSeconds;
    log(QStringLiteral("SIGHUP: reloaded; new sessions go to %1").arg(upstream->display) +
        (restart.isEmpty() ? QString()
                           : QStringLiteral(" (%1 change only with a restart)")
                                 .arg(restart.join(QStringLiteral(", ")))));
}

void ProxyServer::drainAndStop()
{
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, m_listenFd, nullptr);
    ::close(m_listenFd);
    m_listenFd = -1;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(m_config.drainSeconds);
    while (m_shared.counters.sessionsActive.load() > 0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto left = m_shared.counters.sessionsActive.load();
    if (left > 0)
        log(QStringLiteral("drain timeout: closing %1 sessions").arg(left));
    // Stop every loop before any worker is freed: a session may still wake the others.
    for (const auto& w : m_workers)
        w->stop();
    m_workers.clear();
    if (m_mirror) {
        // The sessions are gone; their mirror queues get a little of the drain time.
        m_mirror->stop(std::min(m_config.drainSeconds, 10) * 1000);
        const auto& mc = m_mirror->counters;
        log(QStringLiteral("mirror: %1 statements run on the shadow, %2 transactions dropped, "
                           "%3 shadow errors")
                .arg(mc.statements.load())
                .arg(mc.droppedTransactions.load())
                .arg(mc.shadowErrors.load()));
        if (m_mirror->checkRate() > 0)
            log(QStringLiteral("result checks: %1 compared, %2 diverged, %3 unsynchronized%4")
                    .arg(mc.resultsCompared.load())
                    .arg(mc.resultsDiverged.load())
                    .arg(mc.unsynchronized.load())
                    .arg(m_mirror->lsnWatcher() && !m_mirror->lsnWatcher()->lastError().empty()
                             ? QStringLiteral("; WAL watcher: ") +
                                   QString::fromStdString(m_mirror->lsnWatcher()->lastError())
                             : QString()));
    }
    if (m_capture) {
        m_capture->close();
        log(QStringLiteral("capture: %1 records written, %2 dropped")
                .arg(m_capture->written())
                .arg(m_capture->dropped()));
    }
    const auto& c = m_shared.counters;
    log(QStringLiteral("stopped: %1 sessions served, %2 statements captured, %3 protocol errors, "
                       "%4 cancels forwarded")
            .arg(c.sessionsTotal.load())
            .arg(c.statementsCaptured.load())
            .arg(c.protocolErrors.load())
            .arg(c.cancelsForwarded.load()));
}

} // namespace doppel::proxy
