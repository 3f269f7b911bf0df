// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyNet.h"

#include <QFile>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

namespace doppel::proxy {

QString errnoText(int err)
{
    return QString::fromLocal8Bit(strerror(err));
}

Result<SocketAddress> resolveAddress(const QString& host, int port)
{
    SocketAddress out;
    if (host.startsWith(QLatin1Char('/'))) {
        const QByteArray path =
            QFile::encodeName(host + QStringLiteral("/.s.PGSQL.") + QString::number(port));
        sockaddr_un un{};
        if (size_t(path.size()) >= sizeof(un.sun_path))
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("Unix socket path too long: %1").arg(host));
        un.sun_family = AF_UNIX;
        std::memcpy(un.sun_path, path.constData(), size_t(path.size()));
        std::memcpy(&out.storage, &un, sizeof(un));
        out.length = sizeof(un);
        out.display = QString::fromLocal8Bit(path);
        return out;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const QByteArray h = host.toUtf8();
    const QByteArray p = QByteArray::number(port);
    if (const int rc = getaddrinfo(h.constData(), p.constData(), &hints, &res); rc != 0 || !res)
        return makeError(
            ErrorCode::NotFound,
            QStringLiteral("cannot resolve %1: %2").arg(host, QString::fromUtf8(gai_strerror(rc))));
    std::memcpy(&out.storage, res->ai_addr, res->ai_addrlen);
    out.length = res->ai_addrlen;
    freeaddrinfo(res);
    out.display = host + QLatin1Char(':') + QString::number(port);
    return out;
}

void tuneSocket(int fd)
{
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

Result<int> listenTcp(const QString& host, int port)
{
    auto addr = resolveAddress(host, port);
    if (!addr)
        return addr.error();
    if (addr->storage.ss_family == AF_UNIX)
        return makeError(ErrorCode::InvalidInput, QStringLiteral("--listen takes a TCP address"));
    const int fd = ::socket(addr->storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return makeError(ErrorCode::Io, QStringLiteral("socket: ") + errnoText(errno));
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr->storage), addr->length) != 0 ||
        ::listen(fd, 1024) != 0) {
        const int err = errno;
        ::close(fd);
        return makeError(
            ErrorCode::Io,
            QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(port).arg(errnoText(err)));
    }
    return fd;
}

Result<int> connectNonBlocking(const SocketAddress& address)
{
    const int fd =
        ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return makeError(ErrorCode::Io, QStringLiteral("socket: ") + errnoText(errno));
    if (address.storage.ss_family != AF_UNIX)
        tuneSocket(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
        errno != EINPROGRESS && errno != EAGAIN) {
        const int err = errno;
        ::close(fd);
        return makeError(err == ECONNREFUSED ? ErrorCode::Refused : ErrorCode::Io,
                         QStringLiteral("could not connect to upstream %1: %2")
                             .arg(address.display, errnoText(err)));
    }
    return fd;
}

Result<int> connectBlocking(const SocketAddress& address, int timeoutMs)
{
    auto fd = connectNonBlocking(address);
    if (!fd)
        return fd;
    pollfd p{*fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof(err);
    if (::poll(&p, 1, timeoutMs) != 1 || getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
        err != 0) {
        ::close(*fd);
        return makeError(ErrorCode::Timeout,
                         QStringLiteral("could not connect to upstream %1").arg(address.display));
    }
    const int flags = fcntl(*fd, F_GETFL);
    fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

QString describePeer(const sockaddr_storage& addr)
{
    char host[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        return QStringLiteral("%1:%2").arg(QLatin1String(host)).arg(ntohs(in->sin_port));
    }
    if (addr.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        return QStringLiteral("[%1]:%2").arg(QLatin1String(host)).arg(ntohs(in6->sin6_port));
    }
    return QStringLiteral("local");
}

} // namespace doppel::proxy
