#!/usr/bin/env bash
# Cost of answering CORS requests in Apache httpd three ways, measured in one run on the
# same machine (a benchmark, not a test; prints a table):
#
#   bare     a static file (OPTIONS: Apache's own answer): no CORS at all
#   module   the same file with `CorsPolicy` (this module, release-c cors-ffi)
#   snippet  the usual hand-written mod_headers snippet: `SetEnvIf Origin` with a regex,
#            `Header always set ... env=`, `Header merge Vary Origin`, and mod_rewrite
#            answering every OPTIONS (it cannot check the requested method or headers)
#
# Two scenarios: an actual GET with an allowed Origin, and an allowed preflight.
#
#   bash cors-apache/bench.sh                # wrk: requests/s and child CPU per request
#   bash cors-apache/bench.sh --instructions # callgrind: instructions per request
#
# wrk mode: for each scenario and variant wrk runs RUNS times for DURATION seconds,
# interleaved, against one Apache child (event MPM); reported are requests/s per run, their
# median, the median's ratio to bare, and the child's CPU time per request.
# Environment: RUNS=3 DURATION=5 THREADS=1 CONNECTIONS=32.
#
# --instructions mode: for each scenario and variant Apache runs as one process (-X) under
# valgrind's callgrind, collecting only inside ap_run_process_connection (reading, deciding,
# answering: everything a request costs but the listener's wakeups, which are the same in
# every variant); wrk sends requests on one connection for DURATION seconds, Apache is
# stopped, and the instructions collected are divided by the requests answered.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=wrk
case "${1:-}" in
    "") ;;
    --instructions) mode=callgrind ;;
    *) echo "usage: $0 [--instructions]" >&2; exit 2 ;;
esac
RUNS="${RUNS:-3}"
DURATION="${DURATION:-5}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-32}"
HTTPD="${APACHE_HTTPD:-$(command -v apache2 || echo /usr/sbin/apache2)}"
tools=("$HTTPD" apxs wrk setpriv python3)
[ "$mode" = callgrind ] && tools+=(valgrind callgrind_control callgrind_annotate)
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "bench.sh: $tool is missing; run \`bash scripts/setup.sh\`" >&2
        exit 1
    }
done

module="$(bash "$repo/cors-apache/build.sh" --release)"
modules="$(apxs -q LIBEXECDIR)"
dir="$(mktemp -d /tmp/cors-apache-bench.XXXXXX)"
chmod 755 "$dir"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/cors.toml" <<'EOF2'
allow_origins = ["https://app.example.com", "https://*.example.com"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "authorization"]
expose_headers = ["x-request-id"]
allow_credentials = true
max_age = 600
EOF2
mkdir -p "$dir/www"
printf 'ok' >"$dir/www/anything"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

user_lines=""
[ "$(id -u)" -eq 0 ] && user_lines=$'User nobody\nGroup nogroup'

# Starts one Apache: $1 name, $2 extra configuration. Sets serving_pid to the process that
# serves requests (the child; under callgrind the one -X process).
start_apache() {
    local name="$1" extra="$2" d="$dir/$1"
    mkdir -p "$d"
    # callgrind writes its output as the unprivileged user the process becomes.
    if [ "$mode" = callgrind ]; then chmod 1777 "$d"; else chmod 755 "$d"; fi
    cat >"$d/httpd.conf" <<EOF2
LoadModule mpm_event_module "$modules/mod_mpm_event.so"
LoadModule authz_core_module "$modules/mod_authz_core.so"
LoadModule headers_module "$modules/mod_headers.so"
LoadModule setenvif_module "$modules/mod_setenvif.so"
LoadModule rewrite_module "$modules/mod_rewrite.so"
$user_lines
ServerName 127.0.0.1
PidFile "$d/httpd.pid"
DefaultRuntimeDir "$d"
Mutex file:$d default
ErrorLog "$d/error.log"
LogLevel warn
ServerLimit 1
StartServers 1
ThreadLimit 64
ThreadsPerChild 64
MaxRequestWorkers 64
MinSpareThreads 1
MaxSpareThreads 64
KeepAlive On
MaxKeepAliveRequests 0
DocumentRoot "$dir/www"
<Directory />
AllowOverride None
Require all granted
</Directory>
$extra
EOF2
    local cmd=("$HTTPD" -d "$d" -f "$d/httpd.conf" -DFOREGROUND)
    if [ "$mode" = callgrind ]; then
        cmd=(valgrind --tool=callgrind --callgrind-out-file="$d/callgrind.out"
            --collect-atstart=no --toggle-collect=ap_run_process_connection
            "$HTTPD" -d "$d" -f "$d/httpd.conf" -X)
    fi
    local as=()
    # As root, Apache's process switches to `nobody` after startup, and callgrind could no
    # longer write the output file it opened as root: run it as nobody from the start.
    [ "$mode" = callgrind ] && [ "$(id -u)" -eq 0 ] && as=(--reuid=nobody --regid=nogroup --clear-groups)
    setpriv --pdeathsig TERM "${as[@]}" -- "${cmd[@]}" >"$d/stdout.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 600); do
        [ -s "$d/httpd.pid" ] && break
        sleep 0.05
    done
    [ -s "$d/httpd.pid" ] || { echo "bench.sh: Apache $name did not start:" >&2; cat "$d/error.log" "$d/stdout.log" >&2; exit 1; }
    local pid
    pid="$(cat "$d/httpd.pid")"
    serving_pid="$pid"
    [ "$mode" = callgrind ] && { sleep 2; return 0; }
    for _ in $(seq 100); do
        serving_pid="$(ps -o pid= --ppid "$pid" | head -1 | tr -d ' ')"
        [ -n "$serving_pid" ] && return 0
        sleep 0.05
    done
    echo "bench.sh: no child for $name" >&2
    exit 1
}

