#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Doppel builds, runs and tests with.
# Idempotent: packages already present are skipped, so a second run costs a dpkg query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
  qt6-l10n-tools libgl-dev libqt6opengl6-dev qt6-qpa-plugins
  libpq-dev postgresql-15 postgresql-contrib
  libssh2-1-dev libeigen3-dev libsqlite3-dev zlib1g-dev libpg-query-dev qtkeychain-qt6-dev
  libxxhash-dev libssl-dev openssl
  openssh-server openssh-client pgbouncer pgreplay python3-psycopg2
  openjdk-17-jdk-headless libpostgresql-jdbc-java
  xvfb xauth procps iproute2
)

# The lab starts its own clusters and sshd; the packaged services are not wanted running, nor
# recommended extras.
exec bash "$(dirname "$0")/install-packages.sh" install-deps --no-install-recommends "${packages[@]}"
