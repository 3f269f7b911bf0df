// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Host.h"

#include <vector>

class QComboBox;

namespace doppel {

// Fills the production and the shadow/target combo of a view that works on a pair of hosts
// (production hosts in one, every other in the other), keeping the current choices that are
// still there, without emitting a change for the refill. GUI thread only.
void fillHostPairCombos(const std::vector<Host>& hosts, QComboBox* prod, QComboBox* shadow);

// The host called `name`, or null.
const Host* findHost(const std::vector<Host>& hosts, const QString& name);

} // namespace doppel
