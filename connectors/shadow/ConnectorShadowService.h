// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/ShadowService.h"

namespace doppel::shadow {

// ShadowService over the functions of this folder. Stateless, so thread-safe.
class ConnectorShadowService : public ShadowService
{
public:
    Result<std::vector<ShadowCheck>> check(const ShadowSpec& spec) override;
    Result<QStringList> setup(const ShadowSpec& spec, const Progress& progress) override;
    Result<ShadowStatus> status(const ShadowSpec& spec) override;
    Result<std::vector<TableVerification>> verify(const ShadowSpec& spec, const Progress& progress,
                                                  const CancelToken& cancel) override;
    Result<std::vector<SequenceSync>> syncSequences(const ShadowSpec& spec, qint64 margin) override;
    Result<QStringList> teardown(const ShadowSpec& spec, const Progress& progress) override;
};

} // namespace doppel::shadow
