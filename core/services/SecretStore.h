// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace doppel {

// Passwords and passphrases, keyed by "pg/<host>" or "ssh/<host>". The real implementation
// writes to the system keychain; where none runs it keeps them in memory for the session.
// Thread-safe: workers read secrets while connecting.
class SecretStore
{
public:
    virtual ~SecretStore() = default;
    virtual std::optional<QString> read(const QString& key) = 0;
    virtual bool write(const QString& key, const QString& secret) = 0;
    virtual void remove(const QString& key) = 0;
    // False when secrets only live in memory (no keychain service); the message says why.
    virtual bool persistent() const = 0;
    virtual QString statusMessage() const = 0;
};

} // namespace doppel
