// SPDX-License-Identifier: GPL-3.0-or-later
// The Replay dialog against the shared lab's production (read-only statements on its pgbench
// database): a replay at full speed fills the result table and the progress bar, and a replay at
// recorded speed is cancelled half-way with a report of what ran.
#include "LabFixture.h"
#include "MemorySecretStore.h"

#include "ConnectorServices.h"
#include "ReplayDialog.h"

#include "workload/CaptureWriter.h"

#include <QDateTime>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

// Two sessions of simple reads spread over `spanMs`.
QString writeCapture(const QString& dir, int perSession, std::int64_t spanMs)
{
    CaptureWriterOptions options;
    options.dir = dir;
    auto writer = CaptureWriter::open(options);
    if (!writer)
        return writer.error().toString();
    const std::int64_t t0 = QDateTime::currentMSecsSinceEpoch() * 1000;
    for (int s = 0; s < 2; ++s)
        for (int i = 0; i < perSession; ++i) {
            CaptureRecord r;
            r.sessionId = std::uint64_t(s + 1);
            r.timestampUs = t0 + spanMs * 1000 * i / perSession;
            r.statement =
                "SELECT abalance FROM pgbench_accounts WHERE aid = " + std::to_string(1 + i);
            (*writer)->submit(std::move(r));
        }
    (*writer)->close();
    return QString();
}

} // namespace

class TestReplayDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::MemorySecretStore m_secrets;
    std::unique_ptr<ReplayService> m_service;
    std::vector<Host> m_hosts;

    std::unique_ptr<ReplayDialog> dialog(const QString& capture, double speed)
    {
        auto d = std::make_unique<ReplayDialog>(*m_service, m_secrets, m_hosts);
        d->setCaptureDir(capture);
        d->findChild<QDoubleSpinBox*>(QStringLiteral("speedSpin"))->setValue(speed);
        d->show();
        return d;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const LabState& lab = test::sharedLab();
        // Production: only it has the pgbench tables, and these statements only read.
        Host prod;
        prod.name = QStringLiteral("lab-production");
        prod.role = HostRole::Production;
        prod.conninfo = lab.production.conninfo;
        m_hosts = {prod};
        m_service = createReplayService();
        QCOMPARE(writeCapture(m_dir.filePath(QStringLiteral("fast")), 100, 1000), QString());
        QCOMPARE(writeCapture(m_dir.filePath(QStringLiteral("slow")), 100, 20000), QString());
    }

    void fullSpeedReplayFillsTheTable()
    {
        auto d = dialog(m_dir.filePath(QStringLiteral("fast")), 0);
        QSignalSpy finished(d.get(), &ReplayDialog::finished);
        QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("startButton")),
                          Qt::LeftButton);
        QVERIFY(d->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.first().first().toBool(), true);
        auto* table = d->findChild<QTableWidget*>(QStringLiteral("resultsTable"));
        QCOMPARE(table->rowCount(), 1); // one fingerprint: the literals differ only
        QCOMPARE(table->item(0, 0)->data(Qt::DisplayRole).toLongLong(), 200);
        QCOMPARE(table->item(0, 1)->data(Qt::DisplayRole).toLongLong(), 0);
        auto* progress = d->findChild<QProgressBar*>(QStringLiteral("progress"));
        QCOMPARE(progress->value(), progress->maximum());
        QVERIFY(d->findChild<QLabel*>(QStringLiteral("liveLabel"))
                    ->text()
                    .contains(QLatin1String("200 statements")));
    }

    void cancelStopsAndShowsWhatRan()
    {
        auto d = dialog(m_dir.filePath(QStringLiteral("slow")), 1);
        QSignalSpy finished(d.get(), &ReplayDialog::finished);
        QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("startButton")),
                          Qt::LeftButton);
        auto* label = d->findChild<QLabel*>(QStringLiteral("liveLabel"));
        QTRY_VERIFY_WITH_TIMEOUT(label->text().contains(QLatin1String("statements/s")), 20000);
        QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("cancelButton")),
                          Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY2(label->text().contains(QLatin1String("Cancelled")), qPrintable(label->text()));
        const auto* table = d->findChild<QTableWidget*>(QStringLiteral("resultsTable"));
        QVERIFY(table->rowCount() == 0 ||
                table->item(0, 0)->data(Qt::DisplayRole).toLongLong() < 200);
    }

    void missingCaptureIsExplained()
    {
        auto d = dialog(QString(), 1);
        QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("startButton")),
                          Qt::LeftButton);
        QVERIFY(!d->isRunning());
        QVERIFY(d->findChild<QLabel*>(QStringLiteral("liveLabel"))
                    ->text()
                    .contains(QLatin1String("capture folder")));
    }
};

QTEST_MAIN(TestReplayDialog)
#include "TestReplayDialog.moc"
