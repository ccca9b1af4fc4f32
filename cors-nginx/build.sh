#!/usr/bin/env bash
# Builds ngx_http_cors_module.so against Debian's nginx (package nginx-dev), linking the
# cors-ffi static library:
#
#   bash cors-nginx/build.sh            # debug cors-ffi   -> target/nginx-module/debug/
#   bash cors-nginx/build.sh --release  # release cors-ffi -> target/nginx-module/release/
#
# Prints the path of the module on stdout (everything else goes to stderr). Idempotent
# and fast when nothing changed: cargo and make only redo what is stale, and nginx's
# configure runs again only when its inputs (nginx version, conf_flags, this script,
# cors-nginx/config) change. Safe to run concurrently (a lock serializes builds).
#
# Environment: NGINX_SRC (default /usr/share/nginx/src, from nginx-dev); CORS_FFI_LIB (a
# libcors_ffi.a to link instead of running `cargo build -p cors-ffi`; the tests pass the
# one cargo built for them); CARGO (default cargo); CARGO_TARGET_DIR (default
# <repo>/target).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=debug
cargo_profile_flag=()
for arg in "$@"; do
    case "$arg" in
        --release) profile=release; cargo_profile_flag=(--release) ;;
        -h|--help) sed -n '2,13p' "$0" >&2; exit 0 ;;
        *) echo "build.sh: unknown argument $arg (expected --release)" >&2; exit 2 ;;
    esac
done

src="${NGINX_SRC:-/usr/share/nginx/src}"
target="${CARGO_TARGET_DIR:-$repo/target}"
out="$target/nginx-module/$profile"
lib="$out/libcors_ffi.a"
so="$out/objs/ngx_http_cors_module.so"

need() {
    echo "build.sh: $1 is missing; run \`bash scripts/setup.sh\` (or scripts/setup-nginx.sh)" >&2
    exit 1
}
[ -x "$src/configure" ] || need "the nginx source headers ($src/configure, package nginx-dev)"
[ -f "$src/conf_flags" ] || need "$src/conf_flags (package nginx-dev)"
command -v cc >/dev/null 2>&1 || need "a C compiler (cc)"
command -v make >/dev/null 2>&1 || need "make"
command -v flock >/dev/null 2>&1 || need "flock (package util-linux)"

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

# The Rust side: a no-op when cors-ffi is fresh.
if [ -n "${CORS_FFI_LIB:-}" ]; then
    src_lib="$CORS_FFI_LIB"
else
    "${CARGO:-cargo}" build -q -p cors-ffi "${cargo_profile_flag[@]}" \
        --manifest-path "$repo/Cargo.toml" >&2
    src_lib="$target/$profile/libcors_ffi.a"
fi
[ -f "$src_lib" ] || { echo "build.sh: $src_lib not found" >&2; exit 1; }
# The module links a private copy, refreshed when the source library changes, so the
# configured Makefile never depends on where the library came from.
lib_id="$src_lib $(stat -c '%s %Y' "$src_lib")"
if [ ! -f "$lib" ] || [ "$(cat "$out/lib.stamp" 2>/dev/null)" != "$lib_id" ]; then
    cp "$src_lib" "$lib.tmp"
    mv -f "$lib.tmp" "$lib"
    printf '%s' "$lib_id" >"$out/lib.stamp"
fi

# nginx's configure writes a Makefile into the source directory: work on a private copy.
# NGX_CONF_FLAGS (a bash array) carries the flags Debian's nginx was built with, which
# fix the module ABI signature (--with-compat among them).
# shellcheck disable=SC1091
source "$src/conf_flags"
cc_opt="-g -O2 -fPIC -Wall -Wextra -Wunused-parameter -Werror"
stamp_text="$(grep -m1 NGINX_VERSION "$src/src/core/nginx.h"
    printf '%s\n' "${NGX_CONF_FLAGS[*]}" "$cc_opt" "$lib"
    cat "$repo/cors-nginx/config")"
stamp="$out/configure.stamp"
if [ ! -f "$out/objs/Makefile" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$stamp_text" ]; then
    echo "build.sh: configuring nginx $(grep -m1 NGINX_VERSION "$src/src/core/nginx.h" | cut -d'"' -f2) for the module ($profile)" >&2
    rm -rf "$out/nginx-src" "$out/objs" "$stamp"
    cp -a "$src/." "$out/nginx-src/"
    (
        cd "$out/nginx-src"
        CORS_FFI_LIB="$lib" CORS_FFI_INCLUDE="$repo/include" ./configure \
            "${NGX_CONF_FLAGS[@]}" \
            --with-cc-opt="$cc_opt" \
            --add-dynamic-module="$repo/cors-nginx" \
            --builddir="$out/objs" >"$out/configure.log" 2>&1
    ) || { echo "build.sh: nginx configure failed; see $out/configure.log" >&2; tail -20 "$out/configure.log" >&2; exit 1; }
    printf '%s' "$stamp_text" >"$stamp"
fi

# make does not know the module depends on the static library: relink when it is newer.
if [ -f "$so" ] && [ "$lib" -nt "$so" ]; then
    rm -f "$so"
fi
make -s -C "$out/nginx-src" -f "$out/objs/Makefile" modules >&2

cp -p "$so" "$out/ngx_http_cors_module.so.tmp"
mv -f "$out/ngx_http_cors_module.so.tmp" "$out/ngx_http_cors_module.so"
echo "$out/ngx_http_cors_module.so"
