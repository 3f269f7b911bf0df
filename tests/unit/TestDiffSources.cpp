// SPDX-License-Identifier: GPL-3.0-or-later
// Reading a differential analysis's input from a capture written by the real writer: mirrored
// pairs with WAL synchronisation unknown, true and false are counted and said in the report's
// notes; unsynchronized pairs stay out of the result comparison while a synchronized pair with
// a different result hash is divergent; one sample per fingerprint is kept (a call that
// succeeded, with its parameters and database); the latencies of both sides are handed out; a
// cancelled read says so.
#include "CaptureFixture.h"

#include "diff/DiffSources.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

const std::string Lookup = "SELECT v FROM t WHERE k = $1";
const std::string Count = "SELECT count(*) FROM t WHERE v LIKE 'a%'";

} // namespace

class TestDiffSources : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    int m_captures = 0;

    // A fresh capture directory each time: the writer appends to what a directory holds.
    QString writeMixed()
    {
        const QString dir = m_dir.filePath(QStringLiteral("mixed%1").arg(++m_captures));
        std::vector<CaptureRecord> records;
        // The first call failed on production: not the sample to explain.
        CaptureRecord failed = test::mirroredCall(Lookup, 1, 1, true);
        failed.protocol = CaptureRecord::Protocol::Extended;
        failed.parameters = {{23, 0, std::string("1")}};
        failed.sqlState = "57014";
        records.push_back(failed);
        const auto prod = test::lognormalMs(300, 1.0, 1);
        const auto shadow = test::lognormalMs(300, 1.0, 2);
        for (size_t i = 0; i < prod.size(); ++i) {
            CaptureRecord r = test::mirroredCall(Lookup, prod[i], shadow[i], true, 7, 7);
            r.protocol = CaptureRecord::Protocol::Extended;
            r.parameters = {{23, 0, std::to_string(i + 2)}};
            records.push_back(r);
        }
        // 20 pairs the shadow had not caught up with (their hashes differ: lag, not a bug),
        // 30 with the position unknown, and 2 synchronized ones whose results differ.
        for (int i = 0; i < 20; ++i)
            records.push_back(test::mirroredCall(Count, 5, 5, false, 1, 2));
        for (int i = 0; i < 30; ++i)
            records.push_back(test::mirroredCall(Count, 5, 5));
        for (int i = 0; i < 2; ++i)
            records.push_back(test::mirroredCall(Count, 5, 5, true, 3, 4));
        return test::writeCapture(dir, std::move(records)) ? dir : QString();
    }

private Q_SLOTS:
    void countsSynchronisationAndDivergence()
    {
        const QString dir = writeMixed();
        QVERIFY(!dir.isEmpty());
        auto input = readDiffInput(dir);
        QVERIFY2(input, qPrintable(input ? QString() : input.error().message));
        QCOMPARE(input->statements, std::int64_t(353));
        QCOMPARE(input->mirrored, std::int64_t(353));
        QCOMPARE(input->syncUnknown, std::int64_t(30));
        QCOMPARE(input->unsynchronized, std::int64_t(20));
        const QStringList notes = input->notes();
        QCOMPARE(notes.size(), 2);
        QVERIFY2(notes[0].contains(QLatin1String("WAL positions not watched for 30 of 353")),
                 qPrintable(notes[0]));
        QVERIFY2(notes[1].startsWith(
                     QLatin1String("20 pairs unsynchronized, left out of result comparison")),
                 qPrintable(notes[1]));

        const DiffReport report = input->report({}, DiffEngine::Options{});
        QCOMPARE(report.notes, notes);
        const StatementDiff* count = nullptr;
        for (const StatementDiff& d : report.statements)
            if (d.query.contains(QLatin1String("count")))
                count = &d;
        QVERIFY(count);
        QCOMPARE(count->unsynchronized, std::int64_t(20));
        QCOMPARE(count->comparedResults, std::int64_t(32));
        QCOMPARE(count->divergentResults, std::int64_t(2)); // not the 20 lagging ones
        QCOMPARE(report.alerts.size(), size_t(1));
        QCOMPARE(report.alerts[0].rule, QStringLiteral("result_divergence"));
        QCOMPARE(report.toJson().value(QStringLiteral("notes")).toArray().size(), 2);
    }

    void keepsASucceededSamplePerFingerprint()
    {
        auto input = readDiffInput(writeMixed());
        QVERIFY(input);
        QCOMPARE(input->samples.size(), 2);
        QString fingerprint;
        for (const StatementDiff& d : input->engine.compare())
            if (d.query.contains(QLatin1String("WHERE k")))
                fingerprint = d.fingerprint;
        QVERIFY(!fingerprint.isEmpty());
        const SampleStatement* sample = input->sample(fingerprint);
        QVERIFY(sample);
        QCOMPARE(sample->text, Lookup);
        QCOMPARE(sample->database, QStringLiteral("appdb"));
        QCOMPARE(sample->protocol, CaptureRecord::Protocol::Extended);
        QCOMPARE(sample->parameters.size(), size_t(1));
        QCOMPARE(*sample->parameters[0].value, std::string("2")); // the first call that succeeded
        QCOMPARE(sample->parameters[0].typeOid, 23u);

        const LatencySamples latencies = input->engine.latencies(fingerprint);
        QCOMPARE(latencies.prod.size(), size_t(301));
        QCOMPARE(latencies.shadow.size(), size_t(301));
        QVERIFY(input->engine.latencies(QStringLiteral("no such fingerprint")).prod.empty());
    }

    void allPositionsUnknownSaysNotWatched()
    {
        const QString dir = m_dir.filePath(QStringLiteral("unwatched"));
        QVERIFY(test::writeCapture(
            dir, {test::mirroredCall(Count, 1, 1), test::mirroredCall(Count, 1, 2)}));
        auto input = readDiffInput(dir);
        QVERIFY(input);
        QCOMPARE(input->notes().size(), 1);
        QVERIFY(input->notes()[0].startsWith(QLatin1String("WAL positions not watched:")));
        QCOMPARE(input->report({}, DiffEngine::Options{}).statements[0].comparedResults,
                 std::int64_t(2));
    }

    void cancelledReadSaysSo()
    {
        CancelToken cancel;
        cancel.cancel();
        auto input = readDiffInput(writeMixed(), {}, cancel);
        QVERIFY(!input);
        QCOMPARE(input.error().code, ErrorCode::Cancelled);
    }

    void captureWithoutMirroringNeedsAReplay()
    {
        const QString dir = m_dir.filePath(QStringLiteral("plain"));
        CaptureRecord r = test::mirroredCall(Count, 1, 1);
        r.shadow.reset();
        QVERIFY(test::writeCapture(dir, {r}));
        auto input = readDiffInput(dir);
        QVERIFY(!input);
        QCOMPARE(input.error().code, ErrorCode::InvalidInput);
    }
};

QTEST_GUILESS_MAIN(TestDiffSources)
#include "TestDiffSources.moc"
