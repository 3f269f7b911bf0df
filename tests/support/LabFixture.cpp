// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabFixture.h"

#include "store/Repository.h"

#include <QDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace doppel::test {

QString sharedLabDir()
{
    const QString env = QString::fromLocal8Bit(qgetenv("DOPPEL_TEST_LAB_DIR"));
    return env.isEmpty() ? QStringLiteral("/tmp/doppel-test-lab-%1").arg(getuid()) : env;
}

const LabState& sharedLab()
{
    static const LabState state = [] {
        Lab lab(sharedLabDir());
        if (auto running = lab.status();
            running && running->production.pid > 0 && running->ssh.pid > 0)
            return *running;
        Lab::Options options;
        options.scale = 1;
        options.dayLengthSeconds = 60;
        auto started = lab.up(options, nullptr);
        if (!started)
            qFatal("Cannot start the test lab in %s: %s", qPrintable(sharedLabDir()),
                   qPrintable(started.error().message));
        return *started;
    }();
    return state;
}

void registerLabHosts(Repository& repo)
{
    auto st = Lab::registerHosts(sharedLab(), repo);
    if (!st)
        qFatal("Cannot register the lab hosts: %s", qPrintable(st.error().message));
}

SilentListener::SilentListener()
{
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    // The kernel completes the TCP handshake from the backlog; nobody ever reads or writes.
    if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_fd, 16) != 0 ||
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        qFatal("SilentListener: cannot listen on 127.0.0.1");
    m_port = ntohs(addr.sin_port);
}

SilentListener::~SilentListener()
{
    ::close(m_fd);
}

int refusedPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd); // bound but never listening: the port refuses until someone else takes it
    return ntohs(addr.sin_port);
}

} // namespace doppel::test
