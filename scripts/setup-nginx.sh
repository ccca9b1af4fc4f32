#!/usr/bin/env bash
# Installs what the nginx module needs (cors-nginx: build, tests, benchmark) from Debian:
# nginx, nginx-dev (its source headers and configure flags), the libraries nginx's
# configure checks for with Debian's flags (PCRE2, zlib, OpenSSL headers), a C toolchain,
# and wrk for the load test and benchmark. Idempotent: installs only what is missing and
# runs `apt-get update` at most once.
#
#   bash scripts/setup-nginx.sh            # install what is missing
#   bash scripts/setup-nginx.sh --missing  # only print the missing packages (space
#                                          # separated, on stdout) and exit 0
set -euo pipefail

only_list=false
case "${1:-}" in
    --missing) only_list=true ;;
    "") ;;
    *) echo "usage: $0 [--missing]" >&2; exit 2 ;;
esac

missing=()
have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

have_cmd nginx || missing+=(nginx)
[ -x /usr/share/nginx/src/configure ] && [ -f /usr/share/nginx/src/conf_flags ] \
    || missing+=(nginx-dev)
have_cmd wrk || missing+=(wrk)
# nginx-dev depends on these, but check them anyway: configure fails without them.
for pkg in libpcre2-dev zlib1g-dev libssl-dev; do
    have_pkg "$pkg" || missing+=("$pkg")
done
have_cmd cc || missing+=(gcc libc6-dev)
have_cmd make || missing+=(make)
# setpriv (nginx stops with the test that started it) and flock (build lock).
{ have_cmd setpriv && have_cmd flock; } || missing+=(util-linux)

if $only_list; then
    echo "${missing[*]}"
    exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-nginx: everything present"
    exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup-nginx: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
