#!/usr/bin/env bash
# Installs the C library: header, static and shared libraries, and a pkg-config file.
#
#   bash cors-ffi/install.sh --prefix /usr/local          # builds (profile release-c) first,
#                                                         # static library without debug info
#   bash cors-ffi/install.sh --prefix DIR --from DIR2     # installs libraries already built
#                                                         # in DIR2 as they are (the tests)
#
# Layout under PREFIX:
#   include/cors.h
#   lib/libcors_ffi.a
#   lib/libcors_ffi.so.X.Y.Z, lib/libcors_ffi.so.SONAME-VERSION -> .X.Y.Z,
#   lib/libcors_ffi.so -> SONAME
#   lib/pkgconfig/cors.pc          cc app.c $(pkg-config --cflags --libs cors)
#   lib/pkgconfig/cors-static.pc   cc app.c $(pkg-config --cflags --libs cors-static)
# Re-running replaces the files; nothing outside PREFIX is touched.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
prefix=""
from=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --from) from="${2:?--from needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$prefix" ] || { echo "install.sh: --prefix DIR is required (see --help)" >&2; exit 2; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n1)"
major="${version%%.*}"
rest="${version#*.}"
minor="${rest%%.*}"
# Before 1.0 each minor version may change the ABI (see build.rs).
if [ "$major" = 0 ]; then abi="0.$minor"; else abi="$major"; fi

strip_debug=false
if [ -z "$from" ]; then
    (cd "$root" && "${CARGO:-cargo}" build -q -p cors-ffi --profile release-c)
    from="${CARGO_TARGET_DIR:-$root/target}/release-c"
    # The standard library's objects carry debug info: a program linked without `-s`
    # would be about twice as large.
    strip_debug=true
fi
for f in libcors_ffi.a libcors_ffi.so; do
    [ -f "$from/$f" ] || { echo "install.sh: $from/$f is missing" >&2; exit 1; }
done

# Native libraries the Rust standard library needs when linked statically.
native_libs="-lpthread -ldl -lm"

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
prefix="$(cd "$prefix" && pwd)"
install -m 0644 "$root/include/cors.h" "$prefix/include/cors.h"
install -m 0644 "$from/libcors_ffi.a" "$prefix/lib/libcors_ffi.a"
if $strip_debug && command -v strip >/dev/null; then
    strip --strip-debug "$prefix/lib/libcors_ffi.a"
fi
install -m 0755 "$from/libcors_ffi.so" "$prefix/lib/libcors_ffi.so.$version"
ln -sfn "libcors_ffi.so.$version" "$prefix/lib/libcors_ffi.so.$abi"
ln -sfn "libcors_ffi.so.$abi" "$prefix/lib/libcors_ffi.so"
cat > "$prefix/lib/pkgconfig/cors.pc" <<EOF
prefix=$prefix
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: cors
Description: One CORS policy for every server: the cors-core engine's C ABI
URL: https://docs.rs/cors-ffi
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lcors_ffi
Libs.private: $native_libs
EOF
# The static library by path: with both in libdir, `-lcors_ffi` would pick the shared one.
cat > "$prefix/lib/pkgconfig/cors-static.pc" <<EOF
prefix=$prefix
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: cors-static
Description: The cors-ffi C ABI, linked statically (no run-time dependency)
URL: https://docs.rs/cors-ffi
Version: $version
Cflags: -I\${includedir}
Libs: \${libdir}/libcors_ffi.a $native_libs
EOF
echo "installed cors-ffi $version into $prefix (pkg-config: PKG_CONFIG_PATH=$prefix/lib/pkgconfig)"
