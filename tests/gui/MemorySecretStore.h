// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/SecretStore.h"

#include <QHash>
#include <QMutex>
#include <QStringList>

namespace doppel::test {

// A SecretStore in memory, so GUI tests never touch the user's keychain. Thread-safe like the
// real one: workers read while connecting.
class MemorySecretStore : public SecretStore
{
public:
    std::optional<QString> read(const QString& key) override
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_secrets.constFind(key);
        return it == m_secrets.constEnd() ? std::nullopt : std::optional<QString>(*it);
    }
    bool write(const QString& key, const QString& secret) override
    {
        QMutexLocker lock(&m_mutex);
        m_secrets.insert(key, secret);
        return true;
    }
    void remove(const QString& key) override
    {
        QMutexLocker lock(&m_mutex);
        m_secrets.remove(key);
    }
    bool persistent() const override { return false; }
    QString statusMessage() const override
    {
        return QStringLiteral("Test store: secrets are kept in memory for this session");
    }
    QStringList keys() const
    {
        QMutexLocker lock(&m_mutex);
        return m_secrets.keys();
    }

private:
    mutable QMutex m_mutex;
    QHash<QString, QString> m_secrets;
};

} // namespace doppel::test
