// SPDX-License-Identifier: GPL-3.0-or-later
// The lab's life cycle on a private lab (not the shared one): up, a second up refused without
// change, status --json with the documented fields, down leaving no process. As root, the same
// again as an ordinary user, since the lab must work both ways: a system user "doppel-test"
// (created when missing, with a login shell so the lab's sshd can run commands for it).
#include "CtlRunner.h"
#include "lab/Lab.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <unistd.h>

using namespace doppel;

namespace {

bool alive(qint64 pid)
{
    if (pid <= 0 || ::kill(pid_t(pid), 0) != 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    return line.at(line.lastIndexOf(')') + 2) != 'Z'; // an unreaped zombie is not running
}

// Live processes whose command line mentions `needle`.
QStringList processesMentioning(const QString& needle)
{
    QStringList found;
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid || pid == getpid() || !alive(pid))
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!cmdline.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromLocal8Bit(cmdline.readAll().replace('\0', ' '));
        if (text.contains(needle))
            found << QStringLiteral("%1: %2").arg(pid).arg(text);
    }
    return found;
}

} // namespace

class TestLab : public QObject
{
    Q_OBJECT

    int ctl(const QStringList& args, QString* out = nullptr, QString* err = nullptr)
    {
        return test::runCtl(args, out, err);
    }

private Q_SLOTS:
    void lifeCycle()
    {
        QTemporaryDir tmp(QStringLiteral("/tmp/doppel-lab-test-XXXXXX"));
        const QString dir = tmp.filePath(QStringLiteral("lab"));
        const QString repo = tmp.filePath(QStringLiteral("repo.sqlite"));
        QString out, err;
        QCOMPARE(ctl({QStringLiteral("--repo"), repo, QStringLiteral("lab"), QStringLiteral("up"),
                      QStringLiteral("--dir"), dir, QStringLiteral("--scale"), QStringLiteral("1"),
                      QStringLiteral("--day"), QStringLiteral("20s")},
                     &out, &err),
                 0);

        QCOMPARE(ctl({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--dir"), dir,
                      QStringLiteral("--json")},
                     &out),
                 0);
        const QJsonObject status = QJsonDocument::fromJson(out.toUtf8()).object();
        for (const char* cluster : {"production", "shadow"}) {
            const QJsonObject c = status.value(QLatin1String(cluster)).toObject();
            QVERIFY2(
                c.value(QStringLiteral("conninfo")).toString().contains(QLatin1String("port=")),
                cluster);
            QVERIFY(c.value(QStringLiteral("port")).toInt() > 0);
            QVERIFY(alive(c.value(QStringLiteral("pid")).toInteger()));
        }
        const QJsonObject ssh = status.value(QStringLiteral("ssh")).toObject();
        for (const char* key : {"host", "port", "user", "key", "known_hosts", "pid"})
            QVERIFY2(ssh.contains(QLatin1String(key)), key);
        QVERIFY(QFile::exists(ssh.value(QStringLiteral("key")).toString()));
        QVERIFY(alive(ssh.value(QStringLiteral("pid")).toInteger()));
        const QJsonObject workload = status.value(QStringLiteral("workload")).toObject();
        QVERIFY(workload.value(QStringLiteral("running")).toBool());
        QVERIFY(alive(workload.value(QStringLiteral("pid")).toInteger()));

        // A second `up` says so and changes nothing.
        QCOMPARE(ctl({QStringLiteral("--repo"), repo, QStringLiteral("lab"), QStringLiteral("up"),
                      QStringLiteral("--dir"), dir},
                     &out, &err),
                 1);
        QVERIFY2(err.contains(QLatin1String("already running")), qPrintable(err));
        QString again;
        QCOMPARE(ctl({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--dir"), dir,
                      QStringLiteral("--json")},
                     &again),
                 0);
        QCOMPARE(
            QJsonDocument::fromJson(again.toUtf8()).object().value(QStringLiteral("production")),
            status.value(QStringLiteral("production")));

        // The hosts are registered.
        QCOMPARE(
            ctl({QStringLiteral("--repo"), repo, QStringLiteral("hosts"), QStringLiteral("list")},
                &out),
            0);
        QVERIFY(out.contains(QLatin1String("lab-production")) &&
                out.contains(QLatin1String("lab-shadow")));

        QCOMPARE(ctl({QStringLiteral("lab"), QStringLiteral("down"), QStringLiteral("--dir"), dir},
                     &out, &err),
                 0);
        QVERIFY(!alive(status.value(QStringLiteral("production"))
                           .toObject()
                           .value(QStringLiteral("pid"))
                           .toInteger()));
        QVERIFY(!alive(status.value(QStringLiteral("shadow"))
                           .toObject()
                           .value(QStringLiteral("pid"))
                           .toInteger()));
        QVERIFY(!alive(ssh.value(QStringLiteral("pid")).toInteger()));
        QVERIFY(!alive(workload.value(QStringLiteral("pid")).toInteger()));
        const QStringList left = processesMentioning(dir) +
                                 processesMentioning(status.value(QStringLiteral("production"))
                                                         .toObject()
                                                         .value(QStringLiteral("data_dir"))
                                                         .toString());
        QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char('\n'))));
        QVERIFY(!Lab(dir).isRunning());
    }

    void worksAsAnOrdinaryUser()
    {
        if (geteuid() != 0)
            QSKIP("running as an ordinary user already: lifeCycle covered it");
        const QString ctlPath =
            QString::fromLocal8Bit(qgetenv("DOPPEL_BIN_DIR")) + QStringLiteral("/doppelctl");
        QVERIFY(QFile::exists(ctlPath));
        const QString user = QStringLiteral("doppel-test");
        if (QProcess::execute(QStringLiteral("id"), {QStringLiteral("-u"), user}) != 0)
            QCOMPARE(QProcess::execute(QStringLiteral("useradd"),
                                       {QStringLiteral("--system"), QStringLiteral("--shell"),
                                        QStringLiteral("/bin/sh"),
                                        QStringLiteral("--no-create-home"), user}),
                     0);
        QTemporaryDir tmp(QStringLiteral("/tmp/doppel-lab-user-XXXXXX"));
        QVERIFY(QProcess::execute(QStringLiteral("chown"), {user, tmp.path()}) == 0);
        auto asNobody = [&](const QStringList& args, QString* out = nullptr) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("HOME"), tmp.path());
            p.setProcessEnvironment(env);
            p.setWorkingDirectory(tmp.path());
            p.start(QStringLiteral("runuser"),
                    QStringList{QStringLiteral("-u"), user, QStringLiteral("--"), ctlPath,
                                QStringLiteral("--repo"),
                                tmp.filePath(QStringLiteral("repo.sqlite"))} +
                        args);
            p.waitForFinished(180000);
            if (out)
                *out = QString::fromLocal8Bit(p.readAllStandardOutput());
            if (p.exitCode() != 0)
                qWarning("%s", p.readAllStandardError().constData());
            return p.exitCode();
        };
        const QString dir = tmp.filePath(QStringLiteral("lab"));
        QCOMPARE(asNobody({QStringLiteral("lab"), QStringLiteral("up"), QStringLiteral("--dir"),
                           dir, QStringLiteral("--scale"), QStringLiteral("1"),
                           QStringLiteral("--no-workload")}),
                 0);
        QString out;
        QCOMPARE(asNobody({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--dir"),
                           dir, QStringLiteral("--json")},
                          &out),
                 0);
        const QJsonObject status = QJsonDocument::fromJson(out.toUtf8()).object();
        QCOMPARE(
            status.value(QStringLiteral("ssh")).toObject().value(QStringLiteral("user")).toString(),
            user);
        const qint64 postmaster = status.value(QStringLiteral("production"))
                                      .toObject()
                                      .value(QStringLiteral("pid"))
                                      .toInteger();
        QVERIFY(alive(postmaster));
        // The cluster runs as the ordinary user, inside the lab folder.
        QFileInfo proc(QStringLiteral("/proc/%1").arg(postmaster));
        QCOMPARE(proc.owner(), user);
        QVERIFY(status.value(QStringLiteral("production"))
                    .toObject()
                    .value(QStringLiteral("data_dir"))
                    .toString()
                    .startsWith(dir));
        QCOMPARE(
            asNobody({QStringLiteral("monitor"), QStringLiteral("--duration"), QStringLiteral("3s"),
                      QStringLiteral("--interval"), QStringLiteral("1s")},
                     &out),
            0);
        QVERIFY2(out.contains(QLatin1String("lab-production\tcpu_percent")), qPrintable(out));
        QCOMPARE(
            asNobody({QStringLiteral("lab"), QStringLiteral("down"), QStringLiteral("--dir"), dir}),
            0);
        QVERIFY(!alive(postmaster));
        QVERIFY2(processesMentioning(dir).isEmpty(),
                 qPrintable(processesMentioning(dir).join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestLab)
#include "TestLab.moc"