# The three variants: $1 the instance's name.
start_bare() {
    port="$(free_port)"
    start_apache "$1" "Listen 127.0.0.1:$port"
}
start_module() {
    port="$(free_port)"
    start_apache "$1" "LoadModule cors_policy_module \"$module\"
Listen 127.0.0.1:$port
CorsPolicy \"$dir/cors.toml\""
}
# The snippet as commonly written (the migration guide in docs/apache.md starts from it).
start_snippet() {
    port="$(free_port)"
    start_apache "$1" "Listen 127.0.0.1:$port
SetEnvIf Origin \"^https://(app\\.example\\.com|[a-z0-9-]+(\\.[a-z0-9-]+)*\\.example\\.com)\$\" CORS_ORIGIN=\$0
Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN
Header always set Access-Control-Allow-Credentials true env=CORS_ORIGIN
Header always set Access-Control-Expose-Headers x-request-id env=CORS_ORIGIN
Header always set Access-Control-Allow-Methods \"GET, POST, PUT, DELETE\" \"expr=%{REQUEST_METHOD} == 'OPTIONS'\"
Header always set Access-Control-Allow-Headers \"content-type, authorization\" \"expr=%{REQUEST_METHOD} == 'OPTIONS'\"
Header always set Access-Control-Max-Age 600 \"expr=%{REQUEST_METHOD} == 'OPTIONS'\"
Header always merge Vary Origin
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^ - [R=204,L]"
}

declare -A ports serving
if [ "$mode" = wrk ]; then
    for variant in bare module snippet; do
        "start_$variant" "$variant"
        ports[$variant]="$port"
        serving[$variant]="$serving_pid"
    done
fi

cat >"$dir/options.lua" <<'EOF2'
wrk.method = "OPTIONS"
EOF2

# Sanity: both CORS variants grant the origin, on both scenarios (wrk mode: under callgrind
# these requests would be counted).
for p in ${ports[module]:-} ${ports[snippet]:-}; do
    for extra in "" "-X OPTIONS -H Access-Control-Request-Method:PUT"; do
        # shellcheck disable=SC2086
        python3 - "$p" $extra <<'PY' || { echo "bench.sh: port $p does not grant the origin" >&2; exit 1; }
import sys, http.client
port = int(sys.argv[1]); method = "OPTIONS" if "-X" in sys.argv else "GET"
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
h = {"Origin": "https://app.example.com"}
if method == "OPTIONS": h["Access-Control-Request-Method"] = "PUT"
c.request(method, "/anything", headers=h)
r = c.getresponse()
sys.exit(0 if r.getheader("access-control-allow-origin") == "https://app.example.com" else 1)
PY
    done
done

# shellcheck source=../scripts/lib/server-bench.sh
source "$repo/scripts/lib/server-bench.sh"
declare -A result cpu

# One measurement: $1 scenario, $2 variant, $3 path, wrk args... Under callgrind a fresh
# instance per measurement, stopped after it: callgrind writes its counts at exit.
measure() {
    local scenario="$1" variant="$2" path="$3"
    shift 3
    if [ "$mode" = callgrind ]; then
        "start_$variant" "$variant-$scenario"
        local pid="$serving_pid"
        out="$(wrk -t1 -c1 -d"${DURATION}s" "$@" "http://127.0.0.1:$port$path")"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 600); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        bench_per_request "$dir/$variant-$scenario/callgrind.out"
    else
        bench_wrk "$scenario" "$variant" "${ports[$variant]}" "${serving[$variant]}" "$path" "$@"
    fi
    bench_record "$scenario" "$variant"
}

origin=(-H "Origin: https://app.example.com")
preflight=(-H "Origin: https://app.example.com" -H "Access-Control-Request-Method: PUT"
    -H "Access-Control-Request-Headers: content-type" -s "$dir/options.lua")

version="$("$HTTPD" -v | awk -F/ '/version/ {print $2}')"
if [ "$mode" = callgrind ]; then
    runs=1
    echo "Apache $version under callgrind (-X), wrk -t1 -c1 -d${DURATION}s per variant" >&2
else
    runs="$RUNS"
    echo "Apache $version, $(nproc) CPUs, wrk -t$THREADS -c$CONNECTIONS," \
        "$RUNS x ${DURATION}s per variant, 1 Apache child" >&2
fi
for _ in $(seq "$runs"); do
    for variant in bare module snippet; do
        measure actual "$variant" /anything "${origin[@]}"
    done
    for variant in bare module snippet; do
        measure preflight "$variant" /anything "${preflight[@]}"
    done
done

bench_table
