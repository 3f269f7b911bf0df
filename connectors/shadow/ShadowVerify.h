// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ShadowConnections.h"

#include <functional>
#include <vector>

namespace doppel::shadow {

struct VerifyOptions
{
    int chunkRows = 10000; // rows per chunk: each query holds no lock beyond a plain SELECT
    int retries = 3;       // a chunk that differs is read again after the shadow catches up
};

// Compares each replicated table on both sides: row count and an order-independent checksum
// (the sum of a 64-bit hash of every row's text), in primary-key chunks so production is never
// scanned in one long query. Each chunk is read on production first; the shadow is read once its
// slot has confirmed production's WAL position of that moment, so replication lag is not
// mistaken for a difference. Blocking; `progress` gets each table as it starts.
Result<std::vector<TableVerification>>
verifyShadow(ShadowConnections& conns, const ShadowSpec& spec, const VerifyOptions& options = {},
             const std::function<void(const QString&)>& progress = {},
             const CancelToken& cancel = {});

} // namespace doppel::shadow
