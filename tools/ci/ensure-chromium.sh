#!/usr/bin/env bash
# Make sure Debian's Chromium is installed, for the browser test of `sdnode observe`
# (apps/sdnode/src/observe/observe.browser.spec.ts, driven by playwright-core).
#
# - If a Chromium runs (`$SDNODE_CHROMIUM`, /usr/bin/chromium): do nothing.
# - Else (must be root): `apt-get install -y --no-install-recommends chromium`, then check it runs.
#
# Idempotent: apt-get runs only when Chromium is missing. Prints the executable's path last.
# Environment:
#   SDNODE_CHROMIUM   the Chromium executable to use (default /usr/bin/chromium)
set -euo pipefail

CHROMIUM="${SDNODE_CHROMIUM:-/usr/bin/chromium}"

say() { printf '[ensure-chromium] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

# A broken install must not hang this script: the probe has its own deadline.
runs() { timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1; }

# shellcheck source=retry.sh
source "$(dirname "${BASH_SOURCE[0]}")/retry.sh"

if [[ -x "$CHROMIUM" ]] && runs; then
  say "$("$CHROMIUM" --version 2>/dev/null) at $CHROMIUM"
  echo "$CHROMIUM"
  exit 0
fi

[[ "$(id -u)" == "0" ]] || die "$CHROMIUM is missing and this is not root: install it with 'apt-get install -y chromium' (Debian) or set SDNODE_CHROMIUM"
command -v apt-get >/dev/null 2>&1 || die "$CHROMIUM is missing and there is no apt-get: install Chromium and set SDNODE_CHROMIUM"

say "installing Debian's chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
retry 3 apt-get update -qq
retry 3 apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

[[ -x "$CHROMIUM" ]] || die "apt-get installed chromium, but $CHROMIUM is not there"
runs || die "$CHROMIUM does not run (try: $CHROMIUM --headless --no-sandbox --version)"
say "$("$CHROMIUM" --version 2>/dev/null) at $CHROMIUM"
echo "$CHROMIUM"
