// SPDX-License-Identifier: GPL-3.0-or-later
// The Thresholds dialog on a temporary repository with several hosts and thresholds (per host and
// for all hosts, ceilings and floors): it lists every one with its creation time, removes the
// selected one whatever the table's sort order, adds one the way the Forecast view does (stored,
// fitted, a recommendation logged when at risk), and names what went wrong: a threshold removed
// meanwhile by someone else, a host that is gone, a file that is not a repository.
#include "ThresholdsDialog.h"

#include "MessageBanner.h"

#include "forecast/ForecastAlerts.h"
#include "store/Repository.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

using namespace doppel;
using forecast::DayMs;
using forecast::HourMs;
using forecast::WeekMs;

namespace {

enum Column { Id, HostCol, Metric, Direction, Value, Within, Probability, Created };

Host makeHost(const QString& name)
{
    Host h;
    h.name = name;
    h.conninfo = QStringLiteral("host=127.0.0.1 dbname=app");
    return h;
}

} // namespace

class TestThresholdsDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    std::vector<Host> m_hosts;
    qint64 m_created = 0;
    QList<qint64> m_ids; // cpu on db1, disk floor on db2, connections on all hosts
    std::unique_ptr<ThresholdsDialog> m_dialog;

    template <typename T> T* child(const char* name)
    {
        auto* w = m_dialog->findChild<T*>(QLatin1String(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }
    bool waitIdle()
    {
        return QTest::qWaitFor([this] { return !m_dialog->isBusy(); }, 30000);
    }
    QTableWidget* table() { return child<QTableWidget>("thresholdsTable"); }
    QString bannerText() { return child<MessageBanner>("thresholdsBanner")->text(); }
    std::vector<ForecastThreshold> stored()
    {
        auto repo = Repository::open(m_path);
        if (!repo)
            qFatal("%s", qPrintable(repo.error().message));
        return *(*repo)->thresholds();
    }
    int rowOf(qint64 id)
    {
        for (int row = 0; row < table()->rowCount(); ++row)
            if (table()->item(row, Id)->text() == QString::number(id))
                return row;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_path = m_dir.filePath(QStringLiteral("doppel.sqlite"));
        auto repo = Repository::open(m_path);
        QVERIFY(repo.ok());
        for (const QString& name : {QStringLiteral("db1"), QStringLiteral("db2")}) {
            QVERIFY((*repo)->addHost(makeHost(name)).ok());
            m_hosts.push_back(*(*repo)->host(name));
        }
        // db1's CPU: 50 % ± 20 with its peak at noon, four days of five-minute samples.
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0, 1);
        const qint64 step = 300'000;
        const qint64 end = QDateTime::currentMSecsSinceEpoch() / step * step;
        MetricSamples samples;
        const int n = 4 * 288;
        for (int i = 0; i < n; ++i)
            samples.append({QStringLiteral("cpu_percent"), end - qint64(n - 1 - i) * step,
                            50 - 20 * std::cos(2 * M_PI * (i % 288) / 288.0) + noise(rng)});
        QVERIFY((*repo)->appendSamples(m_hosts[0].id, samples).ok());

        m_created = QDateTime::fromString(QStringLiteral("2026-03-01T08:30:00Z"), Qt::ISODate)
                        .toMSecsSinceEpoch();
        const std::vector<ForecastThreshold> thresholds = {
            {0, QStringLiteral("db1"), QStringLiteral("cpu_percent"), 80, DayMs, 0.8, false,
             m_created},
            {0, QStringLiteral("db2"), QStringLiteral("disk_free_bytes"), 5e9, WeekMs, 0.9, true,
             m_created + 60'000},
            {0, QString(), QStringLiteral("pg_connections_total"), 90, HourMs, 0.5, false,
             m_created + 120'000},
        };
        for (const ForecastThreshold& t : thresholds) {
            auto id = (*repo)->addThreshold(t);
            QVERIFY(id.ok());
            m_ids << *id;
        }
        m_dialog = std::make_unique<ThresholdsDialog>(m_path, m_hosts);
        m_dialog->show();
        QVERIFY(waitIdle());
    }

    void listsEveryThreshold()
    {
        QCOMPARE(table()->rowCount(), 3);
        QCOMPARE(int(m_dialog->thresholds().size()), 3);
        QCOMPARE(child<QLabel>("thresholdsCount")->text(), QStringLiteral("3 threshold(s)"));
        const auto cells = [this](qint64 id) {
            const int row = rowOf(id);
            QStringList out;
            if (row < 0)
                return out;
            for (int c = HostCol; c <= Created; ++c)
                out << table()->item(row, c)->text();
            return out;
        };
        QCOMPARE(cells(m_ids[0]), QStringList({"db1", "cpu_percent", "above", "80", "1 day", "80 %",
                                               "2026-03-01 08:30 UTC"}));
        QCOMPARE(cells(m_ids[1]), QStringList({"db2", "disk_free_bytes", "below", "5000000000",
                                               "1 week", "90 %", "2026-03-01 08:31 UTC"}));
        QCOMPARE(cells(m_ids[2]), QStringList({"all hosts", "pg_connections_total", "above", "90",
                                               "1 h", "50 %", "2026-03-01 08:32 UTC"}));
        // Nothing selected, nothing to remove; the form offers the inventory's hosts.
        QVERIFY(!child<QPushButton>("removeThresholdsButton")->isEnabled());
        QCOMPARE(child<QComboBox>("thresholdHostCombo")->count(), 2);
    }

    // Sorted by value, highest first: the disk floor comes first, and Remove takes exactly it.
    void removeRemovesTheSelectedOne()
    {
        QSignalSpy changed(m_dialog.get(), &ThresholdsDialog::thresholdsChanged);
        table()->sortByColumn(Value, Qt::DescendingOrder);
        QCOMPARE(table()->item(0, Metric)->text(), QStringLiteral("disk_free_bytes"));
        table()->selectRow(0);
        auto* remove = child<QPushButton>("removeThresholdsButton");
        QVERIFY(remove->isEnabled());
        QTest::mouseClick(remove, Qt::LeftButton);
        QVERIFY(waitIdle());
        QCOMPARE(changed.count(), 1);
        const auto left = stored();
        QCOMPARE(int(left.size()), 2);
        for (const ForecastThreshold& t : left)
            QVERIFY(t.id != m_ids[1]);
        QCOMPARE(table()->rowCount(), 2);
        QCOMPARE(rowOf(m_ids[1]), -1);
        QVERIFY(rowOf(m_ids[0]) >= 0 && rowOf(m_ids[2]) >= 0);
        QVERIFY(bannerText().isEmpty() || !child<MessageBanner>("thresholdsBanner")->isVisible());
    }

    // Someone removed it with doppelctl while the dialog showed it: the error names it and why.
    void removingAVanishedThresholdIsNamed()
    {
        QSignalSpy failed(m_dialog.get(), &ThresholdsDialog::failed);
        QSignalSpy changed(m_dialog.get(), &ThresholdsDialog::thresholdsChanged);
        m_dialog->selectThresholds({m_ids[2]});
        {
            auto repo = Repository::open(m_path);
            QVERIFY((*repo)->removeThreshold(m_ids[2]).ok());
        }
        QTest::mouseClick(child<QPushButton>("removeThresholdsButton"), Qt::LeftButton);
        QVERIFY(waitIdle());
        QCOMPARE(failed.count(), 1);
        const QString expected = QStringLiteral("Removing threshold #%1 failed: No threshold with "
                                                "id %1")
                                     .arg(m_ids[2]);
        QCOMPARE(failed.first().first().toString(), expected);
        QCOMPARE(bannerText(), expected);
        QCOMPARE(child<MessageBanner>("thresholdsBanner")->type(), MessageBanner::Type::Error);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(table()->rowCount(), 1); // the list is read again: only db1's CPU is left
        QVERIFY(rowOf(m_ids[0]) >= 0);
    }

    // Add does what the Forecast view's Add does: store, fit, log the recommendation at risk.
    void addBelowDailyPeakLogsRecommendation()
    {
        QSignalSpy logged(m_dialog.get(), &ThresholdsDialog::eventLogged);
        QSignalSpy changed(m_dialog.get(), &ThresholdsDialog::thresholdsChanged);
        auto* host = child<QComboBox>("thresholdHostCombo");
        host->setCurrentIndex(host->findText(QStringLiteral("db1")));
        auto* metric = child<QComboBox>("thresholdMetricCombo");
        metric->setCurrentIndex(metric->findText(QStringLiteral("cpu_percent")));
        child<QDoubleSpinBox>("thresholdValue")->setValue(65);
        auto* horizon = child<QComboBox>("thresholdHorizon");
        horizon->setCurrentIndex(horizon->findData(DayMs));
        child<QDoubleSpinBox>("thresholdProbability")->setValue(80);
        QTest::mouseClick(child<QPushButton>("addThresholdButton"), Qt::LeftButton);
        QVERIFY(waitIdle());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(logged.count(), 1);
        const auto event = logged.first().first().value<Event>();
        QCOMPARE(event.source, QStringLiteral("forecast"));
        QCOMPARE(event.host, QStringLiteral("db1"));
        QVERIFY2(event.message.contains(QStringLiteral("cpu_percent is forecast to exceed 65")),
                 qPrintable(event.message));
        QVERIFY2(bannerText().contains(QStringLiteral("recommendation logged")),
                 qPrintable(bannerText()));
        const auto all = stored();
        QCOMPARE(int(all.size()), 2);
        const ForecastThreshold& added = all.back();
        QCOMPARE(added.value, 65.0);
        QCOMPARE(added.host, QStringLiteral("db1"));
        QCOMPARE(added.horizonMs, DayMs);
        QCOMPARE(added.probability, 0.8);
        QVERIFY(!added.below);
        QVERIFY(added.createdMs > 0);
        QCOMPARE(table()->rowCount(), 2);
        QVERIFY(rowOf(added.id) >= 0);
        QVERIFY(bannerText().contains(QStringLiteral("#%1").arg(added.id)));

        // A floor on a metric with no samples yet is stored; its risk waits for the service.
        host->setCurrentIndex(host->findText(QStringLiteral("db2")));
        metric->setCurrentIndex(metric->findText(QStringLiteral("disk_free_bytes")));
        auto* direction = child<QComboBox>("thresholdDirection");
        direction->setCurrentIndex(direction->findData(true));
        child<QDoubleSpinBox>("thresholdValue")->setValue(1e9);
        QTest::mouseClick(child<QPushButton>("addThresholdButton"), Qt::LeftButton);
        QVERIFY(waitIdle());
        QCOMPARE(logged.count(), 1);
        QCOMPARE(int(stored().size()), 3);
        QVERIFY(stored().back().below);
        QVERIFY2(bannerText().contains(QStringLiteral("risk is not known yet")),
                 qPrintable(bannerText()));
        QCOMPARE(child<MessageBanner>("thresholdsBanner")->type(), MessageBanner::Type::Warning);
        QCOMPARE(table()->rowCount(), 3);
        direction->setCurrentIndex(direction->findData(false));
    }

    // The inventory the form offers still has a host the repository lost.
    void addingForAHostThatIsGoneIsNamed()
    {
        QSignalSpy failed(m_dialog.get(), &ThresholdsDialog::failed);
        std::vector<Host> hosts = m_hosts;
        hosts.push_back(makeHost(QStringLiteral("ghost")));
        m_dialog->setHosts(hosts);
        auto* host = child<QComboBox>("thresholdHostCombo");
        host->setCurrentIndex(host->findText(QStringLiteral("ghost")));
        const int before = int(stored().size());
        QTest::mouseClick(child<QPushButton>("addThresholdButton"), Qt::LeftButton);
        QVERIFY(waitIdle());
        QCOMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.startsWith(QStringLiteral("Adding the threshold ")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("No host named 'ghost'")), qPrintable(message));
        QCOMPARE(bannerText(), message);
        QCOMPARE(int(stored().size()), before);
        m_dialog->setHosts(m_hosts);
    }

    void unreadableRepositoryIsNamed()
    {
        const QString notRepo = m_dir.filePath(QStringLiteral("notes.txt"));
        QFile f(notRepo);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a database, just notes\n");
        f.close();
        ThresholdsDialog dialog(notRepo, m_hosts);
        QSignalSpy failed(&dialog, &ThresholdsDialog::failed);
        QVERIFY(QTest::qWaitFor([&] { return !dialog.isBusy(); }, 10000));
        QCOMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.startsWith(QStringLiteral("Could not read the thresholds: ")),
                 qPrintable(message));
        QVERIFY2(message.contains(notRepo), qPrintable(message));
        QCOMPARE(dialog.findChild<QTableWidget*>(QStringLiteral("thresholdsTable"))->rowCount(), 0);
    }

    void cleanupTestCase() { m_dialog.reset(); }
};

QTEST_MAIN(TestThresholdsDialog)
#include "TestThresholdsDialog.moc"
