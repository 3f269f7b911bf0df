// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectorShadowService.h"

#include "ShadowPrechecks.h"
#include "ShadowSetup.h"
#include "ShadowStatus.h"
#include "ShadowVerify.h"

namespace doppel::shadow {

Result<std::vector<ShadowCheck>> ConnectorShadowService::check(const ShadowSpec& spec)
{
    auto conns = connectBoth(spec);
    if (!conns)
        return conns.error();
    return runPrechecks(*conns, spec);
}

Result<QStringList> ConnectorShadowService::setup(const ShadowSpec& spec, const Progress& progress)
{
    return setupShadow(spec, progress);
}

Result<ShadowStatus> ConnectorShadowService::status(const ShadowSpec& spec)
{
    auto prod = connectProd(spec);
    if (!prod)
        return prod.error();
    // Production's view (slots, lag) is worth showing even when the shadow is down.
    auto shadow = connectShadow(spec);
    return readShadowStatus(**prod, shadow ? shadow->get() : nullptr, spec);
}

Result<std::vector<TableVerification>> ConnectorShadowService::verify(const ShadowSpec& spec,
                                                                      const Progress& progress,
                                                                      const CancelToken& cancel)
{
    auto conns = connectBoth(spec);
    if (!conns)
        return conns.error();
    return verifyShadow(*conns, spec, VerifyOptions{}, progress, cancel);
}

Result<std::vector<SequenceSync>> ConnectorShadowService::syncSequences(const ShadowSpec& spec,
                                                                        qint64 margin)
{
    auto conns = connectBoth(spec);
    if (!conns)
        return conns.error();
    return shadow::syncSequences(*conns, margin);
}

Result<QStringList> ConnectorShadowService::teardown(const ShadowSpec& spec,
                                                     const Progress& progress)
{
    return teardownShadow(spec, progress);
}

} // namespace doppel::shadow
