#!/usr/bin/env bash
# Every test of the project, as CI runs it (`.ci/run` calls exactly this).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# The core's optional formats and hints compile in and out (the workspace enables all).
cargo check -q -p cors-core --no-default-features
cargo check -q -p cors-core --no-default-features --features toml
# Every publishable crate packages: manifest metadata, licence files, README.
cargo package --workspace --list --allow-dirty \
    --exclude cors-conformance --exclude examples --exclude cors-bench --exclude cors-nginx --exclude cors-apache >/dev/null
cargo test --workspace
# Bounded fuzzing: each cors-core target for 30 s (scripts/fuzz.sh; crashes fail the run).
bash scripts/fuzz.sh 30
