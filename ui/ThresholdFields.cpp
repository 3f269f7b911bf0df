// SPDX-License-Identifier: GPL-3.0-or-later
#include "ThresholdFields.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QWidget>

namespace doppel {

ThresholdFields ThresholdFields::create(QWidget* parent)
{
    auto tr = [](const char* text) { return QCoreApplication::translate("ThresholdFields", text); };
    ThresholdFields f;
    f.direction = new QComboBox(parent);
    f.direction->setObjectName(QStringLiteral("thresholdDirection"));
    f.direction->addItem(tr("above"), false);
    f.direction->addItem(tr("below"), true);
    f.direction->setToolTip(
        tr("Below: a floor, such as free disk or the cache hit ratio, crossed by going under it."));
    f.value = new QDoubleSpinBox(parent);
    f.value->setObjectName(QStringLiteral("thresholdValue"));
    f.value->setRange(-1e15, 1e15);
    f.value->setDecimals(2);
    f.probability = new QDoubleSpinBox(parent);
    f.probability->setObjectName(QStringLiteral("thresholdProbability"));
    f.probability->setRange(1, 100);
    f.probability->setValue(80);
    f.probability->setSuffix(QStringLiteral(" %"));
    return f;
}

void ThresholdFields::fill(ForecastThreshold& t) const
{
    t.value = value->value();
    t.probability = probability->value() / 100;
    t.below = direction->currentData().toBool();
}

} // namespace doppel
