#!/usr/bin/env bash
# loom model tests of the pipe core (loom-tests/tests/pipe_loom.rs).
#
# They live in their own small crate so the `--cfg loom` build compiles only
# pipetap (futures feature), futures-io and loom, not the main crate's heavy
# dev-dependencies, and use their own target dir so they never invalidate the
# main build. About 25 s cold, under 2 s warm (13 models, ~1 s of checking);
# the timeout bounds a pathological run.
set -euo pipefail
cd "$(dirname "$0")/../loom-tests"
export RUSTFLAGS="--cfg loom"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export CARGO_TARGET_DIR="${LOOM_TARGET_DIR:-$PWD/target}"
timeout "${LOOM_TIMEOUT:-600}" cargo test --release --locked --test pipe_loom -- --test-threads=1 "$@"
