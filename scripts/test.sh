#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the whole test suite from a fresh clone on Debian 12: installs what it needs (apt-get,
# through sudo when not root), builds with warnings as errors, runs ctest (unit, integration
# and GUI tests; the integration and GUI tests start a real lab on loopback and stop it), then
# the libFuzzer target of the wire-protocol codec for a minute when clang is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${DOPPEL_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOPPEL_WERROR=ON
cmake --build "$build" -j"$(nproc)"
# Serial on purpose: timing tests (timeouts, UI responsiveness) must not compete for 2 cores.
ctest --test-dir "$build" --output-on-failure --timeout 600 "$@"
# The protocol codec under libFuzzer for a minute, when clang is there (tests/fuzz).
bash scripts/fuzz.sh 60
