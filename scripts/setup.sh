#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, skipping what is present:
# Rust components, and the Debian packages each part of the project lists through its own
# scripts/setup-*.sh (run with --missing, each prints the packages it lacks).
# `apt-get update` runs once, and only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null 2>&1; then
    for component in rustfmt clippy; do
        rustup component list --installed 2>/dev/null | grep -q "^$component" \
            || rustup component add "$component"
    done
fi

missing=()
for part in scripts/setup-*.sh; do
    [ -e "$part" ] || continue
    # shellcheck disable=SC2207
    missing+=($(bash "$part" --missing))
done

if [ ${#missing[@]} -eq 0 ]; then
    bash scripts/setup-browser.sh --npm
    echo "setup: everything present"
    exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The browser suite's npm packages, once Node.js is there.
bash scripts/setup-browser.sh --npm
