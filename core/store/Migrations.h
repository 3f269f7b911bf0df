// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <vector>

namespace doppel {

// Schema migrations in order; migration i brings the schema from version i to i + 1.
// Never edit a released migration: add a new one.
const std::vector<const char*>& schemaMigrations();

// PRAGMA application_id marking a Doppel repository ("DPPL").
constexpr int DoppelApplicationId = 0x4450504c;

} // namespace doppel
