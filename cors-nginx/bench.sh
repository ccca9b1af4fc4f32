#!/usr/bin/env bash
# Cost of answering CORS requests in nginx three ways, measured in one run on the same
# machine (a benchmark, not a test; prints a table):
#
#   bare     `return 200 ok;` (`return 204;` for preflights): no CORS at all
#   module   the same location with `cors_policy` (this module, release cors-ffi)
#   snippet  the usual hand-written `map $http_origin` + `add_header ... always`
#            (+ `if ($request_method = OPTIONS) { ... return 204; }` for preflights)
#
# Two scenarios: an actual GET with an allowed Origin, and an allowed preflight.
#
#   bash cors-nginx/bench.sh                # wrk: requests/s and worker CPU per request
#   bash cors-nginx/bench.sh --instructions # callgrind: instructions per request
#
# wrk mode: for each scenario and variant wrk runs RUNS times for DURATION seconds,
# interleaved, against one nginx worker; reported are requests/s per run and their
# median, the median's ratio to bare, and the worker's CPU time (utime+stime from /proc)
# per request. Environment: RUNS=3 DURATION=5 THREADS=1 CONNECTIONS=32.
#
# --instructions mode: nginx runs as one process under valgrind's callgrind; for each
# scenario and variant the counters are zeroed, wrk sends requests on one connection for
# DURATION seconds, and the instructions executed are divided by the requests answered.
# Independent of machine load, so comparable between runs on a busy machine.
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
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
tools=("$NGINX" wrk setpriv)
[ "$mode" = callgrind ] && tools+=(valgrind callgrind_control callgrind_annotate)
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "bench.sh: $tool is missing; run \`bash scripts/setup.sh\`" >&2
        exit 1
    }
done

module="$(bash "$repo/cors-nginx/build.sh" --release)"
dir="$(mktemp -d /tmp/cors-nginx-bench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/cors.toml" <<'EOF'
allow_origins = ["https://app.example.com", "https://*.example.com"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "authorization"]
expose_headers = ["x-request-id"]
allow_credentials = true
max_age = 600
EOF

free_port() {
    # Bind port 0 and release it (nginx cannot listen on port 0).
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root root;"
master=on
[ "$mode" = callgrind ] && master=off

# Starts one nginx: $1 name, $2 load_module line or empty, $3 server blocks. Sets
# worker_pid to the process that serves requests.
start_nginx() {
    local name="$1" load="$2" servers="$3" d="$dir/$1"
    mkdir -p "$d"
    cat >"$d/nginx.conf" <<EOF
$load
daemon off;
master_process $master;
worker_processes 1;
$user_line
pid "$d/nginx.pid";
error_log "$d/error.log" warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type text/plain;
    client_body_temp_path "$d/body";
    proxy_temp_path "$d/proxy";
    fastcgi_temp_path "$d/fastcgi";
    uwsgi_temp_path "$d/uwsgi";
    scgi_temp_path "$d/scgi";
    keepalive_requests 100000000;
$servers
}
EOF
    local cmd=("$NGINX" -p "$d" -c "$d/nginx.conf" -e "$d/error.log")
    if [ "$mode" = callgrind ]; then
        cmd=(valgrind --tool=callgrind --callgrind-out-file="$d/callgrind.out" "${cmd[@]}")
    fi
    setpriv --pdeathsig TERM -- "${cmd[@]}" >"$d/stdout.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 400); do
        [ -s "$d/nginx.pid" ] && break
        sleep 0.05
    done
    [ -s "$d/nginx.pid" ] || { echo "bench.sh: nginx $name did not start:" >&2; cat "$d/error.log" "$d/stdout.log" >&2; exit 1; }
    local pid
    pid="$(cat "$d/nginx.pid")"
    worker_pid="$pid"
    [ "$mode" = callgrind ] && { sleep 1; return 0; }
    for _ in $(seq 100); do
        worker_pid="$(ps -o pid= --ppid "$pid" | head -1 | tr -d ' ')"
        [ -n "$worker_pid" ] && return 0
        sleep 0.05
    done
    echo "bench.sh: no worker for $name" >&2
    exit 1
}

port_bare="$(free_port)"
port_snippet="$(free_port)"
port_module="$(free_port)"

