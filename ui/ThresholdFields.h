// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/ForecastRecords.h"

class QComboBox;
class QDoubleSpinBox;
class QWidget;

namespace doppel {

// The fields of a new threshold that the Forecast view and the Thresholds dialog share: above
// or below, the value and the probability. The widgets belong to `parent`. GUI thread only.
struct ThresholdFields
{
    QComboBox* direction = nullptr; // above (a ceiling) or below (a floor)
    QDoubleSpinBox* value = nullptr;
    QDoubleSpinBox* probability = nullptr; // in per cent

    static ThresholdFields create(QWidget* parent);
    // Sets value, probability and below of `t` from the fields.
    void fill(ForecastThreshold& t) const;
};

} // namespace doppel
