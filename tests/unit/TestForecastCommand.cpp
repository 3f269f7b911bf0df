// SPDX-License-Identifier: GPL-3.0-or-later
// `doppelctl forecast` as a user runs it: CSV in, CSV and JSON out, bad input named.
#include "store/Repository.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

class TestForecastCommand : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    int run(const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr)
    {
        QProcess p;
        p.start(QString::fromLocal8Bit(qgetenv("DOPPEL_BIN_DIR")) + QStringLiteral("/doppelctl"),
                QStringList{QStringLiteral("--repo"), path(QStringLiteral("repo.sqlite"))} + args);
        if (!p.waitForFinished(60000))
            return -1;
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitCode();
    }

    void write(const QString& name, const QByteArray& data)
    {
        QFile f(path(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (qEnvironmentVariableIsEmpty("DOPPEL_BIN_DIR"))
            QSKIP("DOPPEL_BIN_DIR is not set (run through ctest)");
        // Three days of five-minute load with a daily cycle, as epoch seconds.
        std::mt19937_64 rng(4);
        std::normal_distribution<double> e(0, 1.5);
        QByteArray csv = "timestamp,value\n";
        for (int t = 0; t < 3 * 288; ++t)
            csv += QByteArray::number(1'800'000'000LL + 300LL * t) + ',' +
                   QByteArray::number(50 + 20 * std::sin(2 * M_PI * t / 288) + e(rng), 'f', 3) +
                   '\n';
        write(QStringLiteral("load.csv"), csv);
    }

    void csvAndJsonOutputs()
    {
        QByteArray out, err;
        const int code = run(
            {QStringLiteral("forecast"), QStringLiteral("--input"),
             path(QStringLiteral("load.csv")), QStringLiteral("--horizon"), QStringLiteral("1d"),
             QStringLiteral("--level"), QStringLiteral("50,80,95"), QStringLiteral("--threshold"),
             QStringLiteral("68"), QStringLiteral("--output"), path(QStringLiteral("f.csv")),
             QStringLiteral("--json"), path(QStringLiteral("f.json"))},
            &out, &err);
        QVERIFY2(code == 0, err.constData());
        QVERIFY(out.contains("model: "));
        QFile csv(path(QStringLiteral("f.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.first(), QByteArray("step,timestamp,mean,lo50,hi50,lo80,hi80,lo95,hi95"));
        QCOMPARE(lines.size(), 1 + 288); // 1d of five-minute steps
        const QList<QByteArray> first = lines[1].split(',');
        QCOMPARE(first[0], QByteArray("1"));
        QCOMPARE(first[1], QByteArray("2027-01-18T08:00:00.000Z")); // one step after the last
        const double lo95 = first[7].toDouble(), lo80 = first[5].toDouble(),
                     mean = first[2].toDouble(), hi80 = first[6].toDouble(),
                     hi95 = first[8].toDouble();
        QVERIFY(lo95 < lo80 && lo80 < mean && mean < hi80 && hi80 < hi95);

        QFile jf(path(QStringLiteral("f.json")));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(jf.readAll()).object();
        QVERIFY(!j.value(QLatin1String("model")).toString().isEmpty());
        QVERIFY(j.value(QLatin1String("parameters")).isObject());
        QVERIFY(j.contains(QLatin1String("aicc")));
        QCOMPARE(j.value(QLatin1String("seasons")).toArray().first().toInt(), 288);
        QVERIFY(!j.value(QLatin1String("reason")).toString().isEmpty());
        // The daily peak is 70 ± noise: crossing 68 within a day is likely, not certain.
        const double p = j.value(QLatin1String("breachProbability")).toDouble(-1);
        QVERIFY2(p > 0.3 && p <= 1, qPrintable(QString::number(p)));
        const QJsonObject t = j.value(QLatin1String("expectedTimeToBreach")).toObject();
        QVERIFY(t.value(QLatin1String("steps")).toDouble() >= 1);
        QVERIFY(!t.value(QLatin1String("timestamp")).toString().isEmpty());
        QCOMPARE(j.value(QLatin1String("forecast")).toArray().size(), 288);
    }

    void csvToStdoutWithoutOutput()
    {
        QByteArray out, err;
        QCOMPARE(run({QStringLiteral("forecast"), QStringLiteral("--input"),
                      path(QStringLiteral("load.csv")), QStringLiteral("--horizon"),
                      QStringLiteral("3"), QStringLiteral("--model"), QStringLiteral("snaive"),
                      QStringLiteral("--season"), QStringLiteral("288")},
                     &out, &err),
                 0);
        QVERIFY(out.startsWith("step,timestamp,mean,lo80,hi80,lo95,hi95\n"));
        QCOMPARE(out.trimmed().split('\n').size(), 4);
        QVERIFY(err.contains("SeasonalNaive[288]"));
    }

    void badInputIsNamed_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("NaN") << QByteArray("value\n1\n2\nNaN\n") << QStringList{}
                             << QByteArray("line 4: value 'NaN' is not a finite number");
        QTest::newRow("model") << QByteArray("1\n2\n3\n") << QStringList{"--model", "prophet"}
                               << QByteArray("unknown --model 'prophet'");
        QTest::newRow("season") << QByteArray("1\n2\n3\n") << QStringList{"--season", "daily"}
                                << QByteArray("--season takes auto, none");
        QTest::newRow("duration without timestamps")
            << QByteArray("1\n2\n3\n") << QStringList{"--horizon", "1d"}
            << QByteArray("has no timestamps");
    }
    void badInputIsNamed()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QStringList, extra);
        QFETCH(QByteArray, message);
        write(QStringLiteral("bad.csv"), csv);
        QStringList args{QStringLiteral("forecast"), QStringLiteral("--input"),
                         path(QStringLiteral("bad.csv"))};
        if (!extra.contains(QStringLiteral("--horizon")))
            args << QStringLiteral("--horizon") << QStringLiteral("2");
        QByteArray err;
        QCOMPARE(run(args + extra, nullptr, &err), 2);
        QVERIFY2(err.contains(message), err.constData());
    }

    // Samples stored by `monitor` are forecast with the horizon as a duration: five-second
    // samples (with one missing) and --horizon 1m give 12 steps.
    void fromRepository()
    {
        {
            auto repo = doppel::Repository::open(path(QStringLiteral("repo.sqlite")));
            QVERIFY(repo.ok());
            doppel::Host host;
            host.name = QStringLiteral("prod1");
            host.conninfo = QStringLiteral("host=127.0.0.1");
            auto id = (*repo)->addHost(host);
            QVERIFY(id.ok());
            doppel::MetricSamples samples;
            const qint64 start = QDateTime::currentMSecsSinceEpoch() - 3'600'000;
            for (int i = 0; i < 600; ++i)
                if (i != 300)
                    samples.append(doppel::MetricSample{QStringLiteral("pg_connections_active"),
                                                        start + 5000LL * i,
                                                        20 + 0.05 * i + (i % 7)});
            QVERIFY((*repo)->appendSamples(*id, samples).ok());
        }
        QByteArray out, err;
        QCOMPARE(run({QStringLiteral("forecast"), QStringLiteral("--host"), QStringLiteral("prod1"),
                      QStringLiteral("--metric"), QStringLiteral("pg_connections_active"),
                      QStringLiteral("--horizon"), QStringLiteral("1m"), QStringLiteral("--json"),
                      path(QStringLiteral("repo.json"))},
                     &out, &err),
                 0);
        QCOMPARE(out.trimmed().split('\n').size(), 1 + 12);
        QFile jf(path(QStringLiteral("repo.json")));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(j.value(QLatin1String("source")).toString(),
                 QStringLiteral("prod1/pg_connections_active"));
        QCOMPARE(j.value(QLatin1String("stepSeconds")).toDouble(), 5.0);
        QCOMPARE(j.value(QLatin1String("gapsFilled")).toInt(), 1);
        QCOMPARE(j.value(QLatin1String("points")).toInt(), 600);
    }

    // A floor: the daily cycle's trough is about 30; a floor at 35 is crossed within a day, one
    // at 0 is not. --below without --threshold is refused.
    void floorThresholds()
    {
        QByteArray out, err;
        const auto breach = [&](const char* floor) {
            const QString json = path(QStringLiteral("floor-%1.json").arg(QLatin1String(floor)));
            if (run({QStringLiteral("forecast"), QStringLiteral("--input"),
                     path(QStringLiteral("load.csv")), QStringLiteral("--horizon"),
                     QStringLiteral("1d"), QStringLiteral("--threshold"), QLatin1String(floor),
                     QStringLiteral("--below"), QStringLiteral("--json"), json},
                    &out, &err) != 0)
                return QJsonObject{};
            QFile f(json);
            return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object()
                                               : QJsonObject{};
        };
        const QJsonObject near = breach("35");
        QVERIFY2(near.value(QLatin1String("thresholdBelow")).toBool(), err.constData());
        QVERIFY(near.value(QLatin1String("breachProbability")).toDouble() > 0.9);
        const QJsonObject far = breach("0");
        QVERIFY(far.value(QLatin1String("thresholdBelow")).toBool());
        QVERIFY(far.value(QLatin1String("breachProbability")).toDouble() < 0.05);
        QCOMPARE(run({QStringLiteral("forecast"), QStringLiteral("--input"),
                      path(QStringLiteral("load.csv")), QStringLiteral("--horizon"),
                      QStringLiteral("1d"), QStringLiteral("--below")},
                     nullptr, &err),
                 2);
        QVERIFY2(err.contains("--below qualifies --threshold"), err.constData());

        QCOMPARE(run({QStringLiteral("thresholds"), QStringLiteral("add"),
                      QStringLiteral("--metric"), QStringLiteral("disk_free_bytes"),
                      QStringLiteral("--value"), QStringLiteral("5e9"), QStringLiteral("--horizon"),
                      QStringLiteral("1w"), QStringLiteral("--below")},
                     &out, &err),
                 0);
        QVERIFY2(out.contains("disk_free_bytes < 5e+09"), out.constData());
        QCOMPARE(
            run({QStringLiteral("thresholds"), QStringLiteral("list"), QStringLiteral("--json")},
                &out, &err),
            0);
        const QJsonArray list = QJsonDocument::fromJson(out).array();
        bool found = false;
        for (const auto& v : list)
            found |= v.toObject().value(QLatin1String("metric")).toString() ==
                         QLatin1String("disk_free_bytes") &&
                     v.toObject().value(QLatin1String("below")).toBool() &&
                     QDateTime::fromString(v.toObject().value(QLatin1String("created")).toString(),
                                           Qt::ISODate)
                         .isValid();
        QVERIFY2(found, out.constData());
    }

    void unknownHostIsAnError()
    {
        QByteArray err;
        QVERIFY(run({QStringLiteral("forecast"), QStringLiteral("--host"), QStringLiteral("nope"),
                     QStringLiteral("--metric"), QStringLiteral("cpu_percent"),
                     QStringLiteral("--horizon"), QStringLiteral("1h")},
                    nullptr, &err) != 0);
        QVERIFY2(err.contains("nope"), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestForecastCommand)
#include "TestForecastCommand.moc"
