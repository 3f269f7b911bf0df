#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages only the benchmarks need (R's forecast and prophet, the peers
# of bench/forecast). Kept apart from install-deps.sh so CI stays light. Idempotent.
set -euo pipefail

packages=(r-base-core r-cran-forecast r-cran-prophet r-cran-lubridate)

# R's recommended packages come along (forecast needs some of them).
exec bash "$(dirname "$0")/install-packages.sh" install-bench-deps "${packages[@]}"
