// SPDX-License-Identifier: GPL-3.0-or-later
// The Capture view against the shared lab's production: a local doppel-proxy started from the
// view, pgbench -S through it shows statements/s and its SELECT in the top statements, Stop ends
// the process; a missing binary, a port in use, a refused upstream and a bad port are named.
// Then the same proxy started through the lab's sshd (same machine, same user, same binary),
// its top statements read from the copy SFTP keeps on this machine. A proxy outlives the
// console: a later view (a restarted console, the same settings file) takes it over, here and
// over SSH, and so does Start in a folder where a proxy already captures.
#include "../integration/TestProxySupport.h"
#include "MemorySecretStore.h"

#include "CaptureView.h"
#include "ConnectorServices.h"
#include "MessageBanner.h"
#include "settings/Settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
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

    // A view as the console builds it; an empty `dir` keeps what the settings restored.
    std::unique_ptr<CaptureView> view(const Host& prod, const QString& dir, int port,
                                      Settings* settings = nullptr)
    {
        auto v = std::make_unique<CaptureView>(*m_service, settings);
        v->setHosts({prod});
        if (!dir.isEmpty())
            v->findChild<QLineEdit*>(QStringLiteral("captureDirEdit"))->setText(dir);
        v->findChild<QSpinBox*>(QStringLiteral("listenPortSpin"))->setValue(port);
        v->show();
        return v;
    }
    // Whether the top statements table shows pgbench -S's SELECT with many calls.
    static bool showsPgbenchSelect(CaptureView* v)
    {
        auto* table = v->findChild<QTableWidget*>(QStringLiteral("topTable"));
        for (int row = 0; row < table->rowCount(); ++row)
            if (table->item(row, 6)->text().contains(
                    QLatin1String("SELECT abalance FROM pgbench_accounts WHERE aid = $1")) &&
                table->item(row, 0)->data(Qt::DisplayRole).toLongLong() > 100)
                return true;
        return false;
    }
    // A console closed and opened again: a new view over a new Settings on the same file.
    std::unique_ptr<CaptureView> reopened(const Host& prod, std::unique_ptr<Settings>& settings)
    {
        const QString file = settings->fileName();
        settings = std::make_unique<Settings>(file);
        return view(prod, QString(), test::freePort(), settings.get());
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
        // The copies of remote captures go to the (test mode) cache folder.
        QStandardPaths::setTestModeEnabled(true);
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
        QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
             QStringLiteral("/remote-captures"))
            .removeRecursively();
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

        QTRY_VERIFY_WITH_TIMEOUT(showsPgbenchSelect(v.get()), 15000);
        QCOMPARE(label(v.get(), "topStatementsLabel"),
                 QStringLiteral("Top statements by total time:"));

        QTest::mouseClick(v->findChild<QPushButton*>(QStringLiteral("stopButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            !v->isRunning() && label(v.get(), "stateLabel").startsWith(QLatin1String("Stopped")),
            60000);
        QVERIFY(processGone(pid));
        QVERIFY(!QFile::exists(dir + QStringLiteral("/doppel-proxy.pid")));
        QCOMPARE(events.count(), 2);
        QVERIFY(events.last().first().value<Event>().message.contains(QLatin1String("stopped")));
    }

    // TLS for the applications from the form: a client with sslmode=require gets an encrypted
    // session, one in plain text is refused; a certificate without its key is named.
    void localProxyWithTls()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl tool is missing (Debian package openssl)");
        const QString cert = m_dir.filePath(QStringLiteral("proxy.crt"));
        const QString key = m_dir.filePath(QStringLiteral("proxy.key"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                       QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                       QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=localhost")});
        QVERIFY(openssl.waitForFinished(60000) && openssl.exitCode() == 0);
        QVERIFY(QFile::setPermissions(key, QFile::ReadOwner | QFile::WriteOwner));

        const int port = test::freePort();
        auto v = view(m_prod, m_dir.filePath(QStringLiteral("tls")), port);
        v->findChild<QLineEdit*>(QStringLiteral("tlsCertEdit"))->setText(cert);
        QVERIFY(!clickStart(v.get()));
        QVERIFY2(bannerText(v.get()).contains(QLatin1String("both a certificate and a key")),
                 qPrintable(bannerText(v.get())));

        v->findChild<QLineEdit*>(QStringLiteral("tlsKeyEdit"))->setText(key);
        v->findChild<QCheckBox*>(QStringLiteral("tlsRequireCheck"))->setChecked(true);
        QVERIFY2(clickStart(v.get()), qPrintable(bannerText(v.get())));
        const QString conninfo =
            QStringLiteral("host=127.0.0.1 port=%1 dbname=pgbench user=doppel password=%2 ")
                .arg(port)
                .arg(test::labPassword());
        PGconn* tls = PQconnectdb((conninfo + QStringLiteral("sslmode=require")).toUtf8());
        QVERIFY2(PQstatus(tls) == CONNECTION_OK, PQerrorMessage(tls));
        QCOMPARE(PQsslInUse(tls), 1);
        PQfinish(tls);
        PGconn* plain = PQconnectdb((conninfo + QStringLiteral("sslmode=disable")).toUtf8());
        QVERIFY(PQstatus(plain) != CONNECTION_OK);
        QVERIFY2(QByteArray(PQerrorMessage(plain)).contains("accepts only TLS"),
                 PQerrorMessage(plain));
        PQfinish(plain);
        clickStopAndCheckGone(v.get(), m_started.last());
    }

    // Over SSH: the live figures, the top statements from this machine's copy of the capture,
    // and after a console restart the same proxy taken over through SSH and stopped.
    void proxyOnTheHostOverSsh()
    {
        const Host prod = prodOverSsh();
        const int port = test::freePort();
        auto settings = std::make_unique<Settings>(m_dir.filePath(QStringLiteral("ssh.conf")));
        auto v = view(prod, m_dir.filePath(QStringLiteral("remote")), port, settings.get());
        v->findChild<QComboBox*>(QStringLiteral("whereCombo"))->setCurrentIndex(1);
        v->findChild<QLineEdit*>(QStringLiteral("remoteBinaryEdit"))
            ->setText(test::binDir() + QStringLiteral("/doppel-proxy"));
        QVERIFY2(clickStart(v.get()), qPrintable(bannerText(v.get())));
        const qint64 pid = v->handle()->pid;
        QVERIFY(label(v.get(), "stateLabel").contains(QLatin1String("Running on lab-production")));
        runPgbenchAndCheckFigures(v.get(), port);
        if (QTest::currentTestFailed())
            return;
        // The capture stays on the host; the table reads the copy SFTP brought here.
        QTRY_VERIFY_WITH_TIMEOUT(showsPgbenchSelect(v.get()), 15000);
        const QString topLabel = label(v.get(), "topStatementsLabel");
        QVERIFY2(topLabel.contains(QLatin1String("copy of the capture on lab-production")),
                 qPrintable(topLabel));
        const QString copy = topLabel.section(QLatin1Char('('), 1).section(QLatin1Char(')'), 0, 0);
        QVERIFY2(copy.startsWith(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)),
                 qPrintable(copy));
        QVERIFY(!QDir(copy).entryList({QStringLiteral("capture-*.dcap")}, QDir::Files).isEmpty());
        QVERIFY(!(QFileInfo(copy).permissions() &
                  (QFile::ReadGroup | QFile::ReadOther | QFile::ExeGroup | QFile::ExeOther)));

        v.reset(); // the console closes; the proxy goes on capturing
        QVERIFY(!processGone(pid));
        auto again = reopened(prod, settings);
        QTRY_VERIFY_WITH_TIMEOUT(again->isRunning(), 20000);
        QCOMPARE(again->handle()->pid, pid);
        QVERIFY(again->handle()->runOn.has_value());
        QVERIFY2(label(again.get(), "stateLabel").contains(QLatin1String("taken over")),
                 qPrintable(label(again.get(), "stateLabel")));
        QTRY_VERIFY_WITH_TIMEOUT(showsPgbenchSelect(again.get()), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(label(again.get(), "captureDroppedLabel"), QStringLiteral("0"),
                                  5000);
        clickStopAndCheckGone(again.get(), pid);
        QVERIFY(!settings->value(Settings::Key::CaptureRunning).toBool());
    }

    // The console is closed and opened again while its proxy captures: the new view finds the
    // proxy from its settings and shows it running, with live figures, and Stop ends it.
    void proxyStartedEarlierIsTakenOver()
    {
        const QString dir = m_dir.filePath(QStringLiteral("earlier"));
        const int port = test::freePort();
        auto settings = std::make_unique<Settings>(m_dir.filePath(QStringLiteral("local.conf")));
        auto first = view(m_prod, dir, port, settings.get());
        QVERIFY2(clickStart(first.get()), qPrintable(bannerText(first.get())));
        const qint64 pid = first->handle()->pid;
        first.reset();
        QVERIFY(!processGone(pid));

        auto v = reopened(m_prod, settings);
        QSignalSpy events(v.get(), &CaptureView::eventLogged);
        QTRY_VERIFY_WITH_TIMEOUT(v->isRunning(), 20000);
        QCOMPARE(v->handle()->pid, pid);
        QCOMPARE(v->handle()->listenAddress, QStringLiteral("127.0.0.1:%1").arg(port));
        QVERIFY2(label(v.get(), "stateLabel").contains(QLatin1String("taken over")),
                 qPrintable(label(v.get(), "stateLabel")));
        QCOMPARE(v->findChild<QLineEdit*>(QStringLiteral("captureDirEdit"))->text(), dir);
        QVERIFY(!v->findChild<QPushButton*>(QStringLiteral("startButton"))->isEnabled());
        QVERIFY(v->findChild<QPushButton*>(QStringLiteral("stopButton"))->isEnabled());
        QCOMPARE(events.count(), 1);
        QVERIFY(
            events.first().first().value<Event>().message.contains(QLatin1String("taken over")));
        runPgbenchAndCheckFigures(v.get(), port);
        if (QTest::currentTestFailed())
            return;
        QTRY_VERIFY_WITH_TIMEOUT(showsPgbenchSelect(v.get()), 15000);
        clickStopAndCheckGone(v.get(), pid);
        QVERIFY(!settings->value(Settings::Key::CaptureRunning).toBool());

        // Stopped: the next console finds nothing to take over and offers Start.
        auto later = reopened(m_prod, settings);
        QTRY_VERIFY_WITH_TIMEOUT(
            later->findChild<QPushButton*>(QStringLiteral("startButton"))->isEnabled(), 5000);
        QTest::qWait(500);
        QVERIFY(!later->isRunning());
        QVERIFY(label(later.get(), "stateLabel").startsWith(QLatin1String("Stopped")));
    }

    // Start where a proxy already captures (started by another console, or doppelctl): the
    // view takes that one over instead of starting a second one.
    void startWhereAProxyRunsTakesItOver()
    {
        const QString dir = m_dir.filePath(QStringLiteral("busy-folder"));
        ProxyLaunch launch;
        launch.upstreamConninfo = m_prod.conninfo;
        launch.captureDir = dir;
        launch.listenPort = test::freePort();
        auto other = m_service->start(launch, {});
        QVERIFY2(other, qPrintable(other ? QString() : other.error().message));
        m_started.append(other->pid);

        auto v = view(m_prod, dir, test::freePort());
        QVERIFY2(clickStart(v.get()), qPrintable(bannerText(v.get())));
        QCOMPARE(v->handle()->pid, other->pid);
        QCOMPARE(v->handle()->listenAddress, other->listenAddress);
        QVERIFY2(bannerText(v.get()).contains(QLatin1String("took it over")),
                 qPrintable(bannerText(v.get())));
        QFile pidFile(dir + QStringLiteral("/doppel-proxy.pid"));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        QCOMPARE(pidFile.readAll().trimmed().toLongLong(), other->pid);
        QTRY_VERIFY_WITH_TIMEOUT(label(v.get(), "captureDroppedLabel") == QStringLiteral("0"),
                                 5000);
        clickStopAndCheckGone(v.get(), other->pid);
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
