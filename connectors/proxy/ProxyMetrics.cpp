// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyMetrics.h"

#include "MirrorEngine.h"
#include "workload/CaptureWriter.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace doppel::proxy {

namespace {

// One sample of the exposition: `# HELP`, `# TYPE` and the value.
struct Sample
{
    const char* name;
    const char* type;
    const char* help;
    double value;
};

void append(QByteArray& out, std::initializer_list<Sample> samples)
{
    for (const Sample& s : samples)
        out += QByteArray("# HELP ") + s.name + ' ' + s.help + "\n# TYPE " + s.name + ' ' + s.type +
               '\n' + s.name + ' ' + QByteArray::number(s.value, 'g', 17) + '\n';
}

} // namespace

QByteArray prometheusText(const ProxyShared& shared)
{
    const ProxyCounters& c = shared.counters;
    QByteArray out;
    append(out,
           {
               {"doppel_proxy_sessions_total", "counter", "Client sessions accepted.",
                double(c.sessionsTotal.load())},
               {"doppel_proxy_sessions_active", "gauge", "Client sessions open now.",
                double(c.sessionsActive.load())},
               {"doppel_proxy_bytes_to_server_total", "counter",
                "Bytes forwarded from clients to the upstream.", double(c.bytesToServer.load())},
               {"doppel_proxy_bytes_to_client_total", "counter",
                "Bytes forwarded from the upstream to clients.", double(c.bytesToClient.load())},
               {"doppel_proxy_statements_captured_total", "counter",
                "Statements handed to the capture writer.", double(c.statementsCaptured.load())},
               {"doppel_proxy_protocol_errors_total", "counter",
                "Sessions ended for a protocol violation.", double(c.protocolErrors.load())},
               {"doppel_proxy_upstream_failures_total", "counter",
                "Sessions whose upstream connection failed.", double(c.upstreamFailures.load())},
               {"doppel_proxy_cancels_forwarded_total", "counter",
                "CancelRequests forwarded to the upstream.", double(c.cancelsForwarded.load())},
               {"doppel_proxy_tls_sessions_total", "counter",
                "Client sessions that started TLS with the proxy.", double(c.tlsClients.load())},
               {"doppel_proxy_tls_handshake_failures_total", "counter",
                "Client TLS handshakes that failed.", double(c.tlsFailures.load())},
           });
    if (shared.mirror) {
        const MirrorCounters& m = shared.mirror->counters;
        append(
            out,
            {
                {"doppel_proxy_mirror_rate", "gauge", "Share of sessions or statements mirrored.",
                 shared.mirror->rate()},
                {"doppel_proxy_mirror_sessions_total", "counter",
                 "Client sessions chosen for mirroring.", double(m.sessions.load())},
                {"doppel_proxy_mirror_statements_total", "counter", "Statements run on the shadow.",
                 double(m.statements.load())},
                {"doppel_proxy_mirror_dropped_transactions_total", "counter",
                 "Transactions not mirrored because a session's mirror queue was full.",
                 double(m.droppedTransactions.load())},
                {"doppel_proxy_mirror_dropped_statements_total", "counter",
                 "Statements in the transactions dropped from mirroring.",
                 double(m.droppedStatements.load())},
                {"doppel_proxy_mirror_critical_kept_total", "counter",
                 "Transactions with a --critical-fingerprint statement that got into a full mirror "
                 "queue by evicting others.",
                 double(m.criticalKept.load())},
                {"doppel_proxy_mirror_evicted_transactions_total", "counter",
                 "Queued transactions evicted for critical ones (also counted as dropped).",
                 double(m.evictedTransactions.load())},
                {"doppel_proxy_mirror_shadow_errors_total", "counter",
                 "Mirrored statements that failed on the shadow or could not reach it.",
                 double(m.shadowErrors.load())},
                {"doppel_proxy_mirror_connect_failures_total", "counter",
                 "Failed connection attempts to the shadow.", double(m.connectFailures.load())},
                {"doppel_proxy_mirror_results_compared_total", "counter",
                 "Mirrored reads whose result rows were compared (shadow synchronised).",
                 double(m.resultsCompared.load())},
                {"doppel_proxy_mirror_results_diverged_total", "counter",
                 "Compared reads whose rows differed on the shadow.",
                 double(m.resultsDiverged.load())},
                {"doppel_proxy_mirror_unsynchronized_total", "counter",
                 "Reads checked for results while the shadow lagged production's WAL.",
                 double(m.unsynchronized.load())},
                {"doppel_proxy_mirror_queue_depth", "gauge",
                 "Statements waiting in the mirror queues.", double(shared.mirror->queueDepth())},
            });
    }
    if (shared.capture) {
        append(out,
               {
                   {"doppel_proxy_capture_written_total", "counter",
                    "Capture records written to segment files.", double(shared.capture->written())},
                   {"doppel_proxy_capture_dropped_total", "counter",
                    "Capture records dropped because the disk could not keep up.",
                    double(shared.capture->dropped())},
                   {"doppel_proxy_capture_segments_total", "counter",
                    "Capture segment files opened.", double(shared.capture->segments())},
               });
    }
    return out;
}

void serveMetrics(int fd, const ProxyShared& shared)
{
    // The request itself does not matter (every path answers); wait a moment for it so the
    // client does not see a reset, but never hold up accepting for long.
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) == 1) {
        char buf[4096];
        [[maybe_unused]] const auto n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    }
    const QByteArray body = prometheusText(shared);
    const QByteArray response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                                "Content-Length: " +
                                QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                body;
    qsizetype off = 0;
    while (off < response.size()) {
        pollfd w{fd, POLLOUT, 0};
        if (::poll(&w, 1, 500) != 1)
            break;
        const ssize_t n = ::send(fd, response.constData() + off, size_t(response.size() - off),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0)
            break;
        off += n;
    }
    ::close(fd);
}

} // namespace doppel::proxy
