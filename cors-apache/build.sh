#!/usr/bin/env bash
# Builds mod_cors_policy.so with apxs (package apache2-dev), linking the cors-ffi static
# library into the module:
#
#   bash cors-apache/build.sh            # debug cors-ffi     -> target/apache-module/debug/
#   bash cors-apache/build.sh --release  # release-c cors-ffi -> target/apache-module/release/
#
# Prints the path of the module on stdout (everything else goes to stderr). Fast when
# nothing changed (cargo only redoes what is stale; apxs runs only when the source, the
# header or the library changed). Safe to run concurrently (a lock serializes builds).
#
# Environment: APXS (default apxs); CORS_FFI_LIB (a libcors_ffi.a to link instead of
# running cargo; the tests pass the one cargo built for them); CARGO (default cargo);
# CARGO_TARGET_DIR (default <repo>/target).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=debug
cargo_profile=(--profile dev)
lib_dir=debug
for arg in "$@"; do
    case "$arg" in
        --release) profile=release; cargo_profile=(--profile release-c); lib_dir=release-c ;;
        -h|--help) sed -n '2,13p' "$0" >&2; exit 0 ;;
        *) echo "build.sh: unknown argument $arg (expected --release)" >&2; exit 2 ;;
    esac
done

apxs="${APXS:-apxs}"
target="${CARGO_TARGET_DIR:-$repo/target}"
out="$target/apache-module/$profile"

need() {
    echo "build.sh: $1 is missing; run \`bash scripts/setup.sh\` (or scripts/setup-apache.sh)" >&2
    exit 1
}
command -v "$apxs" >/dev/null 2>&1 || need "apxs (package apache2-dev)"
command -v cc >/dev/null 2>&1 || need "a C compiler (cc)"
command -v flock >/dev/null 2>&1 || need "flock (package util-linux)"

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

if [ -n "${CORS_FFI_LIB:-}" ]; then
    lib="$CORS_FFI_LIB"
else
    "${CARGO:-cargo}" build -q -p cors-ffi "${cargo_profile[@]}" \
        --manifest-path "$repo/Cargo.toml" >&2
    lib="$target/$lib_dir/libcors_ffi.a"
fi
[ -f "$lib" ] || { echo "build.sh: $lib not found" >&2; exit 1; }

so="$out/mod_cors_policy.so"
src="$repo/cors-apache/mod_cors_policy.c"
stamp_text="$("$apxs" -q CC CFLAGS INCLUDEDIR)
$lib $(stat -c '%s %Y' "$lib" "$src" "$repo/include/cors.h" "$0")"
if [ -f "$so" ] && [ "$(cat "$out/build.stamp" 2>/dev/null)" = "$stamp_text" ]; then
    echo "$so"
    exit 0
fi

# apxs (libtool) writes its objects next to the source: build in a private copy.
rm -rf "$out/work"
mkdir -p "$out/work"
cp "$src" "$out/work/"
(
    cd "$out/work"
    # --exclude-libs keeps the Rust runtime's symbols out of Apache's global namespace;
    # the others are the native libraries Rust's standard library needs.
    "$apxs" -c -I "$repo/include" \
        -Wc,-Wall -Wc,-Wextra -Wc,-Werror \
        -Wl,-Wl,--exclude-libs,ALL \
        mod_cors_policy.c "$lib" -lgcc_s -lpthread -ldl -lm >"$out/apxs.log" 2>&1
) || { echo "build.sh: apxs failed; see $out/apxs.log" >&2; tail -30 "$out/apxs.log" >&2; exit 1; }

cp "$out/work/.libs/mod_cors_policy.so" "$so.tmp"
mv -f "$so.tmp" "$so"
printf '%s' "$stamp_text" >"$out/build.stamp"
echo "$so"
