// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "services/CaptureService.h"
#include "services/HostServices.h"
#include "services/PlanService.h"
#include "services/ReplayService.h"
#include "services/SecretStore.h"
#include "services/ShadowService.h"

#include <memory>

namespace doppel {

// The system keychain through QtKeychain; falls back to memory (saying so once) when no
// keychain service runs. Thread-safe.
std::unique_ptr<SecretStore> createSecretStore();

// HostServices over libpq and libssh2. `secrets` must outlive the returned object.
std::unique_ptr<HostServices> createHostServices(SecretStore& secrets);

// ShadowService over libpq, pg_dump and psql.
std::unique_ptr<ShadowService> createShadowService();

// ReplayService over libpq: one connection and thread per captured session.
std::unique_ptr<ReplayService> createReplayService();

// PlanService over libpq: EXPLAIN (FORMAT JSON) of captured statements.
std::unique_ptr<PlanService> createPlanService();

// CaptureService: doppel-proxy started and stopped here (a process) or on a host (SSH exec),
// counters read from its Prometheus endpoint. `secrets` must outlive the returned object.
std::unique_ptr<CaptureService> createCaptureService(SecretStore& secrets);

} // namespace doppel
