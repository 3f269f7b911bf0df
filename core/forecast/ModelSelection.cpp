// SPDX-License-Identifier: GPL-3.0-or-later
// Fitting a family by name, and `auto`: rolling-origin cross-validation on recent history.
#include "ArimaModel.h"
#include "EtsModel.h"
#include "Forecaster.h"
#include "MstlModel.h"
#include "NaiveModel.h"
#include "SeasonalNaiveModel.h"
#include "Stats.h"
#include "ThetaModel.h"

#include <QJsonObject>

#include <algorithm>

namespace doppel::forecast {

namespace {

const int kOrigins = 5;

template <typename T> Result<ModelPtr> widen(Result<std::unique_ptr<T>> r)
{
    if (!r)
        return r.error();
    return ModelPtr(std::move(*r));
}

void note(QStringList* notes, const QString& text)
{
    if (notes)
        notes->append(text);
}

} // namespace

Result<ModelPtr> fitFamily(const QString& family, const std::vector<double>& y,
                           const std::vector<int>& seasons, QStringList* notes, bool quick)
{
    const int n = int(y.size());
    const int m = seasons.empty() ? 1 : seasons.front();
    const bool multiple = seasons.size() > 1;
    if (family == QLatin1String("naive"))
        return ModelPtr(std::make_unique<NaiveModel>(y));
    if (family == QLatin1String("snaive")) {
        if (m <= 1 || n < m) {
            note(notes, QStringLiteral("seasonal naive without a season is naive"));
            return ModelPtr(std::make_unique<NaiveModel>(y));
        }
        return ModelPtr(std::make_unique<SeasonalNaiveModel>(y, m));
    }
    if (family == QLatin1String("ets")) {
        if (multiple || m > 24) {
            note(notes, QStringLiteral("ETS handles seasons up to 24 points; the season is "
                                       "modelled by MSTL with ETS on the adjusted series"));
            return widen(MstlModel::fit(y, seasons, MstlModel::Adjusted::Ets));
        }
        return widen(EtsModel::autoFit(y, m));
    }
    if (family == QLatin1String("arima")) {
        if (multiple || m > 52) {
            note(notes, QStringLiteral("seasonal ARIMA handles seasons up to 52 points; the season "
                                       "is modelled by MSTL with ARIMA on the adjusted series"));
            return widen(MstlModel::fit(y, seasons, MstlModel::Adjusted::Arima));
        }
        return widen(ArimaModel::autoFit(y, m, !quick));
    }
    if (family == QLatin1String("theta"))
        return widen(ThetaModel::fit(y, m));
    if (family == QLatin1String("mstl") || family == QLatin1String("mstl-arima")) {
        if (seasons.empty()) {
            note(notes, QStringLiteral("no season to decompose: MSTL reduces to ETS"));
            return widen(EtsModel::autoFit(y, 1));
        }
        return widen(MstlModel::fit(y, seasons,
                                    family == QLatin1String("mstl") ? MstlModel::Adjusted::Ets
                                                                    : MstlModel::Adjusted::Arima));
    }
    return makeError(ErrorCode::InvalidInput,
                     QStringLiteral("unknown model '%1' (auto, ets, arima, mstl, theta, naive, "
                                    "snaive)")
                         .arg(family));
}

Selection selectByCrossValidation(const std::vector<double>& y, const std::vector<int>& seasons,
                                  int horizon, const QStringList& families)
{
    Selection sel;
    sel.family = families.front();
    const int n = int(y.size());
    const int maxSeason = seasons.empty() ? 1 : *std::max_element(seasons.begin(), seasons.end());
    const int m = seasons.empty() ? 1 : seasons.front();
    const int minTrain = std::max(2 * maxSeason + 10, n / 2);
    int h = std::min(horizon, n - minTrain);
    if (h < 1) {
        sel.reason = QStringLiteral("too little history for cross-validation; %1 is the default "
                                    "for this series")
                         .arg(sel.family);
        return sel;
    }
    std::vector<int> origins;
    // Up to five origins half a horizon apart (at least one step), newest first: enough
    // windows that one unusual stretch of history does not decide the model alone.
    const int stride = std::max(1, h / 2);
    for (int i = 0; i < kOrigins; ++i) {
        const int o = n - h - i * stride;
        if (o >= minTrain)
            origins.push_back(o);
    }
    struct Score
    {
        QString family;
        QString model;
        double mase = 0;
        bool ok = true;
    };
    std::vector<Score> scores;
    for (const QString& family : families) {
        Score s{family, QString(), 0, true};
        double total = 0;
        for (int o : origins) {
            const std::vector<double> train(y.begin(), y.begin() + o);
            const std::vector<double> test(y.begin() + o, y.begin() + o + h);
            auto model = fitFamily(family, train, seasons, nullptr, true);
            if (!model) {
                s.ok = false;
                break;
            }
            s.model = (*model)->name();
            const double e = mase(train, test, (*model)->pointForecast(h), m);
            if (!std::isfinite(e)) {
                s.ok = false;
                break;
            }
            total += e;
        }
        s.mase = total / double(origins.size());
        scores.push_back(s);
    }
    const Score* best = nullptr;
    for (const auto& s : scores) {
        QJsonObject o{{QStringLiteral("family"), s.family}, {QStringLiteral("ok"), s.ok}};
        if (s.ok) {
            o[QStringLiteral("model")] = s.model;
            o[QStringLiteral("cvMase")] = s.mase;
            if (!best || s.mase < best->mase)
                best = &s;
        }
        sel.scores.append(o);
    }
    if (!best) {
        sel.reason = QStringLiteral("no candidate could be cross-validated; %1 is the default")
                         .arg(sel.family);
        return sel;
    }
    sel.family = best->family;
    QStringList others;
    for (const auto& s : scores)
        if (&s != best && s.ok)
            others << QStringLiteral("%1 %2").arg(s.family).arg(s.mase, 0, 'f', 3);
    sel.reason =
        QStringLiteral("lowest MASE in rolling-origin cross-validation (%1 origins, %2 "
                       "steps ahead): %3 %4 vs %5")
            .arg(origins.size())
            .arg(h)
            .arg(best->family)
            .arg(best->mase, 0, 'f', 3)
            .arg(others.isEmpty() ? QStringLiteral("none") : others.join(QStringLiteral(", ")));
    return sel;
}

} // namespace doppel::forecast
