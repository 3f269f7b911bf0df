// SPDX-License-Identifier: GPL-3.0-or-later
#include "ShadowTables.h"

#include "StateIcons.h"

#include <QHeaderView>
#include <QTableWidget>

#include <algorithm>

namespace doppel {

namespace {

QTableWidgetItem* item(const QString& text)
{
    auto* i = new QTableWidgetItem(text);
    i->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    i->setToolTip(text);
    return i;
}

QTableWidgetItem* number(qint64 value)
{
    auto* i = item(QString());
    i->setData(Qt::DisplayRole, value); // sorts as a number
    i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return i;
}

QIcon verdictIcon(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Ok:
        return stateIcon(HostState::Ok);
    case Verdict::Warn:
        return stateIcon(HostState::Degraded);
    case Verdict::Fail:
        return stateIcon(HostState::Error);
    }
    return stateIcon(HostState::Unknown);
}

void reset(QTableWidget* table, size_t rows)
{
    table->setSortingEnabled(false);
    table->clearContents();
    table->setRowCount(int(rows));
}

} // namespace

void setupResultTable(QTableWidget* table, const QStringList& headers)
{
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->horizontalHeader()->setStretchLastSection(true);
}

void fillChecks(QTableWidget* table, const std::vector<ShadowCheck>& checks)
{
    reset(table, checks.size());
    for (int row = 0; row < int(checks.size()); ++row) {
        const ShadowCheck& c = checks[size_t(row)];
        auto* verdict = item(verdictName(c.verdict));
        verdict->setIcon(verdictIcon(c.verdict));
        table->setItem(row, 0, verdict);
        table->setItem(row, 1, item(c.name));
        table->setItem(row, 2, item(c.message));
        table->setItem(row, 3, item(c.objects.join(QStringLiteral(", "))));
        table->setItem(row, 4, item(c.fix));
    }
    table->resizeColumnsToContents();
    // Long messages stay readable in their tooltip; the fix column must stay in view.
    table->setColumnWidth(2, std::min(table->columnWidth(2), 420));
    table->setColumnWidth(3, std::min(table->columnWidth(3), 220));
}

void fillTableStates(QTableWidget* table, const std::vector<ShadowTableState>& states)
{
    reset(table, states.size());
    for (int row = 0; row < int(states.size()); ++row) {
        table->setItem(row, 0, item(states[size_t(row)].table));
        auto* state = item(states[size_t(row)].state);
        state->setIcon(stateIcon(states[size_t(row)].state == QLatin1String("ready")
                                     ? HostState::Ok
                                     : HostState::Degraded));
        table->setItem(row, 1, state);
    }
    table->resizeColumnsToContents();
    table->setSortingEnabled(true);
}

void fillVerification(QTableWidget* table, const std::vector<TableVerification>& tables)
{
    reset(table, tables.size());
    for (int row = 0; row < int(tables.size()); ++row) {
        const TableVerification& t = tables[size_t(row)];
        auto* verdict = item(t.identical() ? QObject::tr("identical") : QObject::tr("differs"));
        verdict->setIcon(stateIcon(t.identical() ? HostState::Ok : HostState::Error));
        table->setItem(row, 0, verdict);
        table->setItem(row, 1, item(t.table));
        table->setItem(row, 2, number(t.rowsProd));
        table->setItem(row, 3, number(t.rowsShadow));
        table->setItem(
            row, 4,
            item(t.error.isEmpty()
                     ? QObject::tr("%1 of %2 chunks differ").arg(t.chunksDiffering).arg(t.chunks)
                     : t.error));
    }
    table->resizeColumnsToContents();
    table->setSortingEnabled(true);
}

} // namespace doppel
