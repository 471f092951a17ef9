#!/usr/bin/env bash
# Runs a fuzz target for $1 seconds (default 600): $2, pipe_ops by default,
# or tape_file.
# Needs the nightly toolchain; installs cargo-fuzz if it is missing.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
target="${2:-pipe_ops}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
mkdir -p "corpus/$target"
exec cargo +nightly fuzz run "$target" -- -max_total_time="$secs" -timeout=10
