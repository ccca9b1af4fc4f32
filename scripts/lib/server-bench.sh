# Shared by cors-nginx/bench.sh and cors-apache/bench.sh (sourced, not run): wrk
# measurements of one serving process, the per-request instruction count from a callgrind
# total, and the final table. The caller sets `mode` (wrk or callgrind), THREADS,
# CONNECTIONS and DURATION, and declares `declare -A result cpu`.

# Median of whitespace-separated numbers on stdin.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# User+system CPU ticks of a process.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One wrk run against $3 (port) served by $4 (pid) at $5 (path), wrk args after: sets `out`
# and `value` (requests/s) and adds the CPU time per request to cpu[$1/$2].
bench_wrk() {
    local scenario="$1" variant="$2" port="$3" pid="$4" path="$5"
    shift 5
    local before after requests
    before="$(cpu_ticks "$pid")"
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$@" "http://127.0.0.1:$port$path")"
    after="$(cpu_ticks "$pid")"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    value="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    cpu[$scenario/$variant]+="$(awk -v t="$((after - before))" -v n="$requests" \
        -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz / n * 1e6 }') "
}

# Instructions per request: the PROGRAM TOTALS of callgrind output $1 divided by the
# requests wrk reported in `out`; sets `value`.
bench_per_request() {
    local ir requests
    ir="$(callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    value="$((ir / requests))"
}

# Records `value` for $1/$2 after checking wrk's `out` had only 2xx answers.
bench_record() {
    local scenario="$1" variant="$2"
    if grep -q "Non-2xx" <<<"$out"; then
        echo "bench.sh: $scenario/$variant had non-2xx responses:" >&2
        echo "$out" >&2
        exit 1
    fi
    result[$scenario/$variant]+="$value "
    printf '  %-9s %-8s %12s %s\n' "$scenario" "$variant" "$value" \
        "$([ "$mode" = callgrind ] && echo "instructions/request" || echo "req/s")" >&2
}

# The table: per scenario, bare, module and snippet with their medians and ratio to bare.
bench_table() {
    local scenario variant base m
    echo
    if [ "$mode" = callgrind ]; then
        # Fewer instructions is better: the ratio is bare's count over the variant's, so it
        # reads like a throughput ratio.
        printf '%-9s %-8s %14s %8s\n' scenario variant "instr/request" "vs bare"
    else
        printf '%-9s %-8s %12s %8s %11s   %s\n' scenario variant "median req/s" "vs bare" "CPU us/req" "runs (req/s)"
    fi
    for scenario in actual preflight; do
        base="$(median <<<"${result[$scenario/bare]}")"
        for variant in bare module snippet; do
            m="$(median <<<"${result[$scenario/$variant]}")"
            if [ "$mode" = callgrind ]; then
                printf '%-9s %-8s %14s %8s\n' "$scenario" "$variant" "$m" \
                    "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.3f", b / a }')"
            else
                printf '%-9s %-8s %12s %8s %11s   %s\n' "$scenario" "$variant" "$m" \
                    "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.3f", a / b }')" \
                    "$(median <<<"${cpu[$scenario/$variant]}")" "${result[$scenario/$variant]}"
            fi
        done
    done
}
