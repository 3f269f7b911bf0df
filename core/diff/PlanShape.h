// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workload/CaptureRecord.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace doppel {

// One captured call of a fingerprint, kept so its plan can be asked for on both sides: the text
// as the client sent it, the database it ran in and, for the extended protocol, its parameters.
struct SampleStatement
{
    QString fingerprint;
    QString query; // normalized, for display
    std::string text;
    QString database;
    CaptureRecord::Protocol protocol = CaptureRecord::Protocol::Simple;
    std::vector<CaptureParameter> parameters;
    bool isValid() const { return !text.empty(); }
};

// A plan's shape: what the planner chose (node types, join types, relation and index names,
// aggregate and set-operation strategies, scan direction), never what it estimated (costs,
// rows, widths) nor expressions. Two plans of the same shape hash the same. Plain data.
struct PlanShape
{
    struct Node
    {
        QString label; // as EXPLAIN's text format names it: "Index Scan using k_idx on t"
        std::vector<Node> children;
    };
    Node root;
    // Hex digest of the tree of labels; empty when the plan was empty.
    QString hash;

    // Reads one EXPLAIN (FORMAT JSON) result: the array PostgreSQL returns or its first
    // element, the object holding "Plan".
    static PlanShape fromExplain(const QJsonObject& explain);
    static PlanShape fromExplain(const QJsonArray& explain);
};

// A node where the two plans part ways: its position ("1" is the top node, "1.2" its second
// child) and what each side has there (a label with the nodes below it, or "(none)").
struct PlanDifference
{
    QString path;
    QString prod;
    QString shadow;
};

// The plans of one statement on production and on the shadow, side by side.
struct PlanComparison
{
    QString fingerprint;
    QString query;
    QString prodHash;
    QString shadowHash;
    bool sameShape = false;
    std::vector<PlanDifference> differences; // the topmost differing nodes, in tree order
    QString error; // why there is no comparison (EXPLAIN failed on a side), else empty

    // {"fingerprint","query","prod_hash","shadow_hash","same_shape","differences":[...]}
    QJsonObject toJson() const;
};

PlanComparison comparePlanShapes(const PlanShape& prod, const PlanShape& shadow);

} // namespace doppel
