#!/usr/bin/env bash
# Bounded fuzzing of cors-core (fuzz/): each target (decide, config, and origin_agreement,
# which checks the origin parser against the url crate) runs for SECONDS (default 60) under
# libFuzzer with AddressSanitizer, from the corpus fuzz/corpus/TARGET (kept between runs,
# not committed). A crash fails the run and leaves its input in fuzz/artifacts/TARGET.
# Installs cargo-fuzz if missing. cargo-fuzz passes unstable compiler flags: on the
# stable toolchain this machine has, RUSTC_BOOTSTRAP=1 allows them for this build only.
#
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
case "$seconds" in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked --quiet cargo-fuzz

export RUSTC_BOOTSTRAP=1
cd fuzz
for target in decide config origin_agreement; do
    mkdir -p "corpus/$target"
    echo "fuzz: $target for ${seconds}s"
    # -rss_limit_mb bounds memory; -max_len keeps inputs request-sized.
    log="$(mktemp)"
    status=0
    # Committed seeds (fuzz/seeds/TARGET), when a target has them, are read as well.
    seeds=()
    [ -d "seeds/$target" ] && seeds=("seeds/$target")
    cargo fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_runs|stat::peak_rss_mb|Done)" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        echo "fuzz: $target failed (status $status); inputs in fuzz/artifacts/$target" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
done
