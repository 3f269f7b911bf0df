// SPDX-License-Identifier: GPL-3.0-or-later
#include "Duration.h"

#include <QRegularExpression>

namespace doppel {

Result<std::chrono::milliseconds> parseDuration(const QString& text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d|w)?\\s*$"));
    const auto match = re.match(text);
    if (!match.hasMatch())
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("'%1' is not a duration (examples: 500ms, 10s, 5m, 1h, 1d, 1w)")
                .arg(text));
    const double value = match.captured(1).toDouble();
    const QString unit = match.captured(2);
    double ms = value * 1000.0;
    if (unit == QLatin1String("ms"))
        ms = value;
    else if (unit == QLatin1String("m"))
        ms = value * 60e3;
    else if (unit == QLatin1String("h"))
        ms = value * 3600e3;
    else if (unit == QLatin1String("d"))
        ms = value * 86400e3;
    else if (unit == QLatin1String("w"))
        ms = value * 7 * 86400e3;
    return std::chrono::milliseconds(qint64(ms));
}

QString formatDuration(std::chrono::milliseconds duration)
{
    const qint64 ms = duration.count();
    if (ms % 3600000 == 0 && ms >= 3600000)
        return QStringLiteral("%1h").arg(ms / 3600000);
    if (ms % 60000 == 0 && ms >= 60000)
        return QStringLiteral("%1m").arg(ms / 60000);
    if (ms % 1000 == 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1ms").arg(ms);
}

} // namespace doppel
