// SPDX-License-Identifier: GPL-3.0-or-later
#include "Result.h"

namespace doppel {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Unknown:
        return QStringLiteral("error");
    case ErrorCode::InvalidInput:
        return QStringLiteral("invalid input");
    case ErrorCode::NotFound:
        return QStringLiteral("not found");
    case ErrorCode::Io:
        return QStringLiteral("I/O error");
    case ErrorCode::Storage:
        return QStringLiteral("repository error");
    case ErrorCode::NotARepository:
        return QStringLiteral("not a Doppel repository");
    case ErrorCode::NewerVersion:
        return QStringLiteral("newer repository version");
    case ErrorCode::Refused:
        return QStringLiteral("connection refused");
    case ErrorCode::Timeout:
        return QStringLiteral("timeout");
    case ErrorCode::Cancelled:
        return QStringLiteral("cancelled");
    case ErrorCode::Auth:
        return QStringLiteral("authentication failed");
    case ErrorCode::HostKeyUnknown:
        return QStringLiteral("unknown host key");
    case ErrorCode::HostKeyChanged:
        return QStringLiteral("host key changed");
    case ErrorCode::Protocol:
        return QStringLiteral("protocol error");
    case ErrorCode::Query:
        return QStringLiteral("query failed");
    case ErrorCode::Unavailable:
        return QStringLiteral("unavailable");
    }
    return QStringLiteral("error");
}

QString Error::toString() const
{
    if (detail.isEmpty())
        return message;
    return QStringLiteral("%1 [%2]").arg(message, detail);
}

} // namespace doppel
