// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSocket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace doppel::ssh {

namespace {

QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

struct AddrInfoDeleter
{
    void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

bool setNonBlocking(int fd)
{
    const int flags = fcntl(fd, F_GETFL, 0);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// One address: 0 on success, else an errno value (ETIMEDOUT for the deadline, ECANCELED).
int connectOne(const addrinfo& ai, Clock::time_point deadline, const CancelToken& cancel,
               UniqueFd* out)
{
    UniqueFd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol));
    if (!fd.isValid())
        return errno;
    if (!setNonBlocking(fd.get()))
        return errno;
    if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0 && errno != EINPROGRESS)
        return errno;
    for (;;) {
        if (cancel.isCancelled())
            return ECANCELED;
        const int left = remainingMs(deadline);
        if (left <= 0)
            return ETIMEDOUT;
        pollfd p{fd.get(), POLLOUT, 0};
        // Short slices so a cancel is seen quickly.
        const int rc = ::poll(&p, 1, std::min(left, 100));
        if (rc < 0 && errno != EINTR)
            return errno;
        if (rc > 0)
            break;
    }
    int soError = 0;
    socklen_t len = sizeof soError;
    if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soError, &len) != 0)
        return errno;
    if (soError != 0)
        return soError;
    *out = std::move(fd);
    return 0;
}

} // namespace

QString hostPortLabel(const QString& host, int port)
{
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

QString noAnswerMessage(const QString& host, int port, std::chrono::milliseconds timeout)
{
    return QStringLiteral("SSH to %1: no answer within %2 s")
        .arg(hostPortLabel(host, port), QString::number(timeout.count() / 1000.0, 'f', 1));
}

int remainingMs(Clock::time_point deadline)
{
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 24LL * 3600 * 1000));
}

Result<UniqueFd> connectTcp(const QString& host, int port, Clock::time_point deadline,
                            std::chrono::milliseconds timeout, const CancelToken& cancel)
{
    const QString label = hostPortLabel(host, port);
    if (port <= 0 || port > 65535)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("SSH to %1: invalid port %2").arg(label).arg(port));
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    // getaddrinfo has no timeout of its own; inventory hosts are usually addresses or names
    // the local resolver answers quickly.
    const int gai =
        getaddrinfo(host.toUtf8().constData(), QByteArray::number(port).constData(), &hints, &raw);
    if (gai != 0)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("SSH to %1: cannot resolve %2: %3")
                             .arg(label, host, QString::fromLocal8Bit(gai_strerror(gai))));
    std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);

    int lastErr = EHOSTUNREACH;
    for (const addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
        UniqueFd fd;
        lastErr = connectOne(*ai, deadline, cancel, &fd);
        if (lastErr == 0)
            return fd;
        if (lastErr == ETIMEDOUT || lastErr == ECANCELED)
            break;
    }
    switch (lastErr) {
    case ECANCELED:
        return makeError(ErrorCode::Cancelled, QStringLiteral("SSH to %1: cancelled").arg(label));
    case ETIMEDOUT:
        return makeError(ErrorCode::Timeout, noAnswerMessage(host, port, timeout));
    case ECONNREFUSED:
        return makeError(ErrorCode::Refused,
                         QStringLiteral("SSH to %1: connection refused (is sshd running on "
                                        "port %2?)")
                             .arg(label)
                             .arg(port));
    default:
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("SSH to %1: %2").arg(label, errnoText(lastErr)),
                         QStringLiteral("errno %1").arg(lastErr));
    }
}

void setUnackedTimeout(int fd, std::chrono::milliseconds timeout)
{
    const unsigned int ms = static_cast<unsigned int>(std::max<long long>(timeout.count(), 0));
    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms);
}

Result<UniqueFd> listenLoopback(int port)
{
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.isValid())
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot create a socket: %1").arg(errnoText(errno)));
    const int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        return makeError(
            err == EADDRINUSE ? ErrorCode::InvalidInput : ErrorCode::Io,
            QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(port).arg(errnoText(err)));
    }
    if (::listen(fd.get(), 16) != 0)
        return makeError(
            ErrorCode::Io,
            QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(port).arg(errnoText(errno)));
    return fd;
}

int boundPort(int fd)
{
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        return -1;
    if (addr.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    return -1;
}

} // namespace doppel::ssh
