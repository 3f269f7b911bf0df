// SPDX-License-Identifier: GPL-3.0-or-later
// The Capture view against the shared lab's production: a local doppel-proxy started from the
// view, pgbench -S through it shows statements/s and its SELECT in the top statements, Stop ends
// the process; a missing binary, a port in use, a refused upstream and a bad port are named.
// Then the same proxy started through the lab's sshd (same machine, same user, same binary).
#include "../integration/TestProxySupport.h"
#include "MemorySecretStore.h"

#include "CaptureView.h"
#include "ConnectorServices.h"
#include "MessageBanner.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace doppel;

namespace {

// Gone, or a zombie nobody reaped yet: either way no longer a running doppel-proxy.
bool processGone(qint64 pid)
{
    if (::kill(pid_t(pid), 0) != 0)
        return true;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    return stat.open(QIODevice::ReadOnly) && stat.readAll().contains(") Z ");
}

} // namespace

class TestCaptureView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::MemorySecretStore m_secrets;
    std::unique_ptr<CaptureService> m_service;
    Host m_prod;
    QList<qint64> m_started; // every pid a test started, stopped in cleanup whatever happened

    std::unique_ptr<CaptureView> view(const Host& prod, const QString& dir, int port)
    {
        auto v = std::make_unique<CaptureView>(*m_service);
        v->setHosts({prod});
        v->findChild<QLineEdit*>(QStringLiteral("captureDirEdit"))->setText(dir);
        v->findChild<QSpinBox*>(QStringLiteral("listenPortSpin"))->setValue(port);
        v->show();
        return v;
    }
    static QString bannerText(CaptureView* v)
    {
        return v->findChild<MessageBanner*>(QStringLiteral("captureBanner"))->text();
    }
    static QString label(CaptureView* v, const char* name)
    {
        return v->findChild<QLabel*>(QLatin1String(name))->text();
    }
    // Clicks Start and waits for the outcome; true when the proxy runs.
    bool clickStart(CaptureView* v)
    {
        QSignalSpy state(v, &CaptureView::stateChanged);
        QTest::mouseClick(v->findChild<QPushButton*>(QStringLiteral("startButton")),
                          Qt::LeftButton);
        if (!state.wait(30000) && state.isEmpty())
            return false;
        if (v->handle())
            m_started.append(v->handle()->pid);
        return v->isRunning();
    }
    // The start refused, with the banner's reason.
    QString refusedStart(const Host& prod, int port, const QString& dir)
    {
        auto v = view(prod, dir, port);
        if (clickStart(v.get()))
            return QStringLiteral("started");
        if (!label(v.get(), "stateLabel").startsWith(QLatin1String("Stopped")))
            return QStringLiteral("state: ") + label(v.get(), "stateLabel");
        return bannerText(v.get());
    }

    // Lab production with the lab's sshd (this machine, this user) as its SSH endpoint.
    Host prodOverSsh() const
    {
        Host prod = m_prod;
        prod.ssh = Lab::sshEndpoint(test::sharedLab());
        return prod;
    }
    // pgbench -S through the proxy for a few seconds; the live figures while it runs: a
    // positive rate and its two sessions, nothing dropped, no mirror queue without a shadow.
    void runPgbenchAndCheckFigures(CaptureView* v, int port)
    {
        QProcess pgbench;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), test::labPassword());
        pgbench.setProcessEnvironment(env);
        pgbench.setProcessChannelMode(QProcess::MergedChannels);
        pgbench.start(QStringLiteral("pgbench"),
                      {QStringLiteral("-n"), QStringLiteral("-S"), QStringLiteral("-T"),
                       QStringLiteral("6"), QStringLiteral("-c"), QStringLiteral("2"),
                       QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                       QString::number(port), QStringLiteral("-U"), QStringLiteral("doppel"),
                       QStringLiteral("pgbench")});
        QVERIFY(pgbench.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(label(v, "statementsRateLabel").toDouble() > 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(label(v, "sessionsLabel"), QStringLiteral("2"), 5000);
        QCOMPARE(label(v, "captureDroppedLabel"), QStringLiteral("0"));
        QCOMPARE(label(v, "mirrorQueueLabel"), QStringLiteral("n/a"));
        QTRY_VERIFY_WITH_TIMEOUT(pgbench.state() == QProcess::NotRunning, 20000);
        QVERIFY2(pgbench.exitCode() == 0, pgbench.readAll().constData());
    }
    void clickStopAndCheckGone(CaptureView* v, qint64 pid)
    {
        QTest::mouseClick(v->findChild<QPushButton*>(QStringLiteral("stopButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            !v->isRunning() && label(v, "stateLabel").startsWith(QLatin1String("Stopped")), 60000);
        QVERIFY(processGone(pid));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_prod.name = QStringLiteral("lab-production");
        m_prod.role = HostRole::Production;
        m_prod.conninfo = test::sharedLab().production.conninfo;
        m_service = createCaptureService(m_secrets);
    }

    void cleanupTestCase()
    {
        for (qint64 pid : m_started)
            if (!processGone(pid))
                ::kill(pid_t(pid), SIGKILL);
    }

    void localProxyShowsTrafficAndStops()
    {
        const QString dir = m_dir.filePath(QStringLiteral("local"));
        const int port = test::freePort();
        auto v = view(m_prod, dir, port);
        QSignalSpy events(v.get(), &CaptureView::eventLogged);
        QVERIFY2(clickStart(v.get()), qPrintable(bannerText(v.get())));
        const qint64 pid = v->handle()->pid;
        QVERIFY(!processGone(pid));
        QVERIFY2(label(v.get(), "stateLabel").contains(QStringLiteral("pid %1").arg(pid)),
                 qPrintable(label(v.get(), "stateLabel")));
        QVERIFY(label(v.get(), "stateLabel").contains(QStringLiteral("127.0.0.1:%1").arg(port)));
        QCOMPARE(events.count(), 1);

        runPgbenchAndCheckFigures(v.get(), port);
        if (QTest::currentTestFailed())
            return;

        auto* table = v->findChild<QTableWidget*>(QStringLiteral("topTable"));
        const auto pgbenchSelect = [table] {
            for (int row = 0; row < table->rowCount(); ++row)
                if (table->item(row, 6)->text().contains(
                        QLatin1String("SELECT abalance FROM pgbench_accounts WHERE aid = $1")) &&
                    table->item(row, 0)->data(Qt::DisplayRole).toLongLong() > 100)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(pgbenchSelect(), 15000);

        QTest::mouseClick(v->findChild<QPushButton*>(QStringLiteral("stopButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            !v->isRunning() && label(v.get(), "stateLabel").startsWith(QLatin1String("Stopped")),
            60000);
        QVERIFY(processGone(pid));
        QVERIFY(!QFile::exists(dir + QStringLiteral("/doppel-proxy.pid")));
        QCOMPARE(events.count(), 2);
        QVERIFY(events.last().first().value<Event>().message.contains(QLatin1String("stopped")));
    }

    void proxyOnTheHostOverSsh()
    {
        const Host prod = prodOverSsh();
        const int port = test::freePort();
        auto v = view(prod, m_dir.filePath(QStringLiteral("remote")), port);
        v->findChild<QComboBox*>(QStringLiteral("whereCombo"))->setCurrentIndex(1);
        v->findChild<QLineEdit*>(QStringLiteral("remoteBinaryEdit"))
            ->setText(test::binDir() + QStringLiteral("/doppel-proxy"));
        QVERIFY2(clickStart(v.get()), qPrintable(bannerText(v.get())));
        const qint64 pid = v->handle()->pid;
        QVERIFY(label(v.get(), "stateLabel").contains(QLatin1String("Running on lab-production")));
        runPgbenchAndCheckFigures(v.get(), port);
        if (QTest::currentTestFailed())
            return;
        clickStopAndCheckGone(v.get(), pid);
    }

    void remoteBinaryMissingIsNamed()
    {
        const Host prod = prodOverSsh();
        auto v = view(prod, m_dir.filePath(QStringLiteral("remote-missing")), test::freePort());
        v->findChild<QComboBox*>(QStringLiteral("whereCombo"))->setCurrentIndex(1);
        v->findChild<QLineEdit*>(QStringLiteral("remoteBinaryEdit"))
            ->setText(QStringLiteral("/nonexistent/doppel-proxy"));
        QVERIFY(!clickStart(v.get()));
        QVERIFY2(bannerText(v.get()).contains(QLatin1String("not installed on lab-production")),
                 qPrintable(bannerText(v.get())));
    }

    void missingBinaryIsNamed()
    {
        QTemporaryDir empty;
        const QByteArray saved = qgetenv("DOPPEL_BIN_DIR");
        qputenv("DOPPEL_BIN_DIR", empty.path().toLocal8Bit());
        const QString text =
            refusedStart(m_prod, test::freePort(), m_dir.filePath(QStringLiteral("nobinary")));
        qputenv("DOPPEL_BIN_DIR", saved);
        QVERIFY2(text.contains(QLatin1String("binary missing")), qPrintable(text));
    }

    void portInUseIsNamed()
    {
        QTcpServer busy;
        QVERIFY(busy.listen(QHostAddress::LocalHost));
        const QString text =
            refusedStart(m_prod, busy.serverPort(), m_dir.filePath(QStringLiteral("busy")));
        QVERIFY2(text.contains(QLatin1String("in use")), qPrintable(text));
    }

    void refusedUpstreamIsNamed()
    {
        Host down = m_prod;
        down.conninfo = QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=doppel")
                            .arg(test::refusedPort());
        const QString text =
            refusedStart(down, test::freePort(), m_dir.filePath(QStringLiteral("down")));
        QVERIFY2(text.contains(QLatin1String("does not answer")), qPrintable(text));
    }

    void badPortIsNamed()
    {
        const QString text = refusedStart(m_prod, 0, m_dir.filePath(QStringLiteral("port0")));
        QVERIFY2(text.contains(QLatin1String("1 to 65535")), qPrintable(text));
    }
};

QTEST_MAIN(TestCaptureView)
#include "TestCaptureView.moc"
