// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/Host.h"

#include <QJsonObject>
#include <QString>

#include <functional>

namespace doppel {

class Repository;

// What a running lab is made of; saved as <dir>/lab.json and printed by `lab status --json`.
struct LabState
{
    struct Cluster
    {
        QString conninfo; // host=127.0.0.1 port=P dbname=... user=doppel passfile=<dir>/pgpass
        int port = 0;
        qint64 pid = 0; // postmaster
        QString dataDir;
    };
    QString dir;
    Cluster production;
    Cluster shadow;
    struct Ssh
    {
        QString host = QStringLiteral("127.0.0.1");
        int port = 0;
        QString user;
        QString key; // private key file
        QString knownHosts;
        qint64 pid = 0;
    } ssh;
    struct Workload
    {
        qint64 pid = 0;
        bool running = false;
    } workload;
    QString password; // of the lab's PostgreSQL role "doppel" (also in <dir>/pgpass, 0600)

    QJsonObject toJson() const;
    static Result<LabState> fromJson(const QJsonObject& json);
};

// The built-in lab: a production and a shadow PostgreSQL 15, an sshd and a background pgbench
// workload with a compressed daily cycle, all on loopback with free ports, all stopped by pid.
// Works as root (PostgreSQL runs as the postgres system user) and as an ordinary user.
// Blocking: call from a worker thread or the CLI.
class Lab
{
public:
    using Progress = std::function<void(const QString& step)>;

    explicit Lab(QString dir);
    static QString defaultDir(); // $XDG_DATA_HOME/doppel/lab

    struct Options
    {
        int scale = 10;             // pgbench scale of the production database
        int dayLengthSeconds = 600; // one compressed "day" of the workload cycle
        bool workload = true;
    };

    // Starts everything and registers lab-production and lab-shadow in `repo`. A lab that is
    // already running is reported (ErrorCode::InvalidInput) and left as it is.
    Result<LabState> up(const Options& options, Repository* repo, const Progress& progress = {});
    // The saved state, with each pid checked for life (a dead workload reads running=false).
    Result<LabState> status() const;
    bool isRunning() const;
    // Stops every process the lab started, by pid, and waits until each is gone.
    Status down(const Progress& progress = {});

    // Adds or updates lab-production and lab-shadow in `repo` for a running lab.
    static Status registerHosts(const LabState& state, Repository& repo);
    // How both lab hosts are reached over SSH: the lab's sshd, its key and known_hosts.
    static SshEndpoint sshEndpoint(const LabState& state);

    // Runs the workload loop in this process until SIGTERM (the hidden `lab workload` command).
    static int runWorkload(const QString& dir, int dayLengthSeconds);

    QString dir() const { return m_dir; }

private:
    QString m_dir;
};

} // namespace doppel
