// SPDX-License-Identifier: GPL-3.0-or-later
// Automatic ARIMA order selection after Hyndman & Khandakar (2008), as forecast::auto.arima.
#include "ArimaModel.h"

#include "Stats.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace doppel::forecast {

Result<std::unique_ptr<ArimaModel>> ArimaModel::autoFit(const std::vector<double>& y, int period,
                                                        bool exact)
{
    const int n = int(y.size());
    int m = period > 1 && period <= 52 && n >= 3 * period ? period : 1;
    int D = 0;
    if (m > 1 && seasonalStrength(y, m) > 0.64)
        D = 1;
    std::vector<double> x = D ? difference(y, m) : y;
    const int d = kpssDifferences(x, 2);
    const bool constantAllowed = d + D <= 1;
    const int maxP = 5, maxQ = 5, maxSP = m > 1 ? 2 : 0, maxSQ = m > 1 ? 2 : 0, maxOrder = 5;
    const int nw = n - d - D * m;
    // Every candidate is scored on the same observations so the AICc values compare.
    const int conditioning = std::min(3 + m * (m > 1 ? 1 : 0), std::max(0, nw / 4));

    using Key = std::tuple<int, int, int, int, bool>;
    std::set<Key> tried;
    std::unique_ptr<ArimaModel> best;
    int fits = 0;
    auto consider = [&](int p, int q, int P, int Q, bool c) {
        if (p < 0 || q < 0 || P < 0 || Q < 0 || p > maxP || q > maxQ || P > maxSP || Q > maxSQ ||
            p + q + P + Q > maxOrder || (c && !constantAllowed))
            return false;
        if (!tried.insert(Key{p, q, P, Q, c}).second || fits >= 94)
            return false;
        ++fits;
        ArimaOrder o{p, d, q, P, D, Q, m, c};
        auto fitted = ArimaModel::fit(y, o, std::max(conditioning, p + m * P), false);
        if (!fitted)
            return false;
        if (!best || (*fitted)->aicc() < best->aicc() - 1e-9) {
            best = std::move(*fitted);
            return true;
        }
        return false;
    };
    const bool c0 = constantAllowed;
    if (m > 1) {
        consider(2, 2, 1, 1, c0);
        consider(0, 0, 0, 0, c0);
        consider(1, 0, 1, 0, c0);
        consider(0, 1, 0, 1, c0);
        if (c0)
            consider(0, 0, 0, 0, false);
    } else {
        consider(2, 2, 0, 0, c0);
        consider(0, 0, 0, 0, c0);
        consider(1, 0, 0, 0, c0);
        consider(0, 1, 0, 0, c0);
        if (c0)
            consider(0, 0, 0, 0, false);
    }
    if (!best)
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("no ARIMA model could be fitted to %1 points").arg(n));
    bool improved = true;
    while (improved && fits < 94) {
        improved = false;
        const ArimaOrder b = best->order();
        const int p = b.p, q = b.q, P = b.P, Q = b.Q;
        const bool c = b.constant;
        const std::vector<std::tuple<int, int, int, int, bool>> moves = {
            {p, q, P - 1, Q, c},     {p, q, P + 1, Q, c},     {p, q, P, Q - 1, c},
            {p, q, P, Q + 1, c},     {p, q, P - 1, Q - 1, c}, {p, q, P + 1, Q + 1, c},
            {p, q, P - 1, Q + 1, c}, {p, q, P + 1, Q - 1, c}, {p - 1, q, P, Q, c},
            {p + 1, q, P, Q, c},     {p, q - 1, P, Q, c},     {p, q + 1, P, Q, c},
            {p - 1, q - 1, P, Q, c}, {p + 1, q + 1, P, Q, c}, {p - 1, q + 1, P, Q, c},
            {p + 1, q - 1, P, Q, c}, {p, q, P, Q, !c}};
        for (const auto& [mp, mq, mP, mQ, mc] : moves) {
            if (consider(mp, mq, mP, mQ, mc)) {
                improved = true;
                break;
            }
        }
    }
    // Refit the winner on its own conditioning, as its final estimate.
    auto final = ArimaModel::fit(y, best->order(), 0, exact);
    if (final)
        return std::move(*final);
    return best;
}

} // namespace doppel::forecast
