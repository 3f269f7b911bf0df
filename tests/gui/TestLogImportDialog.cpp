// SPDX-License-Identifier: GPL-3.0-or-later
// The log import dialog on the shared lab: the shadow server's log directory is listed over
// SSH/SFTP (asked of the server), its csvlog files copied and imported into a capture holding
// exactly the statements run for the test; the same files picked on this machine give the same
// statements; an import is cancelled with a clear message and no capture left behind half-written.
#include "LabFixture.h"
#include "MemorySecretStore.h"

#include "ConnectorServices.h"
#include "LogImportDialog.h"
#include "postgres/PgConnection.h"
#include "workload/CaptureReader.h"

#include <QDateTime>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace doppel;

namespace {

constexpr int Markers = 40;

// Unique to this run, so a lab that served earlier runs does not count theirs.
const std::string& marker()
{
    static const std::string m =
        "doppel_gui_marker_" + std::to_string(QDateTime::currentMSecsSinceEpoch());
    return m;
}

int markersIn(const QString& captureDir)
{
    int n = 0;
    CaptureReader reader(captureDir);
    auto st = reader.read([&](const CaptureRecord& r) {
        n += r.statement.find(marker()) != std::string::npos ? 1 : 0;
    });
    return st ? n : -1;
}

QStringList localCsvLogs()
{
    const QString dir = test::sharedLab().shadow.dataDir + QStringLiteral("/log");
    QStringList out;
    for (const QString& f : QDir(dir).entryList({QStringLiteral("*.csv")}, QDir::Files, QDir::Name))
        out << dir + QLatin1Char('/') + f;
    return out;
}

int markersInFiles(const QStringList& files)
{
    int n = 0;
    for (const QString& f : files) {
        QFile in(f);
        if (in.open(QIODevice::ReadOnly))
            n += int(in.readAll().count(
                QByteArray::fromStdString("execute <unnamed>: SELECT '" + marker() + "'")));
    }
    return n;
}

} // namespace

class TestLogImportDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::MemorySecretStore m_secrets;
    std::unique_ptr<HostServices> m_services;
    std::vector<Host> m_hosts;

    std::unique_ptr<LogImportDialog> dialog(const QString& out)
    {
        auto d = std::make_unique<LogImportDialog>(*m_services, m_hosts);
        d->setOutputDir(out);
        d->setFormat(LogImportOptions::Format::CsvLog);
        d->show();
        return d;
    }

    void clickImport(LogImportDialog& d)
    {
        QTest::mouseClick(d.findChild<QPushButton*>(QStringLiteral("startButton")), Qt::LeftButton);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const LabState& lab = test::sharedLab();
        const SshEndpoint ssh = Lab::sshEndpoint(lab);
        Host shadow;
        shadow.name = QStringLiteral("lab-shadow");
        shadow.role = HostRole::Shadow;
        shadow.conninfo = lab.shadow.conninfo;
        shadow.ssh = ssh;
        m_hosts = {shadow};
        m_services = createHostServices(m_secrets);

        pg::PgConnection::Options options;
        options.conninfo = lab.shadow.conninfo;
        auto admin = pg::PgConnection::connect(options);
        QVERIFY(admin);
        QVERIFY((*admin)->exec(QStringLiteral("DROP DATABASE IF EXISTS guiimport WITH (FORCE)")));
        QVERIFY((*admin)->exec(QStringLiteral("CREATE DATABASE guiimport")));
        QVERIFY((*admin)->exec(
            QStringLiteral("ALTER DATABASE guiimport SET log_min_duration_statement = 0")));
        options.conninfo = lab.shadow.conninfo + QStringLiteral(" dbname=guiimport");
        auto db = pg::PgConnection::connect(options);
        QVERIFY(db);
        for (int i = 0; i < Markers; ++i)
            QVERIFY((*db)->exec(
                QStringLiteral("SELECT '%1', %2").arg(QString::fromStdString(marker())).arg(i)));
        QVERIFY((*admin)->exec(QStringLiteral("DROP DATABASE guiimport WITH (FORCE)")));
        // The logging collector writes on its own time. Each statement is logged at parse, bind
        // and execute (extended protocol); the import makes one statement of the three.
        QTRY_COMPARE_WITH_TIMEOUT(markersInFiles(localCsvLogs()), Markers, 20000);
    }

    void hostLogsOverSftp()
    {
        const QString out = m_dir.filePath(QStringLiteral("remote"));
        auto d = dialog(out);
        d->useHost(QStringLiteral("lab-shadow")); // the directory is asked of the server
        QSignalSpy listed(d.get(), &LogImportDialog::listed);
        QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("listButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 1, 30000);
        auto* label = d->findChild<QLabel*>(QStringLiteral("statusLabel"));
        QVERIFY2(listed.first().first().toBool(), qPrintable(label->text()));
        QCOMPARE(d->findChild<QLineEdit*>(QStringLiteral("remoteDirEdit"))->text(),
                 test::sharedLab().shadow.dataDir + QStringLiteral("/log"));
        auto* list = d->findChild<QListWidget*>(QStringLiteral("remoteList"));
        int csv = 0, checked = 0;
        for (int i = 0; i < list->count(); ++i) {
            csv += list->item(i)->text().contains(QLatin1String(".csv")) ? 1 : 0;
            checked += list->item(i)->checkState() == Qt::Checked ? 1 : 0;
        }
        QCOMPARE(csv, int(localCsvLogs().size()));
        QCOMPARE(checked, csv); // the format's files are ticked, the stderr .log ones not
        QVERIFY(list->count() > csv);

        QSignalSpy finished(d.get(), &LogImportDialog::finished);
        clickImport(*d);
        QVERIFY(d->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY2(finished.first().first().toBool(), qPrintable(label->text()));
        auto* progress = d->findChild<QProgressBar*>(QStringLiteral("progress"));
        QCOMPARE(progress->value(), progress->maximum());
        QCOMPARE(markersIn(out), Markers);
        QVERIFY2(label->text().contains(QLatin1String("statements from")),
                 qPrintable(label->text()));
    }

    void localFilesGiveTheSame()
    {
        const QString out = m_dir.filePath(QStringLiteral("local"));
        auto d = dialog(out);
        d->addLocalFiles(localCsvLogs());
        QSignalSpy finished(d.get(), &LogImportDialog::finished);
        clickImport(*d);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY(finished.first().first().toBool());
        QCOMPARE(markersIn(out), Markers);
    }

    void missingInputIsNamed()
    {
        auto d = dialog(QString());
        clickImport(*d);
        QVERIFY(!d->isRunning());
        QVERIFY(d->findChild<QLabel*>(QStringLiteral("statusLabel"))
                    ->text()
                    .contains(QLatin1String("capture folder")));
    }

    void cancelStopsTheImport()
    {
        // A log large enough that the import is still reading when Cancel is clicked.
        const QString big = m_dir.filePath(QStringLiteral("big.csv"));
        {
            QByteArray one;
            for (const QString& f : localCsvLogs()) {
                QFile in(f);
                QVERIFY(in.open(QIODevice::ReadOnly));
                one += in.readAll();
            }
            QVERIFY(!one.isEmpty());
            QFile out(big);
            QVERIFY(out.open(QIODevice::WriteOnly));
            while (out.size() < 64ll * 1024 * 1024)
                out.write(one);
        }
        auto d = dialog(m_dir.filePath(QStringLiteral("cancelled")));
        d->addLocalFiles({big});
        QSignalSpy finished(d.get(), &LogImportDialog::finished);
        clickImport(*d);
        QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("cancelButton")),
                          Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.first().first().toBool(), false);
        auto* label = d->findChild<QLabel*>(QStringLiteral("statusLabel"));
        QVERIFY2(label->text().contains(QLatin1String("Cancelled")), qPrintable(label->text()));
        QVERIFY(d->findChild<QPushButton*>(QStringLiteral("startButton"))->isEnabled());
        QFile::remove(big);
    }
};

QTEST_MAIN(TestLogImportDialog)
#include "TestLogImportDialog.moc"
