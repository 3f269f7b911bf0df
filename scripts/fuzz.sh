#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets of tests/fuzz with clang and runs each for SECONDS (default 60)
# from the seed corpus. Without clang it says so and succeeds: the fuzzers are a CI extra.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
  echo "fuzz: clang not installed, fuzzing skipped"
  exit 0
fi
build=${DOPPEL_FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDOPPEL_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_pgwire -j"$(nproc)"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp tests/fuzz/corpus/* "$corpus"/
# A crash leaves its input as crash-* in the current directory and fails this script.
"$build/bin/fuzz_pgwire" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
  "$corpus" 2>&1 | tail -15
echo "fuzz: fuzz_pgwire ran ${seconds} s without a crash"
