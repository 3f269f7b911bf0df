// SPDX-License-Identifier: GPL-3.0-or-later
#include "DiffTableModel.h"

#include "UnitFormat.h"

#include <QBrush>
#include <QColor>

namespace doppel {

DiffTableModel::DiffTableModel(QObject* parent) : QAbstractTableModel(parent)
{}

void DiffTableModel::setStatements(std::vector<StatementDiff> statements)
{
    beginResetModel();
    m_rows = std::move(statements);
    endResetModel();
}

bool DiffTableModel::isRegression(const StatementDiff& d)
{
    return (d.significant && d.ratioP95 > 1) || d.divergentResults > 0 ||
           !d.newErrorClasses.isEmpty();
}

int DiffTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DiffTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiffTableModel::value(const StatementDiff& d, int column) const
{
    switch (column) {
    case QueryColumn:
        return d.query.simplified();
    case CallsColumn:
        return qint64(d.prod.calls);
    case ProdP95Column:
        return d.prod.p95Ms;
    case ShadowP95Column:
        return d.shadow.p95Ms;
    case RatioColumn:
        return d.ratioP95;
    case PValueColumn:
        return d.pValue;
    case SignificantColumn:
        return d.significant;
    case DivergentColumn:
        return qint64(d.divergentResults);
    case ErrorsColumn:
        return qint64(d.shadow.errors);
    default:
        return {};
    }
}

QVariant DiffTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const StatementDiff& d = m_rows[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        const QVariant v = value(d, column);
        if (column == SignificantColumn)
            return d.significant ? tr("yes") : tr("no");
        if (column == PValueColumn)
            return QString::number(d.pValue, 'g', 2);
        if (column == RatioColumn)
            return QString::number(d.ratioP95, 'f', 2);
        if (column == ProdP95Column || column == ShadowP95Column)
            return formatNumber(v.toDouble());
        return v;
    }
    case SortRole:
        return value(d, column);
    case FingerprintRole:
        return d.fingerprint;
    case RegressionRole:
        return isRegression(d);
    case Qt::ToolTipRole:
        if (column == QueryColumn)
            return d.query;
        if (column == ErrorsColumn)
            return tr("%1 errors on production, %2 on the shadow%3")
                .arg(d.prod.errors)
                .arg(d.shadow.errors)
                .arg(d.newErrorClasses.isEmpty()
                         ? QString()
                         : tr("; SQLSTATE classes only the shadow raised: %1")
                               .arg(d.newErrorClasses.join(QStringLiteral(", "))));
        return {};
    case Qt::TextAlignmentRole:
        return column == QueryColumn ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::BackgroundRole:
        if (isRegression(d))
            return QBrush(QColor(255, 205, 205));
        if (d.significant && d.ratioP95 < 1)
            return QBrush(QColor(210, 240, 210));
        return {};
    default:
        return {};
    }
}

QVariant DiffTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case QueryColumn:
        return tr("Query");
    case CallsColumn:
        return tr("Calls");
    case ProdP95Column:
        return tr("Prod p95 ms");
    case ShadowP95Column:
        return tr("Shadow p95 ms");
    case RatioColumn:
        return tr("Ratio");
    case PValueColumn:
        return tr("p-value");
    case SignificantColumn:
        return tr("Significant");
    case DivergentColumn:
        return tr("Divergent");
    case ErrorsColumn:
        return tr("Errors");
    default:
        return {};
    }
}

} // namespace doppel
