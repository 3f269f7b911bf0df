// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The ETS recursions shared by fitting, forecasting and simulation (internal to core/forecast).
#include "EtsModel.h"

namespace doppel::forecast::ets {

// One time step: `f` the one-step forecast from states (l, b, s); then the states updated by
// the observation y, in forecast::ets' (etscalc) form, which is the same for both error types.
struct StepState
{
    double l = 0, b = 0;
};

inline double trendPart(const EtsSpec& spec, const EtsParameters& p, double b)
{
    switch (spec.trend) {
    case EtsTrend::None:
        return 0;
    case EtsTrend::Additive:
        return b;
    case EtsTrend::Damped:
        return p.phi * b;
    }
    return 0;
}

inline double oneStep(const EtsSpec& spec, double q, double s)
{
    switch (spec.season) {
    case EtsSeason::None:
        return q;
    case EtsSeason::Additive:
        return q + s;
    case EtsSeason::Multiplicative:
        return q * s;
    }
    return q;
}

// Updates l, b and returns the new seasonal state.
inline double update(const EtsSpec& spec, const EtsParameters& p, double y, double q, double phib,
                     double s, StepState& st)
{
    double adj = y;
    if (spec.season == EtsSeason::Additive)
        adj = y - s;
    else if (spec.season == EtsSeason::Multiplicative)
        adj = y / s;
    const double l = q + p.alpha * (adj - q);
    if (spec.trend != EtsTrend::None)
        st.b = phib + (p.beta / p.alpha) * (l - st.l - phib);
    st.l = l;
    if (spec.season == EtsSeason::Additive)
        return s + p.gamma * (y - q - s);
    if (spec.season == EtsSeason::Multiplicative)
        return s + p.gamma * (y / q - s);
    return s;
}

inline double neutralSeason(const EtsSpec& spec)
{
    return spec.season == EtsSeason::Multiplicative ? 1.0 : 0.0;
}

} // namespace doppel::forecast::ets
