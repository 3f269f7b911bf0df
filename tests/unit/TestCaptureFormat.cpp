// SPDX-License-Identifier: GPL-3.0-or-later
// The capture format: records round-trip through writer and reader; rotation by size and time;
// segments are 0600; a torn tail is skipped with a warning; a flipped byte is reported with its
// segment and offset and reading goes on; drops are counted and noted in the capture.
#include "workload/CaptureReader.h"
#include "workload/CaptureSegment.h"
#include "workload/CaptureWriter.h"
#include "workload/Crc32c.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace doppel;

namespace {

CaptureRecord sample(int i)
{
    CaptureRecord r;
    r.timestampUs = 1'700'000'000'000'000 + i;
    r.sessionId = 7 + i % 3;
    r.user = "alice";
    r.database = "app";
    r.applicationName = "pgbench";
    r.clientAddress = "127.0.0.1:5555";
    r.protocol = i % 2 ? CaptureRecord::Protocol::Extended : CaptureRecord::Protocol::Simple;
    r.statement = "SELECT abalance FROM pgbench_accounts WHERE aid = $1 -- " + std::to_string(i);
    if (i % 2) {
        r.statementName = "P_1";
        r.parameters = {CaptureParameter{23, 0, std::string("42")},
                        CaptureParameter{17, 1, std::string("\0\1", 2)},
                        CaptureParameter{0, 0, std::nullopt}};
    }
    r.durationUs = 100 + i;
    r.rows = i;
    r.sqlState = i % 5 == 0 ? "57014" : "";
    r.transactionStatus = i % 2 ? 'T' : 'I';
    return r;
}

QStringList segmentFiles(const QString& dir)
{
    QStringList out;
    for (const QString& f : QDir(dir).entryList(QDir::Files, QDir::Name))
        if (capture::segmentSequence(f) >= 0)
            out << QDir(dir).filePath(f);
    return out;
}

QList<CaptureRecord> readAll(const QString&, CaptureReader& reader)
{
    QList<CaptureRecord> out;
    const auto st = reader.read([&](const CaptureRecord& r) { out.append(r); });
    if (!st)
        qWarning() << st.error().message;
    return out;
}

void writeRecords(const CaptureWriterOptions& o, int n)
{
    auto w = CaptureWriter::open(o);
    QVERIFY2(w.ok(), w.ok() ? "" : qPrintable(w.error().message));
    for (int i = 0; i < n; ++i)
        QVERIFY((*w)->submit(sample(i)));
    (*w)->close();
    QCOMPARE((*w)->dropped(), std::uint64_t(0));
}

} // namespace

class TestCaptureFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void crcKnownVector()
    {
        QCOMPARE(crc32c("123456789", 9), 0xE3069283u);
        QCOMPARE(crc32c("", 0), 0u);
        const std::string s(1000, 'x');
        QCOMPARE(crc32c(s.data() + 500, 500, crc32c(s.data(), 500)), crc32c(s.data(), 1000));
    }

    void recordRoundTrip_data()
    {
        QTest::addColumn<int>("index");
        for (int i : {0, 1, 5})
            QTest::newRow(qPrintable(QStringLiteral("record %1").arg(i))) << i;
    }
    void recordRoundTrip()
    {
        QFETCH(int, index);
        std::string bytes;
        sample(index).serialize(bytes);
        auto back = CaptureRecord::deserialize(bytes);
        QVERIFY(back.has_value());
        QVERIFY(*back == sample(index));
        QVERIFY(!CaptureRecord::deserialize(std::string_view(bytes).substr(0, bytes.size() - 1)));
    }

    void writeReadPermissions()
    {
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.filePath("cap");
        writeRecords(o, 100);
        const QStringList files = segmentFiles(o.dir);
        QCOMPARE(files.size(), 1);
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(files.first()).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        CaptureReader reader(o.dir);
        const auto records = readAll(o.dir, reader);
        QCOMPARE(records.size(), 100);
        for (int i = 0; i < 100; ++i)
            QVERIFY(records[i] == sample(i));
        QVERIFY(reader.issues().isEmpty());
    }

    void rotationBySize()
    {
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        o.maxSegmentBytes = 4096;
        writeRecords(o, 200);
        const QStringList files = segmentFiles(o.dir);
        QVERIFY2(files.size() > 3, qPrintable(QString::number(files.size())));
        for (const QString& f : files)
            QVERIFY(QFileInfo(f).size() <= 4096);
        CaptureReader reader(o.dir);
        const auto records = readAll(o.dir, reader);
        QCOMPARE(records.size(), 200);
        QVERIFY(records.last() == sample(199));
    }

    void rotationByTime()
    {
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        o.maxSegmentSeconds = 1;
        auto w = CaptureWriter::open(o);
        QVERIFY(w.ok());
        (*w)->submit(sample(0));
        (*w)->flush();
        QTest::qWait(1100);
        (*w)->submit(sample(1));
        (*w)->close();
        QCOMPARE(segmentFiles(o.dir).size(), 2);
        CaptureReader reader(o.dir);
        QCOMPARE(readAll(o.dir, reader).size(), 2);
    }

    void reopenStartsNewSegment()
    {
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        writeRecords(o, 3);
        writeRecords(o, 4);
        QCOMPARE(segmentFiles(o.dir).size(), 2);
        CaptureReader reader(o.dir);
        QCOMPARE(readAll(o.dir, reader).size(), 7);
    }

    void tornTail_data()
    {
        QTest::addColumn<int>("cut");
        QTest::newRow("mid payload") << 20;
        QTest::newRow("mid frame header") << 3;
        QTest::newRow("one byte short") << 1;
    }
    void tornTail()
    {
        QFETCH(int, cut);
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        writeRecords(o, 10);
        const QString file = segmentFiles(o.dir).first();
        // Cut the last record: keep everything up to its start plus `cut` bytes.
        std::string last;
        sample(9).serialize(last);
        const qint64 lastFrame = qint64(last.size()) + capture::kFrameHeaderSize;
        const qint64 start = QFileInfo(file).size() - lastFrame;
        QVERIFY(QFile::resize(file, start + (cut == 1 ? lastFrame - 1 : cut)));
        CaptureReader reader(o.dir);
        const auto records = readAll(o.dir, reader);
        QCOMPARE(records.size(), 9);
        QCOMPARE(reader.damaged(), qint64(0));
        QCOMPARE(reader.issues().size(), 1);
        QVERIFY(reader.issues().first().tornTail);
        QCOMPARE(reader.issues().first().offset, start);
    }

    void flippedByte_data()
    {
        QTest::addColumn<int>(
            "where"); // byte inside the 4th frame: 0-3 length, 4-7 crc, 8+ payload
        QTest::newRow("payload") << 30;
        QTest::newRow("checksum") << 5;
        QTest::newRow("length") << 1;
    }
    void flippedByte()
    {
        QFETCH(int, where);
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        writeRecords(o, 10);
        const QString file = segmentFiles(o.dir).first();
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray d = f.readAll();
        qint64 pos = capture::kHeaderSize;
        for (int i = 0; i < 3; ++i) {
            std::string payload;
            sample(i).serialize(payload);
            pos += qint64(payload.size()) + capture::kFrameHeaderSize;
        }
        d[pos + where] = char(d[pos + where] ^ 0x5a);
        f.seek(0);
        f.write(d);
        f.close();
        CaptureReader reader(o.dir);
        const auto records = readAll(o.dir, reader);
        QCOMPARE(records.size(), 9);
        QCOMPARE(reader.damaged(), qint64(1));
        QCOMPARE(reader.issues().size(), 1);
        const CaptureIssue& issue = reader.issues().first();
        QVERIFY(!issue.tornTail);
        QCOMPARE(issue.offset, pos);
        QCOMPARE(issue.segment, QFileInfo(file).fileName());
        QVERIFY(records[3] == sample(4));
        QVERIFY(records[8] == sample(9));
    }

    void dropsAreCountedAndNoted()
    {
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        o.queueCapacity = 0; // a disk that never keeps up
        auto w = CaptureWriter::open(o);
        QVERIFY(w.ok());
        for (int i = 0; i < 5; ++i)
            QVERIFY(!(*w)->submit(sample(i)));
        (*w)->close();
        QCOMPARE((*w)->dropped(), std::uint64_t(5));
        CaptureReader reader(o.dir);
        const auto records = readAll(o.dir, reader);
        QCOMPARE(records.size(), 1);
        QCOMPARE(records.first().kind, CaptureRecord::Kind::Dropped);
        QCOMPARE(records.first().droppedCount, std::uint64_t(5));
    }

    void batchOverCapacityDropsTheRest()
    {
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        o.queueCapacity = 3;
        auto w = CaptureWriter::open(o);
        QVERIFY(w.ok());
        std::vector<CaptureRecord> batch;
        for (int i = 0; i < 5; ++i)
            batch.push_back(sample(i));
        // The writer may already have taken some; at most 3 wait in the queue at once.
        const std::size_t accepted = (*w)->submitBatch(batch);
        QVERIFY(batch.empty());
        QCOMPARE(accepted, std::size_t(3));
        (*w)->close();
        QCOMPARE((*w)->dropped(), std::uint64_t(2));
        CaptureReader reader(o.dir);
        const auto records = readAll(o.dir, reader);
        QCOMPARE(records.size(), 4); // three statements and the note of two dropped
        int notes = 0;
        for (const CaptureRecord& r : records) {
            if (r.kind == CaptureRecord::Kind::Dropped) {
                QCOMPARE(r.droppedCount, std::uint64_t(2));
                ++notes;
            }
        }
        QCOMPARE(notes, 1);
    }

    void redactionKeepsNoValues()
    {
        QTemporaryDir tmp;
        CaptureWriterOptions o;
        o.dir = tmp.path();
        o.redact = true;
        auto w = CaptureWriter::open(o);
        QVERIFY(w.ok());
        CaptureRecord simple = sample(0);
        simple.statement = "SELECT * FROM users WHERE email = 'alice@example.com' AND id = 42";
        (*w)->submit(CaptureRecord(simple));
        (*w)->submit(sample(1)); // extended, with parameter values
        (*w)->close();
        CaptureReader reader(o.dir);
        const auto records = readAll(o.dir, reader);
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[0].statement,
                 std::string("SELECT * FROM users WHERE email = $1 AND id = $2"));
        QVERIFY(!records[1].parameters.empty());
        for (const CaptureParameter& p : records[1].parameters)
            QVERIFY(!p.value.has_value());
        QCOMPARE(records[1].parameters[0].typeOid, 23u);
    }

    void badOptions()
    {
        CaptureWriterOptions o;
        QVERIFY(!CaptureWriter::open(o).ok());
        QVERIFY(!parseFsyncPolicy("sometimes").ok());
        QCOMPARE(*parseFsyncPolicy("always"), FsyncPolicy::Always);
        CaptureReader reader("/nonexistent/doppel-capture");
        QVERIFY(!reader.read([](const CaptureRecord&) {}).ok());
    }
};

QTEST_GUILESS_MAIN(TestCaptureFormat)
#include "TestCaptureFormat.moc"
