#!/usr/bin/env bash
# Dependency counts and clean debug build times of cors-core for its feature sets, against
# a reference commit (default: the 0.2.0 tag's commit, 07fe613), one after the other in
# this run. Seconds on a shared machine: read the ratios.
#
#   bash scripts/bench-build.sh [REF]
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${1:-07fe613}"
before="$(mktemp -d)"
target="$(mktemp -d)"
trap 'git worktree remove --force "$before" >/dev/null 2>&1 || true; rm -rf "$target"' EXIT
git worktree add -f -q "$before" "$ref"

count() {
    local dir=$1; shift
    (cd "$dir" && cargo tree -p cors-core -e normal --prefix none "$@" 2>/dev/null) \
        | sed 's/ (\*)//' | sort -u | wc -l
}
build() {
    local dir=$1; shift
    rm -rf "$target"/*
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$target" cargo build -q -p cors-core "$@")
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
b=$(build "$before")
echo "| build | crates | clean build (s) | ratio |"
echo "|---|---:|---:|---:|"
echo "| $ref | $(count "$before") | $b | 1.00 |"
for feat in "" "--no-default-features --features toml" "--features idn-hints"; do
    # shellcheck disable=SC2086
    t=$(build . $feat)
    # shellcheck disable=SC2086
    echo "| now ${feat:-default} | $(count . $feat) | $t | $(echo "scale=2; $t / $b" | bc) |"
done
