// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyShared.h"

#include <random>

namespace doppel::proxy {

std::pair<std::int32_t, std::int32_t> CancelRegistry::add(const Target& target)
{
    std::lock_guard lock(m_mutex);
    if (m_state == 0)
        m_state = (std::uint64_t(std::random_device{}()) << 32) | std::random_device{}();
    while (true) {
        // splitmix64 over a random seed: cheap, well spread, never repeats within 2^64 steps.
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        const std::int32_t pid = std::int32_t((z >> 32) & 0x7fffffff) | 1;
        const std::int32_t secret = std::int32_t(std::uint32_t(z));
        if (m_targets.emplace(key(pid, secret), target).second)
            return {pid, secret};
    }
}

void CancelRegistry::remove(std::int32_t processId, std::int32_t secretKey)
{
    std::lock_guard lock(m_mutex);
    m_targets.erase(key(processId, secretKey));
}

std::optional<CancelRegistry::Target> CancelRegistry::find(std::int32_t processId,
                                                           std::int32_t secretKey) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_targets.find(key(processId, secretKey));
    if (it == m_targets.end())
        return std::nullopt;
    return it->second;
}

} // namespace doppel::proxy
