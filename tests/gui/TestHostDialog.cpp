// SPDX-License-Identifier: GPL-3.0-or-later
// HostDialog's "Test connection": failures are reported with their ErrorCode, the test runs on a
// worker (the event loop never stalls), it can be cancelled, and saving strips the password.

#include "MemorySecretStore.h"

#include "ConnectorServices.h"
#include "HostDialog.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

using namespace doppel;
using namespace std::chrono_literals;

namespace {

// Measures the longest gap between 10 ms ticks of the GUI thread's event loop.
class LoopStallMeter
{
public:
    explicit LoopStallMeter(QObject* context)
    {
        m_tick.setInterval(10);
        QObject::connect(&m_tick, &QTimer::timeout, context,
                         [this] { m_maxGap = std::max(m_maxGap, m_clock.restart()); });
        m_clock.start();
        m_tick.start();
    }
    qint64 maxGapMs() const { return m_maxGap; }

private:
    QTimer m_tick;
    QElapsedTimer m_clock;
    qint64 m_maxGap = 0;
};

QString conninfoFor(quint16 port)
{
    return QStringLiteral("host=127.0.0.1 port=%1 dbname=postgres user=doppel").arg(port);
}

} // namespace

class TestHostDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void failureIsReported_data();
    void failureIsReported();
    void cancelEndsTestInFlight();
    void typedPasswordIsNotKeptAfterTest();
    void acceptStripsPasswordFromConninfo();
    void acceptRefusesIncompleteForm();

private:
    QLabel* result() const { return m_dialog->findChild<QLabel*>(QStringLiteral("testResult")); }
    QPushButton* button(const char* name) const
    {
        return m_dialog->findChild<QPushButton*>(QLatin1String(name));
    }
    void setText(const char* name, const QString& text)
    {
        auto* edit = m_dialog->findChild<QLineEdit*>(QLatin1String(name));
        QVERIFY2(edit, name);
        edit->setText(text);
    }

    test::MemorySecretStore m_secrets;
    std::unique_ptr<HostServices> m_services;
    std::unique_ptr<HostDialog> m_dialog;
};

void TestHostDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_services = createHostServices(m_secrets);
}

void TestHostDialog::init()
{
    m_dialog = std::make_unique<HostDialog>(*m_services, m_secrets);
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
    QVERIFY(result());
    QVERIFY(button("testButton"));
}

void TestHostDialog::cleanup()
{
    m_dialog.reset();
}

void TestHostDialog::failureIsReported_data()
{
    QTest::addColumn<bool>("silent");
    QTest::addColumn<int>("expectedCode");
    QTest::newRow("closed port is refused") << false << int(ErrorCode::Refused);
    QTest::newRow("silent listener times out") << true << int(ErrorCode::Timeout);
}

void TestHostDialog::failureIsReported()
{
    QFETCH(bool, silent);
    QFETCH(int, expectedCode);

    // The refused case: a port that was free a moment ago and nobody listens on now.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const quint16 port = server.serverPort();
    std::vector<QTcpSocket*> accepted; // kept open and silent
    if (silent)
        connect(&server, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket* socket = server.nextPendingConnection())
                accepted.push_back(socket);
        });
    else
        server.close();

    m_dialog->setTestTimeout(1500ms);
    setText("nameEdit", QStringLiteral("db1"));
    setText("conninfoEdit", conninfoFor(port));

    LoopStallMeter meter(this);
    QTest::mouseClick(button("testButton"), Qt::LeftButton);
    const QString expected =
        QStringLiteral("PostgreSQL: %1 — ").arg(errorCodeName(ErrorCode(expectedCode)));
    QTRY_VERIFY_WITH_TIMEOUT(result()->text().startsWith(expected), 15000);
    QVERIFY2(meter.maxGapMs() < 100,
             qPrintable(QStringLiteral("event loop stalled %1 ms").arg(meter.maxGapMs())));
    QVERIFY(button("testButton")->isEnabled());
    QVERIFY(!button("cancelTestButton")->isEnabled());
    if (silent)
        QVERIFY2(!accepted.empty(), "libpq never reached the silent listener");
}

void TestHostDialog::cancelEndsTestInFlight()
{
    QTcpServer server; // accepts (the kernel's backlog does) and never answers
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    m_dialog->setTestTimeout(60s);
    setText("nameEdit", QStringLiteral("db1"));
    setText("conninfoEdit", conninfoFor(server.serverPort()));

    LoopStallMeter meter(this);
    QTest::mouseClick(button("testButton"), Qt::LeftButton);
    QVERIFY(!button("testButton")->isEnabled());
    QTest::qWait(300);
    QTest::mouseClick(button("cancelTestButton"), Qt::LeftButton);
    QCOMPARE(result()->text(), HostDialog::tr("Test cancelled."));
    QVERIFY(button("testButton")->isEnabled());

    // The worker notices the CancelToken within its 50 ms poll slices, so closing the dialog
    // does not wait for the 60 s timeout.
    QElapsedTimer closing;
    closing.start();
    m_dialog.reset();
    QVERIFY2(closing.elapsed() < 2000, qPrintable(QString::number(closing.elapsed())));
    QVERIFY(meter.maxGapMs() < 100);
}

void TestHostDialog::typedPasswordIsNotKeptAfterTest()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const quint16 port = server.serverPort();
    server.close();
    setText("nameEdit", QStringLiteral("db1"));
    setText("conninfoEdit", conninfoFor(port));
    setText("pgPasswordEdit", QStringLiteral("typed-secret"));
    QTest::mouseClick(button("testButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(button("testButton")->isEnabled(), 15000);
    QVERIFY2(m_secrets.keys().isEmpty(), qPrintable(m_secrets.keys().join(QLatin1Char(','))));
}

void TestHostDialog::acceptStripsPasswordFromConninfo()
{
    setText("nameEdit", QStringLiteral("db1"));
    setText("conninfoEdit",
            QStringLiteral("host=db1.example port=5433 dbname=app user=dba password=s3cret"));
    m_dialog->accept();
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    const Host host = m_dialog->host();
    QCOMPARE(host.name, QStringLiteral("db1"));
    QVERIFY2(!host.conninfo.contains(QLatin1String("s3cret")), qPrintable(host.conninfo));
    QVERIFY(host.conninfo.contains(QLatin1String("db1.example")));
    QCOMPARE(m_dialog->pgPassword(), QStringLiteral("s3cret"));
    QVERIFY(!host.ssh);
}

void TestHostDialog::acceptRefusesIncompleteForm()
{
    m_dialog->setExistingNames({QStringLiteral("taken")});
    setText("nameEdit", QStringLiteral("taken"));
    setText("conninfoEdit", QStringLiteral("host=db1"));
    m_dialog->accept();
    QVERIFY(m_dialog->isVisible());
    auto* error = m_dialog->findChild<QLabel*>(QStringLiteral("formError"));
    QVERIFY(error && !error->isHidden());
    QVERIFY(error->text().contains(QLatin1String("taken")));
}

QTEST_MAIN(TestHostDialog)
#include "TestHostDialog.moc"
