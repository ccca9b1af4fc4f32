#!/usr/bin/env bash
# Installs what the C side of the project needs (cors-ffi's C tests, the C example server):
# C and C++ compilers with the sanitizer runtimes, make, nm, valgrind, pkg-config and GNU
# libmicrohttpd. Idempotent: installs only what is missing, and runs `apt-get update` at
# most once (only when something is missing).
#
#   bash scripts/setup-c.sh            # install what is missing
#   bash scripts/setup-c.sh --missing  # only print the missing packages (space separated,
#                                      # on stdout) and exit 0
set -euo pipefail

only_list=false
case "${1:-}" in
    --missing) only_list=true ;;
    "") ;;
    *) echo "usage: $0 [--missing]" >&2; exit 2 ;;
esac

missing=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

have_cmd cc || missing+=(gcc libc6-dev)
have_cmd c++ || missing+=(g++)
have_cmd nm || missing+=(binutils)
have_cmd make || missing+=(make)
have_cmd valgrind || missing+=(valgrind)
have_cmd pkg-config || missing+=(pkg-config)
# The sanitizer runtimes ship with gcc on Debian; check the compiler can link them.
if have_cmd cc && ! echo 'int main(void){return 0;}' \
    | cc -x c -fsanitize=address,undefined -o /dev/null - >/dev/null 2>&1; then
    missing+=(libasan8 libubsan1)
fi
if ! have_cmd pkg-config || ! pkg-config --exists libmicrohttpd 2>/dev/null; then
    have_pkg libmicrohttpd-dev || missing+=(libmicrohttpd-dev)
fi

if $only_list; then
    echo "${missing[*]}"
    exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-c: everything present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "setup-c: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
