// SPDX-License-Identifier: GPL-3.0-or-later
#include "InventoryStore.h"

#include "Async.h"

#include "services/SecretStore.h"

#include <QDateTime>

#include <optional>

namespace doppel {

struct InventoryStore::Outcome
{
    std::optional<Error> error;
    std::optional<Event> event;
    std::optional<std::vector<Host>> hosts;
};

namespace {

Event inventoryEvent(Severity severity, const QString& host, const QString& message)
{
    Event event;
    event.timestampMs = QDateTime::currentMSecsSinceEpoch();
    event.severity = severity;
    event.source = QStringLiteral("inventory");
    event.host = host;
    event.message = message;
    return event;
}

} // namespace

InventoryStore::InventoryStore(QString repositoryPath, SecretStore& secrets, QObject* parent)
    : QObject(parent), m_repositoryPath(std::move(repositoryPath)), m_secrets(secrets)
{
    m_workers.setMaxThreadCount(1); // edits apply in the order the user made them
}

InventoryStore::~InventoryStore()
{
    m_workers.waitForDone();
}

// `op(repo, outcome)` runs on the worker with that worker's Repository; then the host list is
// read, and everything is handed to the GUI thread.
template <typename Op> void InventoryStore::run(Op op)
{
    runAsync(
        m_workers, this,
        [path = m_repositoryPath, op]() mutable {
            Outcome outcome;
            auto repo = Repository::open(path);
            if (!repo) {
                outcome.error = repo.error();
                return outcome;
            }
            op(**repo, outcome);
            if (outcome.event)
                (void)(*repo)->appendEvent(*outcome.event); // the log is best effort
            auto hosts = (*repo)->hosts();
            if (hosts)
                outcome.hosts = std::move(*hosts);
            else if (!outcome.error)
                outcome.error = hosts.error();
            return outcome;
        },
        [this](Outcome outcome) {
            if (outcome.event)
                Q_EMIT eventLogged(*outcome.event);
            if (outcome.error)
                Q_EMIT failed(outcome.error->toString());
            if (outcome.hosts)
                Q_EMIT hostsLoaded(*outcome.hosts);
        });
}

void InventoryStore::reload()
{
    run([](Repository&, Outcome&) {});
}

void InventoryStore::saveHost(const Host& host, bool isNew, const QString& pgPassword,
                              const QString& sshSecret)
{
    SecretStore* secrets = &m_secrets;
    run([host, isNew, pgPassword, sshSecret, secrets](Repository& repo, Outcome& outcome) {
        // Secrets first: a host that appears in the collector without its password would show
        // a spurious authentication error for one round.
        if (!pgPassword.isEmpty() && !secrets->write(host.pgSecretKey(), pgPassword))
            outcome.error = makeError(ErrorCode::Unavailable,
                                      tr("Could not store the PostgreSQL password of %1: %2")
                                          .arg(host.name, secrets->statusMessage()));
        if (!sshSecret.isEmpty() && !secrets->write(host.sshSecretKey(), sshSecret))
            outcome.error =
                makeError(ErrorCode::Unavailable, tr("Could not store the SSH secret of %1: %2")
                                                      .arg(host.name, secrets->statusMessage()));
        if (isNew) {
            auto id = repo.addHost(host);
            if (!id) {
                outcome.error = id.error();
                return;
            }
            outcome.event = inventoryEvent(Severity::Info, host.name, tr("Host added"));
        } else {
            auto st = repo.updateHost(host);
            if (!st) {
                outcome.error = st.error();
                return;
            }
            outcome.event = inventoryEvent(Severity::Info, host.name, tr("Host changed"));
        }
    });
}

void InventoryStore::removeHost(const QString& name)
{
    SecretStore* secrets = &m_secrets;
    run([name, secrets](Repository& repo, Outcome& outcome) {
        auto st = repo.removeHost(name);
        if (!st) {
            outcome.error = st.error();
            return;
        }
        const Host keys{0, name, HostRole::Production, {}, {}};
        secrets->remove(keys.pgSecretKey());
        secrets->remove(keys.sshSecretKey());
        outcome.event = inventoryEvent(Severity::Info, name, tr("Host removed"));
    });
}

} // namespace doppel
