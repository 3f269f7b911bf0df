// SPDX-License-Identifier: GPL-3.0-or-later
#include "PlanShape.h"

#include <QCryptographicHash>

namespace doppel {

namespace {

QString str(const QJsonObject& o, const char* key)
{
    return o.value(QLatin1String(key)).toString();
}

// The node's name the way EXPLAIN's text format prints it (explain.c), without costs.
QString nodeLabel(const QJsonObject& n)
{
    const QString type = str(n, "Node Type");
    const QString strategy = str(n, "Strategy");
    QString name = type;
    if (type == QLatin1String("Aggregate")) {
        if (strategy == QLatin1String("Sorted"))
            name = QStringLiteral("GroupAggregate");
        else if (strategy == QLatin1String("Hashed"))
            name = QStringLiteral("HashAggregate");
        else if (strategy == QLatin1String("Mixed"))
            name = QStringLiteral("MixedAggregate");
    } else if (type == QLatin1String("SetOp") && strategy == QLatin1String("Hashed")) {
        name = QStringLiteral("HashSetOp");
    } else if (type == QLatin1String("ModifyTable") && n.contains(QLatin1String("Operation"))) {
        name = str(n, "Operation");
    }
    const QString partial = str(n, "Partial Mode");
    if (!partial.isEmpty() && partial != QLatin1String("Simple"))
        name = partial + QLatin1Char(' ') + name;
    if (n.contains(QLatin1String("Command")))
        name += QLatin1Char(' ') + str(n, "Command");
    const QString join = str(n, "Join Type");
    if (!join.isEmpty() && join != QLatin1String("Inner")) {
        if (type == QLatin1String("Nested Loop"))
            name += QStringLiteral(" %1 Join").arg(join);
        else if (type.endsWith(QLatin1String(" Join")))
            name = QStringLiteral("%1 %2 Join").arg(type.chopped(5), join);
    }
    if (str(n, "Scan Direction") == QLatin1String("Backward"))
        name += QStringLiteral(" Backward");
    if (n.contains(QLatin1String("Index Name")))
        name += (type == QLatin1String("Bitmap Index Scan") ? QStringLiteral(" on ")
                                                            : QStringLiteral(" using ")) +
                str(n, "Index Name");
    for (const char* key : {"Relation Name", "CTE Name", "Function Name", "Table Function Name"})
        if (n.contains(QLatin1String(key)))
            name += QStringLiteral(" on ") + str(n, key);
    if (n.contains(QLatin1String("Subplan Name")))
        name = str(n, "Subplan Name") + QStringLiteral(": ") + name;
    return name;
}

PlanShape::Node readNode(const QJsonObject& n)
{
    PlanShape::Node node;
    node.label = nodeLabel(n);
    for (const auto& child : n.value(QLatin1String("Plans")).toArray())
        node.children.push_back(readNode(child.toObject()));
    return node;
}

// Length-prefixed labels in preorder with child counts: no two different trees serialize alike.
void serialize(const PlanShape::Node& node, QByteArray& out)
{
    const QByteArray label = node.label.toUtf8();
    out += QByteArray::number(label.size()) + ':' + label + '/' +
           QByteArray::number(qsizetype(node.children.size())) + ';';
    for (const auto& child : node.children)
        serialize(child, out);
}

// A node with what lies below it, two levels deep: enough to tell "Gather" from "Gather over a
// Parallel Seq Scan" without printing a whole plan.
QString describe(const PlanShape::Node& node, int depth = 2)
{
    if (node.children.empty() || depth == 0)
        return node.label;
    QStringList below;
    for (const auto& child : node.children)
        below << describe(child, depth - 1);
    return QStringLiteral("%1 [%2]").arg(node.label, below.join(QStringLiteral("; ")));
}

void compareNodes(const PlanShape::Node& prod, const PlanShape::Node& shadow, const QString& path,
                  std::vector<PlanDifference>& out)
{
    if (prod.label != shadow.label) {
        out.push_back({path, describe(prod), describe(shadow)});
        return;
    }
    const size_t n = std::max(prod.children.size(), shadow.children.size());
    for (size_t i = 0; i < n; ++i) {
        const QString childPath = path + QLatin1Char('.') + QString::number(i + 1);
        if (i < prod.children.size() && i < shadow.children.size())
            compareNodes(prod.children[i], shadow.children[i], childPath, out);
        else
            out.push_back(
                {childPath,
                 i < prod.children.size() ? describe(prod.children[i]) : QStringLiteral("(none)"),
                 i < shadow.children.size() ? describe(shadow.children[i])
                                            : QStringLiteral("(none)")});
    }
}

} // namespace

PlanShape PlanShape::fromExplain(const QJsonObject& explain)
{
    PlanShape shape;
    const QJsonObject plan = explain.value(QLatin1String("Plan")).toObject();
    if (plan.isEmpty())
        return shape;
    shape.root = readNode(plan);
    QByteArray bytes;
    serialize(shape.root, bytes);
    shape.hash = QString::fromLatin1(
        QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().left(16));
    return shape;
}

PlanShape PlanShape::fromExplain(const QJsonArray& explain)
{
    return fromExplain(explain.first().toObject());
}

PlanComparison comparePlanShapes(const PlanShape& prod, const PlanShape& shadow)
{
    PlanComparison c;
    c.prodHash = prod.hash;
    c.shadowHash = shadow.hash;
    c.sameShape = !prod.hash.isEmpty() && prod.hash == shadow.hash;
    if (!c.sameShape)
        compareNodes(prod.root, shadow.root, QStringLiteral("1"), c.differences);
    return c;
}

QJsonObject PlanComparison::toJson() const
{
    QJsonArray diffs;
    for (const PlanDifference& d : differences)
        diffs.append(QJsonObject{{QStringLiteral("path"), d.path},
                                 {QStringLiteral("prod"), d.prod},
                                 {QStringLiteral("shadow"), d.shadow}});
    QJsonObject o{
        {QStringLiteral("fingerprint"), fingerprint}, {QStringLiteral("query"), query},
        {QStringLiteral("prod_hash"), prodHash},      {QStringLiteral("shadow_hash"), shadowHash},
        {QStringLiteral("same_shape"), sameShape},    {QStringLiteral("differences"), diffs}};
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

} // namespace doppel
