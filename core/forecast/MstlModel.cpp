// SPDX-License-Identifier: GPL-3.0-or-later
#include "MstlModel.h"

#include "ArimaModel.h"
#include "EtsModel.h"

#include <QJsonArray>

#include <Eigen/Dense>

#include <algorithm>
#include <numeric>

namespace doppel::forecast {

namespace {

// The Fourier columns depend on t only through its phase in the common cycle L of the periods
// (their least common multiple), so the regression is assembled from one row per phase with
// the sums of the rows that share it: L rows instead of n (120 instead of 840 for a lab day).
// When L reaches n every row is its own phase and this is the plain design.
struct PhaseDesign
{
    int phases = 0;
    Eigen::MatrixXd fourier; // phases x (2 * sum of harmonics): sin, cos of k = 1..K per period
    Eigen::VectorXd count;   // rows per phase
    Eigen::VectorXd trend;   // sum of t / n per phase
    Eigen::VectorXd ySum;    // sum of y per phase
};

int commonCycle(const std::vector<int>& periods, int n)
{
    long long l = 1;
    for (int p : periods) {
        l = l / std::gcd(l, (long long)p) * p;
        if (l >= n)
            return n;
    }
    return int(l);
}

PhaseDesign phaseDesign(const std::vector<double>& y, const std::vector<int>& periods,
                        const std::vector<int>& harmonics)
{
    const int n = int(y.size());
    PhaseDesign d;
    d.phases = commonCycle(periods, n);
    int cols = 0;
    for (int k : harmonics)
        cols += 2 * k;
    d.fourier.resize(d.phases, cols);
    for (int t = 0; t < d.phases; ++t) {
        int c = 0;
        for (size_t i = 0; i < periods.size(); ++i) {
            // sin/cos of k·a by the angle-addition recurrence: one sincos per row and period.
            const double a = 2 * M_PI * double(t % periods[i]) / periods[i];
            const double s1 = std::sin(a), c1 = std::cos(a);
            double sk = s1, ck = c1;
            for (int k = 1; k <= harmonics[i]; ++k) {
                d.fourier(t, c++) = sk;
                d.fourier(t, c++) = ck;
                const double sn = sk * c1 + ck * s1;
                ck = ck * c1 - sk * s1;
                sk = sn;
            }
        }
    }
    d.count = Eigen::VectorXd::Zero(d.phases);
    d.trend = Eigen::VectorXd::Zero(d.phases);
    d.ySum = Eigen::VectorXd::Zero(d.phases);
    for (int t = 0, ph = 0; t < n; ++t) {
        d.count(ph) += 1;
        d.trend(ph) += double(t) / n;
        d.ySum(ph) += y[size_t(t)];
        if (++ph == d.phases)
            ph = 0;
    }
    return d;
}

// Least squares on a subset of the columns of one design matrix, from its Gram matrix: the
// harmonics search solves many small systems instead of re-reading n rows each time.
struct Regression
{
    Eigen::VectorXd beta;
    double aicc = 0;
};

Regression regressSubset(const Eigen::MatrixXd& gram, const Eigen::VectorXd& xty, double yty,
                         const std::vector<int>& cols, int n)
{
    const int k = int(cols.size());
    Eigen::MatrixXd g(k, k);
    Eigen::VectorXd b(k);
    for (int i = 0; i < k; ++i) {
        b(i) = xty(cols[size_t(i)]);
        for (int j = 0; j < k; ++j)
            g(i, j) = gram(cols[size_t(i)], cols[size_t(j)]);
    }
    Regression r;
    r.beta = g.ldlt().solve(b);
    // SSE = y'y - 2 b'X'y + b'X'X b, which is y'y - b'X'y at the solution.
    const double sse = std::max(yty - r.beta.dot(b), 1e-300);
    const double kk = k + 1.0;
    r.aicc = n * std::log(sse / n) + 2 * kk + 2 * kk * (kk + 1) / (n - kk - 1);
    return r;
}

std::vector<int> columnsFor(const std::vector<int>& harmonics, const std::vector<int>& maxHarmonics)
{
    std::vector<int> cols{0, 1};
    int offset = 2;
    for (size_t i = 0; i < harmonics.size(); ++i) {
        for (int k = 0; k < 2 * harmonics[i]; ++k)
            cols.push_back(offset + k);
        offset += 2 * maxHarmonics[i];
    }
    return cols;
}

} // namespace

Result<std::unique_ptr<MstlModel>>
MstlModel::fit(const std::vector<double>& y, const std::vector<int>& periodsIn, Adjusted adjusted)
{
    const int n = int(y.size());
    std::vector<int> periods;
    for (int p : periodsIn)
        if (p > 1 && n >= 2 * p)
            periods.push_back(p);
    std::sort(periods.begin(), periods.end());
    if (periods.empty())
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("MSTL needs at least two full seasons of data"));
    // Harmonics per period, chosen greedily shortest period first, capped at n / 6 columns.
    const std::vector<int> grid = {1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20};
    std::vector<int> maxHarmonics;
    for (int p : periods)
        maxHarmonics.push_back(std::max(1, std::min(20, (p - 1) / 2)));
    const PhaseDesign d = phaseDesign(y, periods, maxHarmonics);
    // X'X and X'y of the columns intercept, trend, Fourier terms, from the phase sums.
    const int f = int(d.fourier.cols());
    Eigen::MatrixXd gram(f + 2, f + 2);
    Eigen::VectorXd xty(f + 2);
    double sumT2 = 0, sumTY = 0, yty = 0;
    for (int t = 0; t < n; ++t) {
        const double u = double(t) / n;
        sumT2 += u * u;
        sumTY += u * y[size_t(t)];
        yty += y[size_t(t)] * y[size_t(t)];
    }
    gram(0, 0) = n;
    gram(0, 1) = gram(1, 0) = d.trend.sum();
    gram(1, 1) = sumT2;
    gram.block(0, 2, 1, f) = (d.fourier.transpose() * d.count).transpose();
    gram.block(1, 2, 1, f) = (d.fourier.transpose() * d.trend).transpose();
    gram.block(2, 0, f, 2) = gram.block(0, 2, 2, f).transpose();
    gram.block(2, 2, f, f) = d.fourier.transpose() * d.count.asDiagonal() * d.fourier;
    xty(0) = d.ySum.sum();
    xty(1) = sumTY;
    xty.tail(f) = d.fourier.transpose() * d.ySum;
    std::vector<int> harmonics(periods.size(), 1);
    for (size_t i = 0; i < periods.size(); ++i) {
        double bestAicc = std::numeric_limits<double>::infinity();
        int bestK = 1;
        for (int k : grid) {
            if (k > maxHarmonics[i])
                break;
            std::vector<int> h = harmonics;
            h[i] = k;
            const std::vector<int> cols = columnsFor(h, maxHarmonics);
            if (int(cols.size()) > std::max(4, n / 6))
                break;
            const Regression r = regressSubset(gram, xty, yty, cols, n);
            if (r.aicc < bestAicc) {
                bestAicc = r.aicc;
                bestK = k;
            }
        }
        harmonics[i] = bestK;
    }
    const std::vector<int> cols = columnsFor(harmonics, maxHarmonics);
    const Regression r = regressSubset(gram, xty, yty, cols, n);
    std::unique_ptr<MstlModel> model(new MstlModel);
    model->m_periods = periods;
    model->m_harmonics = harmonics;
    model->m_n = n;
    model->m_coef.assign(r.beta.data() + 2, r.beta.data() + r.beta.size());
    // The seasonal part per phase, from the same rows: no trigonometry per point.
    Eigen::VectorXd perPhase = Eigen::VectorXd::Zero(d.phases);
    for (size_t j = 2; j < cols.size(); ++j)
        perPhase += r.beta(Eigen::Index(j)) * d.fourier.col(cols[j] - 2);
    std::vector<double> adj(y.size());
    for (int t = 0, ph = 0; t < n; ++t) {
        adj[size_t(t)] = y[size_t(t)] - perPhase(ph);
        if (++ph == d.phases)
            ph = 0;
    }
    if (adjusted == Adjusted::Arima) {
        auto inner = ArimaModel::autoFit(adj, 1);
        if (!inner)
            return inner.error();
        model->m_inner = std::move(*inner);
    } else {
        auto inner = EtsModel::autoFit(adj, 1);
        if (!inner)
            return inner.error();
        model->m_inner = std::move(*inner);
    }
    return model;
}

