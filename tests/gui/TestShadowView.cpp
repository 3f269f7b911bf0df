// SPDX-License-Identifier: GPL-3.0-or-later
// The Shadow view on the shared lab, in a database of its own ("shadowgui"): prechecks show
// their verdicts, setup asks first and then replicates (per-table state ready, lag charted),
// verify finds every table identical, teardown asks first and leaves no slot, and each step
// lands in the events the view emits.
#include "LabFixture.h"
#include "MemorySecretStore.h"

#include "ConnectorServices.h"
#include "MetricChart.h"
#include "Prompt.h"
#include "ShadowView.h"

#include "postgres/PgConnection.h"

#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;
using namespace std::chrono_literals;

namespace {

Result<QString> scalarOn(const QString& conninfo, const QString& sql)
{
    pg::PgConnection::Options options;
    options.conninfo = conninfo;
    auto conn = pg::PgConnection::connect(options);
    if (!conn)
        return conn.error();
    auto r = (*conn)->exec(sql);
    if (!r)
        return r.error();
    return r->rows.empty() ? QString() : r->value(0, 0);
}

} // namespace

class TestShadowView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::MemorySecretStore m_secrets;
    std::unique_ptr<ShadowService> m_service;
    std::unique_ptr<ShadowView> m_view;
    std::vector<Event> m_events;
    QString m_prod;
    QString m_shadow;

    template <typename T> T* child(const char* name)
    {
        auto* w = m_view->findChild<T*>(QLatin1String(name));
        if (!w)
            qFatal("no widget %s", name);
        return w;
    }

    QString cell(const char* table, int row, int column)
    {
        QTableWidgetItem* item = child<QTableWidget>(table)->item(row, column);
        return item ? item->text() : QString();
    }

    // Clicks `name` and waits for the operation it starts to end (a prompt answers first).
    void clickAndWait(const char* name)
    {
        QSignalSpy finished(m_view.get(), &ShadowView::operationFinished);
        QTest::mouseClick(child<QPushButton>(name), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        const LabState& lab = test::sharedLab();
        m_prod = lab.production.conninfo + QStringLiteral(" dbname=shadowgui");
        m_shadow = lab.shadow.conninfo + QStringLiteral(" dbname=shadowgui");
        m_service = createShadowService();
        // What an earlier run may have left would block DROP DATABASE; errors (no database on
        // a first run) do not matter here.
        ShadowSpec leftover;
        leftover.prodConninfo = m_prod;
        leftover.shadowConninfo = m_shadow;
        leftover.name = QStringLiteral("doppel_gui");
        (void)m_service->teardown(leftover, {});
        for (const QString& admin : {lab.production.conninfo, lab.shadow.conninfo}) {
            QVERIFY(
                scalarOn(admin, QStringLiteral("DROP DATABASE IF EXISTS shadowgui WITH (FORCE)")));
            QVERIFY(scalarOn(admin, QStringLiteral("CREATE DATABASE shadowgui")));
        }
        QProcess init;
        init.start(QStringLiteral("pgbench"), {QStringLiteral("-i"), QStringLiteral("-s"),
                                               QStringLiteral("1"), QStringLiteral("-q"), m_prod});
        QVERIFY(init.waitForFinished(120000));
        QCOMPARE(init.exitCode(), 0);

        Host prod;
        prod.name = QStringLiteral("gui-prod");
        prod.role = HostRole::Production;
        prod.conninfo = m_prod;
        Host shadow;
        shadow.name = QStringLiteral("gui-shadow");
        shadow.role = HostRole::Shadow;
        shadow.conninfo = m_shadow;
        m_view = std::make_unique<ShadowView>(*m_service, m_secrets,
                                              m_dir.filePath(QStringLiteral("repo.sqlite")));
        m_view->setRefreshInterval(300ms);
        connect(m_view.get(), &ShadowView::eventLogged, this,
                [this](const Event& e) { m_events.push_back(e); });
        m_view->resize(1000, 800);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        m_view->setHosts({prod, shadow});
        child<QLineEdit>("nameEdit")->setText(QStringLiteral("doppel_gui"));
    }

    void cleanupTestCase()
    {
        if (!m_view)
            return;
        Prompt::setNextAnswer(Prompt::Answer::Accept);
        QSignalSpy finished(m_view.get(), &ShadowView::operationFinished);
        m_view->runTeardown();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        m_view.reset();
    }

    void checksShowVerdicts()
    {
        QSignalSpy finished(m_view.get(), &ShadowView::operationFinished);
        QTest::mouseClick(child<QPushButton>("checkButton"), Qt::LeftButton);
        QVERIFY(m_view->isBusy());
        QVERIFY(child<QPushButton>("cancelButton")->isEnabled());
        QVERIFY(!child<QPushButton>("setupButton")->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY(child<QPushButton>("setupButton")->isEnabled());
        auto* checks = child<QTableWidget>("checksTable");
        QVERIFY2(checks->rowCount() >= 10, qPrintable(child<QLabel>("stepLabel")->text()));
        bool identityWarned = false;
        for (int row = 0; row < checks->rowCount(); ++row)
            if (cell("checksTable", row, 1) == QLatin1String("replica_identity"))
                identityWarned =
                    cell("checksTable", row, 0) == QLatin1String("warn") &&
                    cell("checksTable", row, 3).contains(QLatin1String("pgbench_history"));
        QVERIFY(identityWarned);
        QVERIFY(child<QLabel>("stepLabel")->text().contains(QLatin1String("passed")));
    }

    void setupAsksFirst()
    {
        Prompt::setNextAnswer(Prompt::Answer::Reject);
        const int asked = Prompt::askedCount();
        QTest::mouseClick(child<QPushButton>("setupButton"), Qt::LeftButton);
        QCOMPARE(Prompt::askedCount(), asked + 1);
        QVERIFY(Prompt::lastText().contains(QLatin1String("doppel_gui")));
        QTest::qWait(200);          // the answer arrives on a later turn of the loop
        QVERIFY(!m_view->isBusy()); // declined: nothing runs
        QCOMPARE(
            scalarOn(m_prod, QStringLiteral("SELECT count(*) FROM pg_publication")).valueOr({}),
            QStringLiteral("0"));
    }

    void setupReplicatesAndStatusShowsTables()
    {
        Prompt::setNextAnswer(Prompt::Answer::Accept);
        clickAndWait("setupButton");
        QVERIFY2(!child<QLabel>("stepLabel")->text().contains(QLatin1String("failed")),
                 qPrintable(child<QLabel>("stepLabel")->text()));
        QVERIFY(std::any_of(m_events.begin(), m_events.end(), [](const Event& e) {
            return e.message.contains(QLatin1String("set up"));
        }));
        auto* tables = child<QTableWidget>("tablesTable");
        auto allReady = [&] {
            if (tables->rowCount() != 4)
                return false;
            for (int row = 0; row < 4; ++row)
                if (tables->item(row, 1)->text() != QLatin1String("ready"))
                    return false;
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allReady(), 60000);
        QVERIFY(child<QLabel>("statusLabel")->text().contains(QLatin1String("Lag:")));
        auto* lag = m_view->findChild<MetricChart*>(QStringLiteral("chart_shadow_lag_bytes"));
        QVERIFY(lag);
        QTRY_VERIFY_WITH_TIMEOUT(lag->pointCount() > 0, 10000);
    }

    void verifyFillsResults()
    {
        clickAndWait("verifyButton");
        auto* results = child<QTableWidget>("verifyTable");
        QCOMPARE(results->rowCount(), 4);
        for (int row = 0; row < 4; ++row)
            QCOMPARE(cell("verifyTable", row, 0), QStringLiteral("identical"));
        QVERIFY(child<QLabel>("stepLabel")->text().contains(QLatin1String("identical")));
        // For the docs: DOPPEL_SCREENSHOT_DIR=... saves what the view looks like now.
        if (const QString dir = qEnvironmentVariable("DOPPEL_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(m_view->grab().save(dir + QStringLiteral("/shadow-view.png")));
    }

    void teardownAsksAndRemovesSlot()
    {
        Prompt::setNextAnswer(Prompt::Answer::Accept);
        clickAndWait("teardownButton");
        QVERIFY(std::any_of(m_events.begin(), m_events.end(), [](const Event& e) {
            return e.message.contains(QLatin1String("torn down"));
        }));
        QCOMPARE(scalarOn(m_prod, QStringLiteral("SELECT count(*) FROM pg_replication_slots WHERE "
                                                 "slot_name = 'doppel_gui'"))
                     .valueOr({}),
                 QStringLiteral("0"));
        QTRY_VERIFY_WITH_TIMEOUT(
            child<QLabel>("statusLabel")->text().contains(QLatin1String("Not set up")), 10000);
    }
};

QTEST_MAIN(TestShadowView)
#include "TestShadowView.moc"