# The snippet as commonly written: map for the origin, add_header ... always, an `if`
# answering every OPTIONS (it cannot check the requested method or headers).
start_nginx plain "" "
    map \$http_origin \$cors_origin {
        default \"\";
        \"https://app.example.com\" \$http_origin;
        \"~^https://[a-z0-9-]+(\\.[a-z0-9-]+)*\\.example\\.com\$\" \$http_origin;
    }
    server {
        listen 127.0.0.1:$port_bare;
        location / { return 200 ok; }
        location /preflight { return 204; }
    }
    server {
        listen 127.0.0.1:$port_snippet;
        location / {
            if (\$request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin \$cors_origin always;
                add_header Access-Control-Allow-Credentials true always;
                add_header Access-Control-Allow-Methods \"GET, POST, PUT, DELETE\" always;
                add_header Access-Control-Allow-Headers \"content-type, authorization\" always;
                add_header Access-Control-Max-Age 600 always;
                add_header Vary Origin always;
                return 204;
            }
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Access-Control-Allow-Credentials true always;
            add_header Access-Control-Expose-Headers x-request-id always;
            add_header Vary Origin always;
            return 200 ok;
        }
    }"
worker_plain="$worker_pid"
start_nginx module "load_module \"$module\";" "
    server {
        listen 127.0.0.1:$port_module;
        cors_policy \"$dir/cors.toml\";
        location / { return 200 ok; }
    }"
worker_module="$worker_pid"

cat >"$dir/options.lua" <<'EOF'
wrk.method = "OPTIONS"
EOF

# Sanity: both CORS variants grant the origin (when curl is there to ask).
if command -v curl >/dev/null 2>&1; then
    for p in "$port_snippet" "$port_module"; do
        curl -s -o /dev/null -D - -H 'Origin: https://app.example.com' "http://127.0.0.1:$p/x" \
            | grep -qi '^access-control-allow-origin: https://app.example.com' \
            || { echo "bench.sh: port $p does not grant the origin" >&2; exit 1; }
    done
fi

# shellcheck source=../scripts/lib/server-bench.sh
source "$repo/scripts/lib/server-bench.sh"
declare -A result cpu

# One measurement: $1 scenario, $2 variant, $3 port, $4 serving pid, $5 path, wrk args...
measure() {
    local scenario="$1" variant="$2" port="$3" pid="$4" path="$5"
    shift 5
    if [ "$mode" = callgrind ]; then
        callgrind_control -z "$pid" >/dev/null 2>&1
        out="$(wrk -t1 -c1 -d"${DURATION}s" "$@" "http://127.0.0.1:$port$path")"
        callgrind_control -d "$scenario-$variant" "$pid" >/dev/null 2>&1
        sleep 0.5
        bench_per_request "$(ls -t "$dir"/*/callgrind.out.* | head -1)"
    else
        bench_wrk "$scenario" "$variant" "$port" "$pid" "$path" "$@"
    fi
    bench_record "$scenario" "$variant"
}

origin=(-H "Origin: https://app.example.com")
preflight=(-H "Origin: https://app.example.com" -H "Access-Control-Request-Method: PUT"
    -H "Access-Control-Request-Headers: content-type" -s "$dir/options.lua")

if [ "$mode" = callgrind ]; then
    runs=1
    echo "nginx $("$NGINX" -v 2>&1 | cut -d/ -f2) under callgrind, wrk -t1 -c1 -d${DURATION}s per variant" >&2
else
    runs="$RUNS"
    echo "nginx $("$NGINX" -v 2>&1 | cut -d/ -f2), $(nproc) CPUs, wrk -t$THREADS -c$CONNECTIONS," \
        "$RUNS x ${DURATION}s per variant, 1 nginx worker" >&2
fi
for _ in $(seq "$runs"); do
    measure actual bare "$port_bare" "$worker_plain" /anything "${origin[@]}"
    measure actual module "$port_module" "$worker_module" /anything "${origin[@]}"
    measure actual snippet "$port_snippet" "$worker_plain" /anything "${origin[@]}"
    measure preflight bare "$port_bare" "$worker_plain" /preflight "${preflight[@]}"
    measure preflight module "$port_module" "$worker_module" /anything "${preflight[@]}"
    measure preflight snippet "$port_snippet" "$worker_plain" /anything "${preflight[@]}"
done

bench_table
