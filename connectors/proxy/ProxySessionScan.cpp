// SPDX-License-Identifier: GPL-3.0-or-later
// The message-level half of ProxySession: startup packets, header checks, and the few
// messages the proxy reads or rewrites.
#include "ProxySession.h"

#include "MirrorEngine.h"
#include "MirrorSession.h"

#include "pgwire/PgWireBackend.h"

#include "AdminConsole.h"

#include <QDateTime>

#include <cstring>
#include <sys/epoll.h>
#include <thread>
#include <unistd.h>

namespace doppel::proxy {

Status ProxySession::scanStartup()
{
    while (m_state == State::Startup && m_up.end - m_up.parsed >= 4) {
        const char* p = m_up.data.data() + m_up.parsed;
        const std::uint32_t len = pgwire::readBe32(p);
        if (auto st = pgwire::checkStartupLength(len); !st)
            return st;
        if (m_up.end - m_up.parsed < len) {
            m_up.need = m_up.parsed - m_up.begin + len;
            return Ok{};
        }
        m_up.need = 0;
        const pgwire::Frame frame{0, QByteArray(p + 4, qsizetype(len) - 4)};
        auto kind = pgwire::startupKind(frame);
        if (!kind)
            return kind.error();
        switch (*kind) {
        case pgwire::StartupKind::Ssl:
            m_up.parsed += len;
            m_up.begin = m_up.parsed;
            if (m_tls.clients)
                return startClientTls();
            sendRaw(true, "N", 1); // plain text only: the client goes on or gives up
            break;
        case pgwire::StartupKind::GssEnc:
            // No GSS encryption here: 'N' tells the client to go on (or to try TLS next).
            m_up.parsed += len;
            m_up.begin = m_up.parsed;
            sendRaw(true, "N", 1);
            break;
        case pgwire::StartupKind::Cancel: {
            auto cancel = pgwire::CancelRequest::decode(frame);
            if (!cancel)
                return cancel.error();
            forwardCancel(cancel->processId, cancel->secretKey);
            close(); // a cancel connection gets no answer, as from the server
            return Ok{};
        }
        case pgwire::StartupKind::Startup: {
            auto startup = pgwire::StartupMessage::decode(frame);
            if (!startup)
                return startup.error();
            if (m_tls.requireClients && !m_clientTls) {
                fail("28000", QStringLiteral("doppel-proxy accepts only TLS connections: "
                                             "connect with sslmode=require or stricter"));
                return Ok{};
            }
            SessionRegistry::Info info;
            info.id = m_sessionId;
            info.user = startup->parameter("user");
            info.database = startup->parameter("database");
            if (info.database.isEmpty())
                info.database = info.user;
            info.applicationName = startup->parameter("application_name");
            info.client = m_peer;
            info.connectedUs = QDateTime::currentMSecsSinceEpoch() * 1000;
            info.admin = info.database == "doppel";
            m_shared.sessions.add(info);
            m_registered = true;
            if (info.admin) {
                if (auto st = beginAdmin(info.user, len); !st) {
                    fail("28000", st.error().message);
                    return Ok{};
                }
                startUpstream();
                return Ok{};
            }
            if (m_shared.mirror)
                m_mirror = m_shared.mirror->openSession(
                    m_sessionId, startup->parameter("user").toStdString(),
                    (startup->parameter("database").isEmpty() ? startup->parameter("user")
                                                              : startup->parameter("database"))
                        .toStdString());
            if (m_shared.capture || m_mirror) {
                CaptureRecord identity;
                identity.sessionId = m_sessionId;
                identity.user = startup->parameter("user").toStdString();
                const QByteArray db = startup->parameter("database");
                identity.database = db.isEmpty() ? identity.user : db.toStdString();
                identity.applicationName = startup->parameter("application_name").toStdString();
                identity.clientAddress = m_peer.toStdString();
                std::vector<CaptureRecord>* batch = m_captureBatch;
                // The session outlives its tracker, so the raw mirror pointer stays valid.
                MirrorSession* mirror = m_mirror.get();
                m_tracker = std::make_unique<StatementTracker>(
                    std::move(identity),
                    [batch, mirror](CaptureRecord&& r) {
                        if (mirror)
                            mirror->offer(std::move(r), *batch);
                        else
                            batch->push_back(std::move(r));
                    },
                    mirror ? m_shared.mirror->checkRate() : 0.0);
            }
            m_up.parsed += len; // forwarded as is once the upstream connection is up
            startUpstream();
            return Ok{};
        }
        }
    }
    return Ok{};
}

Status ProxySession::scanRegular(Pipe& pipe, bool fromClient)
{
    while (pipe.parsed < pipe.end) {
        if (pipe.skip > 0) {
            const std::uint64_t n = std::min<std::uint64_t>(pipe.skip, pipe.end - pipe.parsed);
            pipe.parsed += std::size_t(n);
            pipe.skip -= n;
            continue;
        }
        if (pipe.end - pipe.parsed < 5)
            break;
        char* h = pipe.data.data() + pipe.parsed;
        const char type = h[0];
        const std::uint32_t len = pgwire::readBe32(h + 1);
        if (auto st = pgwire::checkHeader(type, len, m_maxMessage); !st)
            return st;
        if (fromClient && !pgwire::isFrontendType(type))
            return pgwire::protocolError(
                QStringLiteral("invalid frontend message type %1").arg(int((unsigned char)type)));
        std::size_t total = std::size_t(len) + 1;
        bool needBody;
        if (fromClient)
            needBody = (m_tracker && StatementTracker::clientNeedsBody(type)) ||
                       (type == 'p' && m_saslOffered);
        else
            needBody = type == 'K' || type == 'Z' ||
                       (type == 'R' && m_serverTls && !m_saslOffered) ||
                       (m_tracker && (m_tracker->serverNeedsBody(type) || type == 'S'));
        if (needBody) {
            if (pipe.end - pipe.parsed < total) {
                pipe.need = pipe.parsed - pipe.begin + total;
                break;
            }
            pipe.need = 0;
            if (fromClient) {
                if (auto st = onClientMessage(type, h + 5, len - 4); !st)
                    return st;
            } else {
                onServerMessage(type, h + 5, len - 4);
                if (type == 'R' && m_serverTls && !m_clientTls)
                    stripChannelBinding(pipe, total);
            }
            pipe.parsed += total;
        } else {
            pipe.need = 0;
            if (fromClient) {
                if (auto st = onClientMessage(type, nullptr, 0); !st)
                    return st;
            } else {
                onServerMessage(type, nullptr, 0);
            }
            const std::size_t take = std::min(total, pipe.end - pipe.parsed);
            pipe.parsed += take;
            pipe.skip = total - take;
        }
        if (m_state == State::Closed)
            return Ok{};
    }
    return Ok{};
}

Status ProxySession::onClientMessage(char type, char* body, std::size_t size)
{
    if (type == 'p' && m_saslOffered && body) {
        m_saslOffered = false; // only SASLInitialResponse names the mechanism
        checkChannelBinding(body, size);
        if (m_state == State::Closed)
            return Ok{};
    }
    if (type == 'X') {
        m_clientTerminated = true;
    } else {
        setBusy(true);
        if (type == 'S' || type == 'Q' || type == 'F')
            ++m_pendingSyncs;
        else if (type == 'c' || type == 'f')
            m_copyIn = false;
    }
    if (m_tracker)
        m_tracker->onClientMessage(type, body, size);
    return Ok{};
}

void ProxySession::onServerMessage(char type, char* body, std::size_t size)
{
    m_lastServerType = type;
    switch (type) {
    case 'G':
        m_copyIn = true;
        break;
    case 'R':
        if (body && size >= 4 && pgwire::readBe32(body) == 10 && m_serverTls && m_clientTls)
            m_saslOffered = true; // AuthenticationSASL: the client's answer gets checked
        break;
    case 'C':
    case 'E':
        m_copyIn = false;
        break;
    case 'K':
        if (body && size == 8 && !m_keyRegistered) {
            // The client gets the proxy's key; the upstream's stays here for CancelRequest.
            CancelRegistry::Target target;
            target.upstream = m_upstream;
            target.processId = std::int32_t(pgwire::readBe32(body));
            target.secretKey = std::int32_t(pgwire::readBe32(body + 4));
            m_proxyKey = m_shared.cancels.add(target);
            m_keyRegistered = true;
            pgwire::writeBe32(body, std::uint32_t(m_proxyKey.first));
            pgwire::writeBe32(body + 4, std::uint32_t(m_proxyKey.second));
        }
        break;
    case 'Z':
        if (m_admin)
            m_adminReady = true; // logged in: the console answers from now on
        if (m_pendingSyncs > 0)
            --m_pendingSyncs;
        if (m_pendingSyncs == 0 && body && size == 1 && body[0] == 'I')
            setBusy(false);
        break;
    case 'S':
        if (m_tracker && body) {
            const std::string_view v(body, size);
            constexpr std::string_view name("application_name\0", 17);
            if (v.substr(0, name.size()) == name) {
                std::string value(v.substr(name.size()));
                if (!value.empty() && value.back() == '\0')
                    value.pop_back();
                m_tracker->setApplicationName(std::move(value));
            }
        }
        break;
    default:
        break;
    }
    if (type == 'Z')
        m_copyIn = false;
    if (m_tracker)
        m_tracker->onServerMessage(type, body, size);
}

Status ProxySession::beginAdmin(const QByteArray& user, std::uint32_t packetLength)
{
    if (!m_shared.isAdmin(user))
        return makeError(ErrorCode::Auth,
                         QStringLiteral("user \"%1\" is not an admin of doppel-proxy")
                             .arg(QString::fromUtf8(user)));
    // The login is checked by the upstream as for any client, against a real database.
    const pgwire::Frame frame{
        0, QByteArray(m_up.data.data() + m_up.parsed + 4, qsizetype(packetLength) - 4)};
    auto startup = pgwire::StartupMessage::decode(frame);
    if (!startup)
        return startup.error();
    for (auto& [k, v] : startup->parameters)
        if (k == "database")
            v = m_shared.adminDatabase();
    const QByteArray packet = startup->encode();
    auto& d = m_up.data;
    const auto at = d.begin() + std::ptrdiff_t(m_up.parsed);
    d.erase(at, at + std::ptrdiff_t(packetLength));
    d.insert(d.begin() + std::ptrdiff_t(m_up.parsed), packet.begin(), packet.end());
    m_up.end = m_up.end - packetLength + std::size_t(packet.size());
    m_up.parsed += std::size_t(packet.size());
    m_admin = true;
    return Ok{};
}

namespace {
constexpr std::int64_t kPauseTimeoutMs = 30000;
}

void ProxySession::startPause()
{
    m_shared.paused.store(true);
    m_pausePending = true;
    m_pauseDeadlineMs = QDateTime::currentMSecsSinceEpoch() + kPauseTimeoutMs;
    m_ticking->insert(this);
    tick();
}

void ProxySession::tick()
{
    if (!m_pausePending || m_state != State::Admin) {
        m_ticking->erase(this);
        return;
    }
    const std::int64_t busy = m_shared.busySessions.load();
    const bool late = QDateTime::currentMSecsSinceEpoch() >= m_pauseDeadlineMs;
    if (busy > 0 && !late)
        return;
    QByteArray out;
    if (busy > 0) {
        pgwire::NoticeResponse n;
        n.fields = {{'S', "WARNING"},
                    {'C', "01000"},
                    {'M', "PAUSE timed out with " + QByteArray::number(busy) +
                              " sessions still in a transaction; new queries stay held"}};
        out += n.encode();
    }
    out += pgwire::CommandComplete{"PAUSE"}.encode() + pgwire::ReadyForQuery{'I'}.encode();
    reply(out);
    m_pausePending = false;
    m_ticking->erase(this);
    scanAdmin(); // queries the client sent while it waited
    if (m_state != State::Closed) {
        flush(m_down, true);
        if (m_state != State::Closed)
            updateInterest();
    }
}

void ProxySession::enterAdmin()
{
    m_adminReady = false;
    if (m_serverFd >= 0) {
        const QByteArray bye = pgwire::Terminate{}.encode();
        sendRaw(false, bye.constData(), std::size_t(bye.size()));
        m_serverTls.reset();
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, m_serverFd, nullptr);
        ::close(m_serverFd);
        m_serverFd = -1;
    }
    m_up.begin = m_up.parsed; // nothing more goes upstream
    m_state = State::Admin;
    scanAdmin();
}

