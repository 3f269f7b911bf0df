// SPDX-License-Identifier: GPL-3.0-or-later
#include "UnitFormat.h"

#include <QLocale>

#include <cmath>

namespace doppel {

DisplayScale displayScale(const QString& catalogUnit, double largestAbsValue)
{
    const bool bytes = catalogUnit == QLatin1String("bytes");
    const bool byteRate = catalogUnit == QLatin1String("bytes/s");
    if (bytes || byteRate) {
        static const char* const prefixes[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double divisor = 1.0;
        int step = 0;
        while (step < 5 && largestAbsValue >= divisor * 1024.0) {
            divisor *= 1024.0;
            ++step;
        }
        QString unit = QLatin1String(prefixes[step]);
        if (byteRate)
            unit += QLatin1String("/s");
        return {divisor, unit};
    }
    if (catalogUnit == QLatin1String("ratio"))
        return {0.01, QStringLiteral("%")};
    return {1.0, catalogUnit};
}

QString formatNumber(double shown)
{
    const double magnitude = std::fabs(shown);
    const int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
    QString text = QLocale().toString(shown, 'f', decimals);
    // "12.50" reads worse than "12.5"; keep integers as they are.
    const QChar point = QLocale().decimalPoint().at(0);
    if (decimals > 0 && text.contains(point)) {
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(point))
            text.chop(1);
    }
    return text;
}

QString formatValue(double raw, const QString& catalogUnit)
{
    const DisplayScale scale = displayScale(catalogUnit, std::fabs(raw));
    return QStringLiteral("%1 %2").arg(formatNumber(raw / scale.divisor), scale.unit);
}

} // namespace doppel
