#!/usr/bin/env bash
# The project's test command, from a fresh machine to a verdict:
#   1. a Docker engine for the container e2e suite (as root with none
#      answering: tools/ci/ensure-docker.sh installs and starts one);
#   2. npm ci;
#   3. npm test: build, layer check, unit + multi-node tests, container e2e.
# With CI=true (or SDNODE_E2E=required) the e2e suite must run: a missing Docker
# engine fails the run. Otherwise it is skipped with a message saying why.
# Extra arguments go to vitest (e.g. --project unit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

stage() { printf '\n[test.sh] == %s ==\n' "$*"; }
elapsed() { printf '[test.sh] %s took %ss\n' "$1" "$(($SECONDS - $2))"; }
total_start=$SECONDS

stage "Docker engine"
t=$SECONDS
if docker info >/dev/null 2>&1; then
  echo "[test.sh] a Docker engine answers"
elif [[ "$(id -u)" == "0" ]]; then
  bash tools/ci/ensure-docker.sh
else
  echo "[test.sh] no Docker engine answers and this is not root: not installing one." \
    "The container e2e suite will be skipped (or fail, with CI=true / SDNODE_E2E=required)."
fi
elapsed "docker set-up" "$t"

stage "npm ci"
t=$SECONDS
npm ci --no-audit --no-fund
elapsed "npm ci" "$t"

stage "npm test"
t=$SECONDS
report_dir="$(mktemp -d)"
trap 'rm -rf "$report_dir"' EXIT
status=0
npm test -- --reporter=default --reporter=json --outputFile.json="$report_dir/vitest.json" "$@" || status=$?
elapsed "npm test" "$t"

elapsed "everything" "$total_start"
# The last line: the counts, plainly, whatever the reporter printed.
if [[ -f "$report_dir/vitest.json" ]]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$report_dir/vitest.json" || true
fi
exit "$status"
