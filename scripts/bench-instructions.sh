#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind (independent of machine load),
# for the core decision and for each adapter beside the middleware users would pick
# instead, on the same bare handler (which already sets a header, so no contender pays
# for the response map's first allocation). A benchmark, not a test.
#
#   bash scripts/bench-instructions.sh            # core, hostile input, adapters, C ABI
#   bash scripts/bench-instructions.sh --nginx    # ... and nginx (cors-nginx/bench.sh)
#   bash scripts/bench-instructions.sh --apache   # ... and Apache (cors-apache/bench.sh)
#
# Each contender answers N1 and then N2 requests in two runs; (Ir(N2) - Ir(N1)) / (N2 - N1)
# is the cost of one request with setup cancelled out. Every contender's answers are
# checked by its bench before it is counted (each bench's sanity check runs first).
# "delta" is a contender's cost over its framework's bare stack; "ratio" is ours / peer's
# delta, the number the targets in docs/benchmarks.md are stated in.
#
# Environment: N1 (default 200), N2 (default 1200). Needs valgrind (scripts/setup.sh
# installs it) and builds the benches in the release profile.
set -euo pipefail
cd "$(dirname "$0")/.."

N1="${N1:-200}"
N2="${N2:-1200}"
with_nginx=false
with_apache=false
for arg in "$@"; do
    case "$arg" in
        --nginx) with_nginx=true ;;
        --apache) with_apache=true ;;
        *) echo "usage: $0 [--nginx] [--apache]" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "valgrind is missing: run bash scripts/setup.sh" >&2; exit 2; }

# Build the bench executables once; remember where each lives.
declare -A exe
while read -r name path; do
    exe[$name]=$path
done < <(cargo bench -p cors-core -p cors-bench --no-run 2>&1 |
    sed -n 's/.*Executable benches\/\([a-z_]*\)\.rs (\(.*\))/\1 \2/p')
for b in decision tower_axum actix warp rocket; do
    [ -n "${exe[$b]:-}" ] || { echo "bench $b was not built" >&2; exit 1; }
done

# instructions BIN ARGS...: total instructions callgrind counts for one run.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# per_request BIN ARGS-BEFORE-N: instructions of one request (two runs, N1 and N2).
per_request() {
    local a b
    a=$(instructions "$@" "$N1")
    b=$(instructions "$@" "$N2")
    [ -n "$a" ] && [ -n "$b" ] || { echo "callgrind failed for: $*" >&2; exit 1; }
    echo $(((b - a) / (N2 - N1)))
}

echo "# Instructions per request (callgrind; N1=$N1, N2=$N2)"
echo
echo "## The core decision alone (Policy::decide on an http::Request)"
echo
printf '| %-14s | %-20s | %12s |\n' config request instructions
printf '|%s|%s|%s|\n' "----------------" "----------------------" "-------------:"
for cfg in 3-exact 10000-exact 50-wildcards; do
    for req in allowed-actual denied-actual preflight-3-headers no-origin; do
        n=$(per_request "${exe[decision]}" --instructions "cfg=$cfg/req=$req")
        printf '| %-14s | %-20s | %12s |\n' "$cfg" "$req" "$n"
    done
done

echo
echo "## Routes: Policy::decide_at on /api/v1/items/42 with 0, 1 and 4096 routes"
echo
printf '| %-8s | %12s |\n' routes instructions
printf '|%s|%s|\n' "----------" "-------------:"
for n in 0 1 4096; do
    printf '| %-8s | %12s |\n' "$n" "$(per_request "${exe[decision]}" --instructions "routes=$n/req=allowed-actual")"
done

echo
echo "## Hostile preflights: cost per byte of Access-Control-Request-Headers, at two sizes"
echo
printf '| %-16s | %14s | %14s | %10s |\n' input "1x (instr)" "2x (instr)" "2x / 1x"
printf '|%s|%s|%s|%s|\n' "------------------" "---------------:" "---------------:" "-----------:"
for what in acrh-1MiB-name commas-100k lines-10k; do
    # Few requests: each reads megabytes.
    one=$(N1=2 N2=12 per_request "${exe[decision]}" --instructions "hostile=$what/size=1x")
    two=$(N1=2 N2=12 per_request "${exe[decision]}" --instructions "hostile=$what/size=2x")
    printf '| %-16s | %14s | %14s | %10s |\n' "$what" "$one" "$two" \
        "$(awk -v a="$one" -v b="$two" 'BEGIN { printf "%.2f", b / a }')"
done

# adapter BENCH BARE OURS PEER: one table of the four cases.
adapter() {
    local bench=$1 bare=$2 ours=$3 peer=$4 case b o p
    echo
    echo "## $bench: $ours vs $peer (over $bare)"
    echo
    printf '| %-20s | %10s | %10s | %10s | %9s | %9s | %7s |\n' \
        case bare ours peer "ours +" "peer +" ratio
    printf '|%s|%s|%s|%s|%s|%s|%s|\n' "----------------------" "-----------:" \
        "-----------:" "-----------:" "----------:" "----------:" "--------:"
    for case in actual preflight-3-headers no-origin disallowed-origin; do
        b=$(per_request "${exe[$bench]}" --instructions "$bare" "$case")
        o=$(per_request "${exe[$bench]}" --instructions "$ours" "$case")
        p=$(per_request "${exe[$bench]}" --instructions "$peer" "$case")
        printf '| %-20s | %10s | %10s | %10s | %9s | %9s | %7s |\n' "$case" "$b" "$o" "$p" \
            "$((o - b))" "$((p - b))" \
            "$(awk -v o="$((o - b))" -v p="$((p - b))" 'BEGIN { if (p > 0) printf "%.2f", o / p; else print "-" }')"
    done
}

adapter tower_axum service_fn/bare service_fn/cors-axum service_fn/tower-http
adapter tower_axum router/bare router/cors-axum router/tower-http
adapter actix bare cors-actix actix-cors
adapter warp warp/bare warp/cors-warp-serve warp/warp-cors
adapter rocket bare cors-rocket rocket_cors

echo
echo "## The C ABI: cors_decide from C vs the Rust call (cargo bench -p cors-ffi --bench decide)"
echo
cargo bench -q -p cors-ffi --bench decide 2>/dev/null | sed -n '/^case/,$p'

if $with_nginx; then
    echo
    echo "## nginx (bash cors-nginx/bench.sh --instructions)"
    echo
    bash cors-nginx/bench.sh --instructions
fi

if $with_apache; then
    echo
    echo "## Apache httpd (bash cors-apache/bench.sh --instructions)"
    echo
    bash cors-apache/bench.sh --instructions
fi
