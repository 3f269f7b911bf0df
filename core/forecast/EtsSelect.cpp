// SPDX-License-Identifier: GPL-3.0-or-later
// AutoETS: every admissible ETS specification for the data, the lowest AICc wins.
#include "EtsModel.h"

#include <algorithm>

namespace doppel::forecast {

Result<std::unique_ptr<EtsModel>> EtsModel::autoFit(const std::vector<double>& y, int period)
{
    const bool positive = std::all_of(y.begin(), y.end(), [](double v) { return v > 0; });
    const int n = int(y.size());
    const bool canSeason = period > 1 && period <= 24 && n >= 2 * period + 4;
    std::vector<EtsSpec> specs;
    for (EtsError e : {EtsError::Additive, EtsError::Multiplicative}) {
        if (e == EtsError::Multiplicative && !positive)
            continue;
        for (EtsTrend t : {EtsTrend::None, EtsTrend::Additive, EtsTrend::Damped}) {
            for (EtsSeason s : {EtsSeason::None, EtsSeason::Additive, EtsSeason::Multiplicative}) {
                if (s != EtsSeason::None && !canSeason)
                    continue;
                if (s == EtsSeason::Multiplicative && (!positive || e == EtsError::Additive))
                    continue;
                specs.push_back(EtsSpec{e, t, s, s == EtsSeason::None ? 1 : period});
            }
        }
    }
    std::unique_ptr<EtsModel> best;
    Error lastError = makeError(ErrorCode::InvalidInput,
                                QStringLiteral("no ETS model could be fitted to %1 points").arg(n));
    // Neighbouring models have their optima close by: the multiplicative-error twin of an
    // additive-error model runs the same filter, and a damped trend is the additive trend with
    // phi below 1. Starting from the neighbour's optimum saves the simplex most of its walk.
    std::vector<std::pair<EtsSpec, EtsParameters>> fits;
    const auto neighbourOf = [&](const EtsSpec& spec) -> const EtsParameters* {
        for (const auto& [s, p] : fits)
            if (s.season == spec.season && s.error == EtsError::Additive &&
                ((spec.error == EtsError::Multiplicative && s.trend == spec.trend) ||
                 (spec.error == EtsError::Additive && spec.trend == EtsTrend::Damped &&
                  s.trend == EtsTrend::Additive)))
                return &p;
        return nullptr;
    };
    for (const EtsSpec& spec : specs) {
        auto fitted = EtsModel::fit(y, spec, false, neighbourOf(spec));
        if (!fitted) {
            lastError = fitted.error();
            continue;
        }
        fits.emplace_back(spec, (*fitted)->fittedParameters());
        if (!best || (*fitted)->aicc() < best->aicc())
            best = std::move(*fitted);
    }
    if (!best)
        return lastError;
    if (best->spec().season != EtsSeason::None) {
        auto full = EtsModel::fit(y, best->spec(), true, &best->fittedParameters());
        if (full && (*full)->aicc() < best->aicc())
            return std::move(*full);
    }
    return best;
}

} // namespace doppel::forecast
