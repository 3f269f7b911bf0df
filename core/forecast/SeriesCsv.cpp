// SPDX-License-Identifier: GPL-3.0-or-later
#include "Series.h"

#include <QDateTime>
#include <QFile>
#include <QList>

#include <cmath>

namespace doppel::forecast {

namespace {

// "nan", "inf", "-Infinity"...: what toDouble() would accept as a non-finite value.
bool isNonFiniteWord(const QString& s)
{
    QString w = s.trimmed().toLower();
    if (w.startsWith(QLatin1Char('-')) || w.startsWith(QLatin1Char('+')))
        w = w.mid(1);
    return w == QLatin1String("nan") || w == QLatin1String("inf") || w == QLatin1String("infinity");
}

bool isNumber(const QString& s)
{
    bool ok = false;
    s.toDouble(&ok);
    return ok;
}

Result<double> parseValue(const QString& field, int line)
{
    const QString s = field.trimmed();
    bool ok = false;
    const double v = s.toDouble(&ok);
    if (isNonFiniteWord(s) || (ok && !std::isfinite(v)))
        return makeError(
            ErrorCode::InvalidInput,
            QStringLiteral("line %1: value '%2' is not a finite number").arg(line).arg(s));
    if (!ok)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("line %1: value '%2' is not a number").arg(line).arg(s));
    return v;
}

Result<qint64> parseTime(const QString& field, int line)
{
    const QString s = field.trimmed();
    bool ok = false;
    const double secs = s.toDouble(&ok);
    if (ok && std::isfinite(secs))
        return qint64(std::llround(secs * 1000));
    QString iso = s;
    if (iso.size() > 10 && iso[10] == QLatin1Char(' '))
        iso[10] = QLatin1Char('T');
    QDateTime dt = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(iso, Qt::ISODate);
    if (!dt.isValid())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("line %1: timestamp '%2' is neither ISO-8601 nor epoch "
                                        "seconds")
                             .arg(line)
                             .arg(s));
    if (dt.timeSpec() == Qt::LocalTime)
        dt.setTimeSpec(Qt::UTC); // a time without an offset is taken as UTC, not local time
    return dt.toMSecsSinceEpoch();
}

} // namespace

Result<Series> parseSeriesCsv(const QByteArray& data, const QString& sourceName)
{
    const QList<QByteArray> lines = data.split('\n');
    std::vector<Observation> rows;
    int columns = -1, timeCol = 0, valueCol = 0;
    QChar sep = QLatin1Char(',');
    bool first = true;
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNo = i + 1;
        QString text = QString::fromUtf8(lines[i]).trimmed();
        if (text.isEmpty() || text.startsWith(QLatin1Char('#')))
            continue;
        if (first) {
            if (!text.contains(QLatin1Char(',')) && text.contains(QLatin1Char(';')))
                sep = QLatin1Char(';');
            else if (!text.contains(QLatin1Char(',')) && text.contains(QLatin1Char('\t')))
                sep = QLatin1Char('\t');
        }
        const QStringList fields = text.split(sep);
        if (first) {
            first = false;
            columns = int(fields.size());
            if (columns > 2)
                return makeError(ErrorCode::InvalidInput,
                                 QStringLiteral("%1 line %2: expected `timestamp,value` or a "
                                                "single `value` column, found %3 columns")
                                     .arg(sourceName)
                                     .arg(lineNo)
                                     .arg(columns));
            valueCol = columns - 1;
            const QString last = fields.last().trimmed();
            if (!last.isEmpty() && !isNumber(last) && !isNonFiniteWord(last)) {
                // A header line: take the columns by name when they are named.
                if (columns == 2 &&
                    fields[0].trimmed().compare(QLatin1String("value"), Qt::CaseInsensitive) == 0) {
                    valueCol = 0;
                    timeCol = 1;
                }
                continue;
            }
        }
        if (fields.size() != columns)
            return makeError(ErrorCode::InvalidInput,
                             QStringLiteral("%1 line %2: expected %3 column(s), found %4")
                                 .arg(sourceName)
                                 .arg(lineNo)
                                 .arg(columns)
                                 .arg(fields.size()));
        Observation o;
        o.line = lineNo;
        if (columns == 2) {
            auto t = parseTime(fields[timeCol], lineNo);
            if (!t)
                return makeError(ErrorCode::InvalidInput,
                                 sourceName + QStringLiteral(" ") + t.error().message);
            o.timeMs = *t;
        }
        if (fields[valueCol].trimmed().isEmpty()) {
            o.missing = true;
        } else {
            auto v = parseValue(fields[valueCol], lineNo);
            if (!v)
                return makeError(ErrorCode::InvalidInput,
                                 sourceName + QStringLiteral(" ") + v.error().message);
            o.value = *v;
        }
        rows.push_back(o);
    }
    if (rows.empty())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("%1: no data rows").arg(sourceName));
    return regularize(std::move(rows), columns == 2);
}

Result<Series> readSeriesCsv(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(f.exists() ? ErrorCode::Io : ErrorCode::NotFound,
                         QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    return parseSeriesCsv(f.readAll(), path);
}

Result<Series> seriesFromSamples(const MetricSamples& samples)
{
    std::vector<Observation> rows;
    rows.reserve(size_t(samples.size()));
    for (const auto& s : samples) {
        Observation o;
        o.timeMs = s.timestampMs;
        o.value = s.value;
        o.missing = !std::isfinite(s.value);
        rows.push_back(o);
    }
    if (rows.empty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no samples in the repository"));
    return regularize(std::move(rows), true);
}

} // namespace doppel::forecast
