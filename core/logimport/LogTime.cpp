// SPDX-License-Identifier: GPL-3.0-or-later
#include "LogTime.h"

#include <chrono>

namespace doppel {

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out)
{
    if (pos + n > s.size())
        return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

std::optional<std::int64_t> zoneOffsetSeconds(std::string_view zone, bool* named)
{
    if (zone.empty() || zone == "UTC" || zone == "GMT" || zone == "Z")
        return 0;
    if (zone[0] != '+' && zone[0] != '-') {
        if (named)
            *named = true;
        return 0;
    }
    const int sign = zone[0] == '-' ? -1 : 1;
    int h = 0, m = 0;
    if (!digits(zone, 1, 2, h))
        return std::nullopt;
    size_t pos = 3;
    if (pos < zone.size() && zone[pos] == ':')
        ++pos;
    if (pos < zone.size() && !digits(zone, pos, 2, m))
        return std::nullopt;
    return sign * (h * 3600 + m * 60);
}

} // namespace

std::optional<std::int64_t> parseLogTime(std::string_view s, bool* namedZone)
{
    int y, mo, d, h, mi, sec;
    if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) ||
        s[7] != '-' || !digits(s, 8, 2, d) || s[10] != ' ' || !digits(s, 11, 2, h) ||
        s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
        return std::nullopt;
    size_t pos = 19;
    std::int64_t micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::int64_t scale = 100000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            micros += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
    }
    while (pos < s.size() && s[pos] == ' ')
        ++pos;
    auto offset = zoneOffsetSeconds(s.substr(pos), namedZone);
    if (!offset)
        return std::nullopt;
    using namespace std::chrono;
    const year_month_day date{year(y), month(unsigned(mo)), day(unsigned(d))};
    if (!date.ok() || h > 23 || mi > 59 || sec > 60)
        return std::nullopt;
    const std::int64_t days = sys_days(date).time_since_epoch().count();
    const std::int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - *offset;
    return seconds * 1000000 + micros;
}

std::uint64_t parseSessionId(std::string_view text)
{
    std::uint64_t high = 0, low = 0;
    std::uint64_t* part = &high;
    bool dot = false;
    for (char c : text) {
        if (c == '.') {
            part = &low;
            dot = true;
            continue;
        }
        const int v = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (v < 0)
            return 0;
        *part = *part * 16 + std::uint64_t(v);
    }
    return dot ? (high << 32) ^ low : high;
}

} // namespace doppel