void ProxySession::reply(const QByteArray& bytes)
{
    if (m_down.data.size() < m_down.end + std::size_t(bytes.size()))
        m_down.data.resize(m_down.end + std::size_t(bytes.size()));
    std::memcpy(m_down.data.data() + m_down.end, bytes.constData(), std::size_t(bytes.size()));
    m_down.end += std::size_t(bytes.size());
    m_down.parsed = m_down.end;
}

void ProxySession::scanAdmin()
{
    while (m_state == State::Admin && !m_pausePending && m_up.end - m_up.parsed >= 5) {
        const char* h = m_up.data.data() + m_up.parsed;
        const char type = h[0];
        const std::uint32_t len = pgwire::readBe32(h + 1);
        if (len < 4 || len > (1u << 20) || !pgwire::isFrontendType(type)) {
            fail("08P01", QStringLiteral("malformed message on the admin console"));
            return;
        }
        const std::size_t total = std::size_t(len) + 1;
        if (m_up.end - m_up.parsed < total) {
            m_up.need = m_up.parsed - m_up.begin + total;
            return;
        }
        m_up.need = 0;
        const QByteArray body(h + 5, qsizetype(len) - 4);
        m_up.parsed += total;
        m_up.begin = m_up.parsed;
        switch (type) {
        case 'Q': {
            const QByteArray sql = body.left(body.indexOf('\0'));
            QByteArray command = sql.simplified().toUpper();
            while (command.endsWith(';'))
                command.chop(1);
            if (command.trimmed() == "PAUSE") {
                startPause();
                return; // the reply comes from tick() once the proxy is quiet
            }
            if (command.trimmed() == "RESUME") {
                m_shared.paused.store(false);
                m_shared.resumeGeneration.fetch_add(1);
                if (m_shared.wakeWorkers)
                    m_shared.wakeWorkers();
                reply(pgwire::CommandComplete{"RESUME"}.encode() +
                      pgwire::ReadyForQuery{'I'}.encode());
                break;
            }
            reply(adminResponse(sql, m_shared));
            break;
        }
        case 'X':
            close();
            return;
        case 'S':
            reply(pgwire::ReadyForQuery{'I'}.encode());
            break;
        case 'P': {
            pgwire::ErrorResponse e;
            e.fields = {{'S', "ERROR"},
                        {'C', "0A000"},
                        {'M', "the admin console speaks only the simple query protocol"}};
            reply(e.encode());
            break;
        }
        default:
            break; // the rest of an extended-protocol batch, answered at its Sync
        }
    }
}

void ProxySession::forwardCancel(std::int32_t pid, std::int32_t secret)
{
    const auto target = m_shared.cancels.find(pid, secret);
    if (!target)
        return; // unknown key: ignored, as the server does
    m_shared.counters.cancelsForwarded.fetch_add(1, std::memory_order_relaxed);
    // A short-lived side connection, off the worker loop so it never waits on a connect.
    std::thread([t = *target] {
        auto fd = connectBlocking(t.upstream, 5000);
        if (!fd)
            return;
        const QByteArray req = pgwire::CancelRequest{t.processId, t.secretKey}.encode();
        if (::write(*fd, req.constData(), std::size_t(req.size())) == req.size()) {
            char b;
            [[maybe_unused]] const auto n = ::read(*fd, &b, 1); // the server closes when done
        }
        ::close(*fd);
    }).detach();
}

} // namespace doppel::proxy
