#!/usr/bin/env bash
# Every test of the project, as CI runs it (`.ci/run` calls exactly this).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
