// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/SecretStore.h"

#include <QHash>
#include <QMutex>

#include <optional>

namespace doppel {

// Secrets in the system keychain (Secret Service / KWallet through QtKeychain). The first use
// finds out whether a keychain answers; if none does, it says so once (statusMessage) and keeps
// secrets in memory for the session, never on disk in clear text. Thread-safe; each call runs
// the asynchronous QtKeychain job to completion on the calling thread (a worker, or the CLI's
// main thread).
class KeychainSecretStore : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("doppel"));
    std::optional<QString> read(const QString& key) override;
    bool write(const QString& key, const QString& secret) override;
    void remove(const QString& key) override;
    bool persistent() const override;
    QString statusMessage() const override;

private:
    void probe();
    QString m_service;
    mutable QMutex m_mutex;
    std::optional<bool> m_keychainWorks;
    QString m_status;
    QHash<QString, QString> m_memory;
};

} // namespace doppel
