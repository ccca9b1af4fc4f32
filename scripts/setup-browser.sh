#!/usr/bin/env bash
# Installs what the browser suite needs: Debian's Chromium (driven headless, never a
# downloaded browser), Node.js and npm, and playwright-core from tests/browser's lock file
# (which downloads no browser). Idempotent.
#
#   bash scripts/setup-browser.sh            # install what is missing
#   bash scripts/setup-browser.sh --missing  # only print the missing Debian packages
#   bash scripts/setup-browser.sh --npm      # only install the npm packages if missing
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

npm_install() {
    [ -f tests/browser/node_modules/playwright-core/package.json ] && return 0
    echo "setup: npm ci in tests/browser"
    npm ci --prefix tests/browser --no-audit --no-fund --silent
}

case "${1:-}" in
    --missing) echo "${missing[*]}"; exit 0 ;;
    --npm) npm_install; exit 0 ;;
    "") ;;
    *) echo "usage: $0 [--missing | --npm]" >&2; exit 2 ;;
esac

if [ ${#missing[@]} -gt 0 ]; then
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm_install
