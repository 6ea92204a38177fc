#!/usr/bin/env bash
# Run the demo: installs dependencies first when node_modules is missing or
# older than package-lock.json, then `npm run demo` (which builds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[demo.sh] installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
exec npm run demo -- "$@"
