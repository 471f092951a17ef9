#!/usr/bin/env bash
# Runs the pipe_ops fuzz target for $1 seconds (default 600).
# Needs the nightly toolchain; installs cargo-fuzz if it is missing.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
mkdir -p corpus/pipe_ops
exec cargo +nightly fuzz run pipe_ops -- -max_total_time="$secs" -timeout=10
