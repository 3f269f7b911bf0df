// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace doppel {

// What went wrong, in categories a caller can act on (retry, ask the user, give up).
enum class ErrorCode {
    Unknown,
    InvalidInput,   // bad argument or file content; the message names the problem
    NotFound,       // a host, metric or file that does not exist
    Io,             // local file system
    Storage,        // the SQLite repository
    NotARepository, // file exists but is not a Doppel repository (or not SQLite)
    NewerVersion,   // repository written by a newer Doppel
    Refused,        // TCP connection refused
    Timeout,        // no answer within the configured time
    Cancelled,      // cancelled by the user
    Auth,           // password, key or agent authentication failed
    HostKeyUnknown, // SSH host key not in known_hosts: ask the user
    HostKeyChanged, // SSH host key differs from known_hosts: refuse
    Protocol,       // the peer spoke something unexpected
    Query,          // SQL error on the server (sqlstate set)
    Unavailable,    // a service (keychain, sshd) is not there
};

QString errorCodeName(ErrorCode code);

// An error a DBA can read. `detail` carries the SQLSTATE or libssh2 code when there is one.
struct Error
{
    ErrorCode code = ErrorCode::Unknown;
    QString message;
    QString detail;

    QString toString() const;
};

// A value or an Error; the return type of every fallible call in core and connectors.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_value(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<T>(m_value); }
    const T& value() const { return std::get<T>(m_value); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const Error& error() const { return std::get<Error>(m_value); }
    T valueOr(T fallback) const { return ok() ? value() : std::move(fallback); }

private:
    std::variant<T, Error> m_value;
};

struct Ok
{};
using Status = Result<Ok>;

inline Error makeError(ErrorCode code, QString message, QString detail = {})
{
    return Error{code, std::move(message), std::move(detail)};
}

} // namespace doppel
