// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Host.h"
#include "store/Repository.h"

#include <QObject>
#include <QThreadPool>

#include <vector>

namespace doppel {

class SecretStore;

// Reads and edits the inventory off the GUI thread: each operation opens its own Repository on
// a worker (one per thread), writes secrets to the SecretStore (whose keychain calls may block),
// logs an event, and hands back the fresh host list. Operations run one at a time, in order.
// GUI thread only; its signals arrive on the GUI thread.
class InventoryStore : public QObject
{
    Q_OBJECT
public:
    InventoryStore(QString repositoryPath, SecretStore& secrets, QObject* parent = nullptr);
    ~InventoryStore() override;

    void reload();
    // `pgPassword`/`sshSecret` empty: keep what is stored.
    void saveHost(const Host& host, bool isNew, const QString& pgPassword,
                  const QString& sshSecret);
    void removeHost(const QString& name);

Q_SIGNALS:
    void hostsLoaded(const std::vector<doppel::Host>& hosts);
    void failed(const QString& message);
    // An inventory change to show in the events pane (also stored in the repository).
    void eventLogged(const doppel::Event& event);

private:
    struct Outcome;
    template <typename Op> void run(Op op);

    QString m_repositoryPath;
    SecretStore& m_secrets;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
