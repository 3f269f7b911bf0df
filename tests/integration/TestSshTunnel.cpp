// SPDX-License-Identifier: GPL-3.0-or-later
// SshTunnel through the lab's sshd to its production PostgreSQL. Loopback only.
#include "SshTestSupport.h"
#include "ssh/SshTunnel.h"

#include <QTcpSocket>
#include <QtTest>

using namespace doppel;
using namespace doppel::ssh;
using namespace doppel::test;

namespace {

// Sends a PostgreSQL SSLRequest; a server with ssl off answers the single byte 'N'.
QByteArray sslRequest(QTcpSocket& socket)
{
    const char request[8] = {0, 0, 0, 8, 0x04, char(0xd2), 0x16, 0x2f}; // 8, 80877103
    socket.write(request, sizeof request);
    socket.waitForBytesWritten(5000);
    return socket.waitForReadyRead(10000) ? socket.readAll() : QByteArray("<no answer>");
}

} // namespace

class TestSshTunnel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tunnelCarriesSslRequest();
    void twoTunnelledConnectionsAtOnce();
    void tunnelStopsListeningWhenDestroyed();
};

void TestSshTunnel::tunnelCarriesSslRequest()
{
    auto tunnel = SshTunnel::open(labOptions(), QStringLiteral("127.0.0.1"),
                                  test::sharedLab().production.port);
    QVERIFY2(tunnel.ok(), why(tunnel));
    QVERIFY((*tunnel)->localPort() > 0);
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), quint16((*tunnel)->localPort()));
    QVERIFY2(socket.waitForConnected(5000), qPrintable(socket.errorString()));
    QCOMPARE(sslRequest(socket), QByteArray("N"));
    QVERIFY((*tunnel)->isAlive());
}

void TestSshTunnel::twoTunnelledConnectionsAtOnce()
{
    auto tunnel = SshTunnel::open(labOptions(), QStringLiteral("127.0.0.1"),
                                  test::sharedLab().production.port);
    QVERIFY2(tunnel.ok(), why(tunnel));
    const quint16 port = quint16((*tunnel)->localPort());
    QTcpSocket first;
    QTcpSocket second;
    first.connectToHost(QStringLiteral("127.0.0.1"), port);
    second.connectToHost(QStringLiteral("127.0.0.1"), port);
    QVERIFY2(first.waitForConnected(5000), qPrintable(first.errorString()));
    QVERIFY2(second.waitForConnected(5000), qPrintable(second.errorString()));
    QCOMPARE(sslRequest(second), QByteArray("N"));
    QCOMPARE(sslRequest(first), QByteArray("N"));
    // Closing one leaves the other working; a third connection still gets through.
    first.close();
    QTcpSocket third;
    third.connectToHost(QStringLiteral("127.0.0.1"), port);
    QVERIFY2(third.waitForConnected(5000), qPrintable(third.errorString()));
    QCOMPARE(sslRequest(third), QByteArray("N"));
    QVERIFY2((*tunnel)->isAlive(), qPrintable((*tunnel)->lastError()));
}

void TestSshTunnel::tunnelStopsListeningWhenDestroyed()
{
    auto tunnel = SshTunnel::open(labOptions(), QStringLiteral("127.0.0.1"),
                                  test::sharedLab().production.port);
    QVERIFY2(tunnel.ok(), why(tunnel));
    const quint16 port = quint16((*tunnel)->localPort());
    QTcpSocket open;
    open.connectToHost(QStringLiteral("127.0.0.1"), port);
    QVERIFY(open.waitForConnected(5000));
    QCOMPARE(sslRequest(open), QByteArray("N"));
    tunnel.value().reset(); // joins the thread; the forwarded connection is closed
    QVERIFY(open.state() == QAbstractSocket::UnconnectedState || open.waitForDisconnected(5000));
    QTcpSocket later;
    later.connectToHost(QStringLiteral("127.0.0.1"), port);
    QVERIFY(!later.waitForConnected(2000));
}

QTEST_GUILESS_MAIN(TestSshTunnel)
#include "TestSshTunnel.moc"
