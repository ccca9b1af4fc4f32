#!/usr/bin/env bash
# Installs what the Apache httpd module needs (cors-apache: build, tests, benchmark) from
# Debian: apache2-bin (the server and its modules, without the packaged service, so
# nothing listens on port 80), apache2-dev (apxs and the headers), a C toolchain, and wrk
# and valgrind for the load test and benchmark. Idempotent: installs only what is missing
# and runs `apt-get update` at most once.
#
#   bash scripts/setup-apache.sh            # install what is missing
#   bash scripts/setup-apache.sh --missing  # only print the missing packages (space
#                                           # separated, on stdout) and exit 0
set -euo pipefail

only_list=false
case "${1:-}" in
    --missing) only_list=true ;;
    "") ;;
    *) echo "usage: $0 [--missing]" >&2; exit 2 ;;
esac

missing=()
have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

{ have_cmd apache2 || have_cmd httpd; } || missing+=(apache2-bin)
have_cmd apxs || missing+=(apache2-dev)
have_cmd wrk || missing+=(wrk)
have_cmd cc || missing+=(gcc libc6-dev)
# setpriv (Apache stops with the test that started it) and flock (build lock).
{ have_cmd setpriv && have_cmd flock; } || missing+=(util-linux)

if $only_list; then
    echo "${missing[*]}"
    exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-apache: everything present"
    exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup-apache: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
