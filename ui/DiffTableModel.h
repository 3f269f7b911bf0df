// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diff/DiffEngine.h"

#include <QAbstractTableModel>

#include <vector>

namespace doppel {

// The per-fingerprint comparison of a differential report as a table: query, calls, p95 on
// each side, ratio, p-value, significant, divergent results, shadow errors. SortRole carries
// the raw value of each cell so a QSortFilterProxyModel sorts numbers as numbers; regressions
// (significant and slower, divergent results, new error classes) are tinted. GUI thread only.
class DiffTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        QueryColumn,
        CallsColumn,
        ProdP95Column,
        ShadowP95Column,
        RatioColumn,
        PValueColumn,
        SignificantColumn,
        DivergentColumn,
        ErrorsColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int FingerprintRole = Qt::UserRole + 2;
    static constexpr int RegressionRole = Qt::UserRole + 3; // bool

    explicit DiffTableModel(QObject* parent = nullptr);

    void setStatements(std::vector<StatementDiff> statements);
    const std::vector<StatementDiff>& statements() const { return m_rows; }
    // A regression a reader must look at: slower beyond noise, divergent, or new errors.
    static bool isRegression(const StatementDiff& d);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant value(const StatementDiff& d, int column) const;
    std::vector<StatementDiff> m_rows;
};

} // namespace doppel
