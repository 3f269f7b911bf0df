// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ProxyShared.h"
#include "StatementTracker.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace doppel::proxy {

// Bytes travelling one way (client to server or back). Bytes are forwarded as soon as their
// message header has been checked; only messages the proxy must read (capture, BackendKeyData)
// wait until complete. [begin, parsed) is checked and not yet sent, [parsed, end) not checked.
struct Pipe
{
    std::vector<char> data;
    std::size_t begin = 0;
    std::size_t parsed = 0;
    std::size_t end = 0;
    std::uint64_t skip = 0; // bytes of the current message still to pass unread
    std::size_t need = 0;   // size of a message that must be whole before it is read
    bool hasRoom(std::size_t maxFrame);
    bool unsent() const { return begin < parsed; }
    bool atBoundary() const { return skip == 0; }
};

// One client connection and its upstream connection, driven by the epoll loop of the worker
// it is pinned to. Worker thread only.
class MirrorSession;

class ProxySession
{
public:
    // The epoll tag of one of the two sockets.
    struct Endpoint
    {
        ProxySession* session;
        bool client;
    };

    // `captureBatch` is the worker's: records gather there and go to the writer once per loop.
    // `ticking` is the worker's set of sessions that want tick() on every loop (a pending PAUSE).
    ProxySession(ProxyShared& shared, int epollFd, int clientFd, const sockaddr_storage& peer,
                 std::vector<CaptureRecord>* captureBatch, std::set<ProxySession*>* ticking);
    ~ProxySession();
    ProxySession(const ProxySession&) = delete;
    ProxySession& operator=(const ProxySession&) = delete;

    void onEvent(bool client, std::uint32_t events);
    bool closed() const { return m_state == State::Closed; }
    // Ends the session with a FATAL error to the client (shutdown after the drain timeout).
    void terminate(const QByteArray& sqlState, const QByteArray& message);
    // After RESUME: forwards what a held session kept back.
    void resume();
    // Called on every loop while registered in `ticking`.
    void tick();

private:
    // UpstreamTls: connected, SSLRequest sent, answer or handshake pending.
    enum class State { Startup, Connecting, UpstreamTls, Active, Admin, Closed };

    void readFrom(bool client);
    ssize_t ioRead(bool client, char* data, std::size_t size);
    ssize_t ioWrite(bool client, const char* data, std::size_t size);
    Status startClientTls();
    void continueClientTls();
    void continueUpstreamTls();
    void drainTls();
    void checkChannelBinding(const char* body, std::size_t size);
    void stripChannelBinding(Pipe& pipe, std::size_t& total);
    void pump();
    Status scanStartup();
    Status scanRegular(Pipe& pipe, bool fromClient);
    Status onClientMessage(char type, char* body, std::size_t size);
    void onServerMessage(char type, char* body, std::size_t size);
    void flush(Pipe& pipe, bool toClient);
    void finishConnect();
    void startUpstream();
    void updateInterest();
    void fail(const QByteArray& sqlState, const QString& message);
    void clientGone();
    void serverGone();
    void close();
    void sendRaw(bool toClient, const char* data, std::size_t size);
    void forwardCancel(std::int32_t pid, std::int32_t secret);
    Status beginAdmin(const QByteArray& user, std::uint32_t packetLength);
    void enterAdmin();
    void scanAdmin();
    void reply(const QByteArray& bytes);
    void startPause();
    void setBusy(bool busy);

    ProxyShared& m_shared;
    int m_epoll;
    int m_clientFd;
    int m_serverFd = -1;
    Endpoint m_clientTag{this, true};
    Endpoint m_serverTag{this, false};
    std::uint32_t m_clientEvents = 0;
    std::uint32_t m_serverEvents = 0;
    State m_state = State::Startup;
    Pipe m_up;   // client -> server
    Pipe m_down; // server -> client
    std::uint32_t m_maxMessage;
    QString m_peer;
    std::uint64_t m_sessionId;
    SocketAddress m_upstream;
    std::pair<std::int32_t, std::int32_t> m_proxyKey{0, 0};
    bool m_keyRegistered = false;
    bool m_copyIn = false;
    bool m_clientTerminated = false;
    bool m_admin = false;      // logging in to the admin console through the upstream
    bool m_adminReady = false; // the upstream said ReadyForQuery: the console takes over
    bool m_registered = false;
    char m_lastServerType = 0;
    ProxyShared::Tls m_tls;                 // the contexts in force when the session began
    std::unique_ptr<TlsStream> m_clientTls; // null while the client speaks plain text
    std::unique_ptr<TlsStream> m_serverTls;
    bool m_clientHandshake = false;  // TLS handshake with the client under way
    bool m_upstreamAnswered = false; // the upstream answered SSLRequest with 'S'
    bool m_saslOffered = false;      // SCRAM offered with TLS on both sides: the choice is checked
    std::unique_ptr<StatementTracker> m_tracker;
    std::shared_ptr<MirrorSession> m_mirror; // null when this session is not mirrored
    std::vector<CaptureRecord>* m_captureBatch;
    std::set<ProxySession*>* m_ticking;
    bool m_busy = false;
    int m_pendingSyncs = 0; // Sync/Query/FunctionCall sent, ReadyForQuery not yet seen
    bool m_pausePending = false;
    std::int64_t m_pauseDeadlineMs = 0;
};

} // namespace doppel::proxy