double MstlModel::seasonal(long t) const
{
    double s = 0;
    size_t c = 0;
    for (size_t i = 0; i < m_periods.size(); ++i)
        for (int k = 1; k <= m_harmonics[i]; ++k) {
            const double a = 2 * M_PI * k * double(t) / m_periods[i];
            s += m_coef[c] * std::sin(a) + m_coef[c + 1] * std::cos(a);
            c += 2;
        }
    return s;
}

QString MstlModel::name() const
{
    QStringList p;
    for (int v : m_periods)
        p << QString::number(v);
    return QStringLiteral("MSTL[%1]+%2").arg(p.join(QLatin1Char(',')), m_inner->name());
}

QJsonObject MstlModel::parameters() const
{
    QJsonArray periods, harmonics;
    for (size_t i = 0; i < m_periods.size(); ++i) {
        periods.append(m_periods[i]);
        harmonics.append(m_harmonics[i]);
    }
    return {{QStringLiteral("periods"), periods},
            {QStringLiteral("harmonics"), harmonics},
            {QStringLiteral("seasonal"), QStringLiteral("fourier")},
            {QStringLiteral("adjustedModel"), m_inner->name()},
            {QStringLiteral("adjustedParameters"), m_inner->parameters()}};
}

std::vector<double> MstlModel::pointForecast(int horizon) const
{
    std::vector<double> f = m_inner->pointForecast(horizon);
    for (int h = 0; h < horizon; ++h)
        f[size_t(h)] += seasonal(long(m_n) + h);
    return f;
}

std::vector<double> MstlModel::analyticVariance(int horizon) const
{
    return m_inner->analyticVariance(horizon);
}

void MstlModel::simulate(int horizon, int paths, std::mt19937_64& rng,
                         std::vector<double>& out) const
{
    m_inner->simulate(horizon, paths, rng, out);
    std::vector<double> s(static_cast<size_t>(horizon));
    for (int h = 0; h < horizon; ++h)
        s[size_t(h)] = seasonal(long(m_n) + h);
    for (int p = 0; p < paths; ++p)
        for (int h = 0; h < horizon; ++h)
            out[size_t(p) * size_t(horizon) + size_t(h)] += s[size_t(h)];
}

} // namespace doppel::forecast
