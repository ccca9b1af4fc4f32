#!/usr/bin/env bash
# Sizes of the C library as installed (cors-ffi/install.sh, profile release-c) and of the
# README's example program linked against it, statically and shared. Prints a Markdown
# table for docs/benchmarks.md. Builds into target/; takes a few minutes (one LTO build).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$prefix" "$work"' EXIT
bash cors-ffi/install.sh --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
sed -n '/^```c$/,/^```$/p' cors-ffi/README.md | sed '1d;$d' > "$work/hello.c"

size() { stat -c%s "$1"; }
cc -std=c11 "$work/hello.c" $(pkg-config --cflags --libs cors-static) -o "$work/static"
cc -std=c11 "$work/hello.c" $(pkg-config --cflags --libs cors-static) -Wl,--gc-sections -s \
    -o "$work/static-gc"
cc -std=c11 "$work/hello.c" $(pkg-config --cflags --libs cors) -o "$work/shared"
"$work/static-gc" >/dev/null

lib="$prefix/lib"
echo "| artifact | bytes |"
echo "|---|---|"
echo "| \`libcors_ffi.a\` (installed, debug info stripped) | $(size "$lib/libcors_ffi.a") |"
echo "| \`libcors_ffi.so.$(pkg-config --modversion cors)\` | $(size "$lib/libcors_ffi.so.$(pkg-config --modversion cors)") |"
echo "| hello, static, plain \`cc\` | $(size "$work/static") |"
echo "| hello, static, \`-Wl,--gc-sections -s\` | $(size "$work/static-gc") |"
echo "| hello, shared | $(size "$work/shared") |"
echo
readelf -d "$lib/libcors_ffi.so.$(pkg-config --modversion cors)" | grep -o 'Library soname: .*'
