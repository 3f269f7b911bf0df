// SPDX-License-Identifier: GPL-3.0-or-later
// The Differential view on a capture written here with the real CaptureWriter: three statements
// mirrored to the shadow, one of them three times slower there. The analysis runs on a worker
// (busy, then done) and fills the table (rows, sorting by a column, the filter), tints the
// regression, raises its alert as an event, charts the selected statement's percentiles on both
// sides, exports HTML, Markdown and JSON, and stops when cancelled. "Compare plans" runs on the
// lab, in a database ("diffgui") whose index exists on production only, names the node, raises
// an event and adds the comparison to the exported report.
#include "CaptureFixture.h"
#include "LabFixture.h"
#include "MemorySecretStore.h"
#include "ScratchSql.h"

#include "ConnectorServices.h"
#include "DiffTableModel.h"
#include "DiffView.h"
#include "LatencyDistributionChart.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

const std::string Lookup = "SELECT v FROM t WHERE k = $1";
const std::string Count = "SELECT count(*) FROM t";
const std::string Update = "UPDATE t SET v = $1 WHERE k = $2";

// `n` mirrored calls of `text`; the proxy watched WAL positions unless `watched` is false.
std::vector<CaptureRecord> statements(const std::string& text, size_t n, double prodMs,
                                      double shadowMs, std::uint64_t seed, bool watched = true)
{
    const auto prod = test::lognormalMs(n, prodMs, seed);
    const auto shadow = test::lognormalMs(n, shadowMs, seed + 1);
    std::vector<CaptureRecord> out;
    for (size_t i = 0; i < n; ++i) {
        CaptureRecord r = test::mirroredCall(
            text, prod[i], shadow[i], watched ? std::optional<bool>(true) : std::nullopt, i, i);
        r.database = "diffgui";
        if (text.find('$') != std::string::npos) {
            r.protocol = CaptureRecord::Protocol::Extended;
            r.parameters = {{23, 0, std::to_string(i + 1)}};
            if (text == Update)
                r.parameters.insert(r.parameters.begin(),
                                    CaptureParameter{25, 0, std::string("x")});
        }
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

class TestDiffView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::MemorySecretStore m_secrets;
    std::unique_ptr<PlanService> m_plans;
    std::unique_ptr<DiffView> m_view;
    std::vector<Event> m_events;
    QString m_capture;

    template <typename T> T* child(const char* name)
    {
        auto* w = m_view->findChild<T*>(QLatin1String(name));
        if (!w)
            qFatal("no widget %s", name);
        return w;
    }

    QSortFilterProxyModel* proxy() { return child<QSortFilterProxyModel>("diffProxy"); }

    QVariant cell(int row, int column, int role = DiffTableModel::SortRole)
    {
        return proxy()->index(row, column).data(role);
    }

    bool analyse(const QString& capture)
    {
        m_view->setCaptureDir(capture);
        QSignalSpy finished(m_view.get(), &DiffView::analysisFinished);
        QTest::mouseClick(child<QPushButton>("runButton"), Qt::LeftButton);
        if (!m_view->isBusy() || !child<QPushButton>("cancelButton")->isEnabled())
            return false;
        return finished.wait(60000) && finished.first().first().toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_capture = m_dir.filePath(QStringLiteral("capture"));
        std::vector<CaptureRecord> records = statements(Lookup, 400, 1.0, 3.0, 10);
        for (auto more :
             {statements(Count, 200, 5.0, 5.0, 20, false), statements(Update, 120, 2.0, 2.0, 30)})
            records.insert(records.end(), more.begin(), more.end());
        QVERIFY(test::writeCapture(m_capture, std::move(records)));

        m_plans = createPlanService();
        m_view = std::make_unique<DiffView>(*m_plans, m_secrets,
                                            m_dir.filePath(QStringLiteral("repo.sqlite")));
        connect(m_view.get(), &DiffView::eventLogged, this,
                [this](const Event& e) { m_events.push_back(e); });
        m_view->resize(1100, 800);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }

    void analysisFillsTheTable()
    {
        QVERIFY(analyse(m_capture));
        QVERIFY(!m_view->isBusy());
        QCOMPARE(proxy()->rowCount(), 3);
        // Sorted by ratio, largest first: the slower lookup on top, tinted as a regression.
        QVERIFY(cell(0, DiffTableModel::QueryColumn).toString().contains(QLatin1String("k =")));
        QVERIFY(cell(0, DiffTableModel::RatioColumn).toDouble() > 2);
        QVERIFY(cell(0, DiffTableModel::SignificantColumn).toBool());
        QVERIFY(cell(0, 0, DiffTableModel::RegressionRole).toBool());
        QVERIFY(cell(0, 0, Qt::BackgroundRole).isValid());
        for (int row = 1; row < 3; ++row) {
            QVERIFY(!cell(row, 0, DiffTableModel::RegressionRole).toBool());
            QVERIFY(!cell(row, 0, Qt::BackgroundRole).isValid());
        }
        QCOMPARE(cell(0, DiffTableModel::CallsColumn).toLongLong(), 400);
        QVERIFY(child<QLabel>("verdictLabel")->text().contains(QLatin1String("1 alert")));
        // The proxy recorded no WAL position for the counts: the verdict says so.
        QVERIFY2(child<QLabel>("verdictLabel")
                     ->text()
                     .contains(QLatin1String("WAL positions not watched for 200 of 720")),
                 qPrintable(child<QLabel>("verdictLabel")->text()));
    }

    void sortingAndFilter()
    {
        auto* table = child<QTableView>("diffTable");
        table->sortByColumn(DiffTableModel::CallsColumn, Qt::AscendingOrder);
        QCOMPARE(cell(0, DiffTableModel::CallsColumn).toLongLong(), 120);
        QCOMPARE(cell(1, DiffTableModel::CallsColumn).toLongLong(), 200);
        QCOMPARE(cell(2, DiffTableModel::CallsColumn).toLongLong(), 400);
        table->sortByColumn(DiffTableModel::CallsColumn, Qt::DescendingOrder);
        QCOMPARE(cell(0, DiffTableModel::CallsColumn).toLongLong(), 400);

        QTest::keyClicks(child<QLineEdit>("filterEdit"), QStringLiteral("COUNT("));
        QCOMPARE(proxy()->rowCount(), 1);
        QVERIFY(cell(0, 0).toString().contains(QLatin1String("count(")));
        child<QLineEdit>("filterEdit")->clear();
        QCOMPARE(proxy()->rowCount(), 3);
    }

    void alertBecomesAnEvent()
    {
        QVERIFY(std::any_of(m_events.begin(), m_events.end(), [](const Event& e) {
            return e.severity == Severity::Warning && e.source == QLatin1String("diff") &&
                   e.message.contains(QLatin1String("latency_regression")) &&
                   e.message.contains(QLatin1String("WHERE k"));
        }));
        QVERIFY(std::none_of(m_events.begin(), m_events.end(), [](const Event& e) {
            return e.message.contains(QLatin1String("count("));
        }));
    }

    void chartShowsBothSides()
    {
        auto* table = child<QTableView>("diffTable");
        table->sortByColumn(DiffTableModel::RatioColumn, Qt::DescendingOrder);
        table->selectRow(0);
        auto* chart = child<LatencyDistributionChart>("distributionChart");
        QCOMPARE(chart->prodSeries()->count(), 101);
        QCOMPARE(chart->shadowSeries()->count(), 101);
        // The 95th percentile point: about three times higher on the shadow.
        const double prod95 = chart->prodSeries()->at(94).y();
        const double shadow95 = chart->shadowSeries()->at(94).y();
        QCOMPARE(chart->prodSeries()->at(94).x(), 95.0);
        QVERIFY2(shadow95 > 2 * prod95,
                 qPrintable(QStringLiteral("%1 %2").arg(prod95).arg(shadow95)));

        table->selectRow(2); // an unchanged statement: curves close to each other
        const double a = chart->prodSeries()->at(49).y(), b = chart->shadowSeries()->at(49).y();
        QVERIFY(std::abs(a - b) < 0.2 * a);
    }

    void exportWritesEveryFormat()
    {
        for (const char* ext : {"html", "md", "json"}) {
            const QString path = m_dir.filePath(QStringLiteral("report.") + QLatin1String(ext));
            QSignalSpy exported(m_view.get(), &DiffView::exported);
            m_view->exportReport(path);
            QVERIFY(exported.wait(10000));
            QCOMPARE(exported.first().at(1).toBool(), true);
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray bytes = file.readAll();
            QVERIFY(bytes.contains("latency_regression"));
            if (QLatin1String(ext) == QLatin1String("json")) {
                const QJsonObject json = QJsonDocument::fromJson(bytes).object();
                QCOMPARE(json.value(QStringLiteral("statements")).toArray().size(), 3);
                QCOMPARE(json.value(QStringLiteral("alerts")).toArray().size(), 1);
            }
        }
        QSignalSpy failed(m_view.get(), &DiffView::exported);
        m_view->exportReport(m_dir.filePath(QStringLiteral("report.txt")));
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.first().at(1).toBool(), false);
    }

    void comparePlansNamesTheNode()
    {
        const LabState& lab = test::sharedLab();
        for (const QString& admin : {lab.production.conninfo, lab.shadow.conninfo}) {
            QVERIFY(
                test::scratchSql(admin, QStringLiteral("postgres"),
                                 QStringLiteral("DROP DATABASE IF EXISTS diffgui WITH (FORCE)")));
            QVERIFY(test::scratchSql(admin, QStringLiteral("postgres"),
                                     QStringLiteral("CREATE DATABASE diffgui")));
            for (const char* sql :
                 {"CREATE TABLE t (k int, v text)", "INSERT INTO t SELECT g, md5(g::text) FROM "
                                                    "generate_series(1, 40000) g"})
                QVERIFY(test::scratchSql(admin, QStringLiteral("diffgui"), QLatin1String(sql)));
        }
        QVERIFY(test::scratchSql(lab.production.conninfo, QStringLiteral("diffgui"),
                                 QStringLiteral("CREATE INDEX t_k ON t (k)")));
        for (const QString& conninfo : {lab.production.conninfo, lab.shadow.conninfo})
            QVERIFY(
                test::scratchSql(conninfo, QStringLiteral("diffgui"), QStringLiteral("ANALYZE t")));
        Host prod;
        prod.name = QStringLiteral("diff-prod");
        prod.role = HostRole::Production;
        prod.conninfo = lab.production.conninfo;
        Host shadow;
        shadow.name = QStringLiteral("diff-shadow");
        shadow.role = HostRole::Shadow;
        shadow.conninfo = lab.shadow.conninfo;
        m_view->setHosts({prod, shadow});

        auto* table = child<QTableView>("diffTable");
        table->sortByColumn(DiffTableModel::RatioColumn, Qt::DescendingOrder);
        table->selectRow(0);
        QSignalSpy compared(m_view.get(), &DiffView::plansCompared);
        QTest::mouseClick(child<QPushButton>("comparePlansButton"), Qt::LeftButton);
        QVERIFY(compared.wait(60000));
        QVERIFY2(compared.first().first().toBool(), qPrintable(child<QLabel>("planLabel")->text()));
        auto* plans = child<QTableWidget>("planTable");
        QCOMPARE(plans->rowCount(), 1);
        QCOMPARE(plans->item(0, 1)->text(), QStringLiteral("Index Scan using t_k on t"));
        QCOMPARE(plans->item(0, 2)->text(), QStringLiteral("Seq Scan on t"));
        QVERIFY(child<QLabel>("planLabel")->text().contains(QLatin1String("differ")));
        QCOMPARE(m_view->report().plans.size(), size_t(1));
        // The comparison goes into what is exported.
        const QString path = m_dir.filePath(QStringLiteral("with-plans.json"));
        QSignalSpy exported(m_view.get(), &DiffView::exported);
        m_view->exportReport(path);
        QVERIFY(exported.wait(10000));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray plansJson = QJsonDocument::fromJson(file.readAll())
                                         .object()
                                         .value(QStringLiteral("plans"))
                                         .toArray();
        QCOMPARE(plansJson.size(), 1);
        QCOMPARE(plansJson.first().toObject().value(QStringLiteral("same_shape")).toBool(), false);
        QVERIFY(std::any_of(m_events.begin(), m_events.end(), [](const Event& e) {
            return e.severity == Severity::Warning &&
                   e.message.contains(QLatin1String("Seq Scan on t"));
        }));
    }

    void cancelStopsTheAnalysis()
    {
        const QString big = m_dir.filePath(QStringLiteral("big"));
        QVERIFY(test::writeCapture(big, statements(Count, 150000, 1.0, 1.0, 40)));
        m_view->setCaptureDir(big);
        QSignalSpy finished(m_view.get(), &DiffView::analysisFinished);
        m_view->run();
        QVERIFY(m_view->isBusy());
        QTest::mouseClick(child<QPushButton>("cancelButton"), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().toBool(), false);
        QCOMPARE(child<QLabel>("statusLabel")->text(), QStringLiteral("Cancelled."));
        QVERIFY(!m_view->isBusy());
        QVERIFY(child<QPushButton>("runButton")->isEnabled());
        QCOMPARE(proxy()->rowCount(), 3); // the last analysis stays
    }
};

QTEST_MAIN(TestDiffView)
#include "TestDiffView.moc"
