// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "inventory/Host.h"
#include "services/HostServices.h"

#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <chrono>
#include <optional>

class QWidget;

namespace doppel {

class SecretStore;

// What one round of "Test connection" found; SSH is only tried when the host has an endpoint.
struct ConnectionTestOutcome
{
    std::optional<Result<PostgresInfo>> postgres;
    std::optional<Result<SshInfo>> ssh;
};

// Runs HostServices::testPostgres and testSsh for a host being edited, on a worker thread, with
// a CancelToken. An unknown SSH host key is fetched (on a worker), shown for a decision through
// Prompt, trusted on accept and the test repeated; a changed key is only reported.
// GUI thread only; the blocking calls happen on its own pool, waited for on destruction.
class ConnectionTester : public QObject
{
    Q_OBJECT
public:
    ConnectionTester(HostServices& services, SecretStore& secrets, QWidget* promptParent);
    ~ConnectionTester() override;

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    bool isRunning() const { return m_running; }

    // `host.name` names the saved host whose stored secrets apply where a typed one is empty
    // (empty name: a new host). Typed secrets are tested without being saved.
    void start(const Host& host, const QString& pgPassword, const QString& sshSecret);
    void cancel();

    // "PostgreSQL: ..." and "SSH: ..." lines for one outcome, as the dialog shows them.
    static QString describe(const ConnectionTestOutcome& outcome);
    static bool succeeded(const ConnectionTestOutcome& outcome);

Q_SIGNALS:
    void progress(const QString& text);
    void finished(bool ok, const QString& text);

private:
    void runTest();
    void onTested(quint64 request, const ConnectionTestOutcome& outcome);
    void askAboutHostKey(quint64 request, const QString& pgText, const PendingHostKey& key);
    void finish(bool ok, const QString& text);

    HostServices& m_services;
    SecretStore& m_secrets;
    QPointer<QWidget> m_promptParent;
    std::chrono::milliseconds m_timeout{8000};
    Host m_host;
    QString m_pgPassword;
    QString m_sshSecret;
    CancelToken m_cancel;
    quint64 m_request = 0;
    bool m_running = false;
    bool m_trustedKey = false; // the key was trusted in this run: do not ask twice
    QThreadPool m_workers;     // last member: destroyed (and waited for) first
};

} // namespace doppel
