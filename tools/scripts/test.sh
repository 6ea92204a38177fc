#!/usr/bin/env bash
# The project's test command, from a fresh machine to a verdict:
#   1. a Docker engine for the container e2e suite (as root with none
#      answering: tools/ci/ensure-docker.sh installs and starts one), and
#      Debian's docker-compose (as root, when missing: the same script);
#   2. Debian's Chromium for the observer's browser test (as root, when missing:
#      tools/ci/ensure-chromium.sh);
#   3. npm ci;
#   4. npm test (through Nx): build, layer check, every project's unit + multi-node tests,
#      container e2e (with the installed-packages check).
# With CI=true (or SDNODE_E2E=required) the e2e suite must run: a missing Docker
# engine fails the run. Otherwise it is skipped with a message saying why.
# Extra arguments go to every project's vitest (e.g. -t 'some test name').
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

stage() { printf '\n[test.sh] == %s ==\n' "$*"; }
elapsed() { printf '[test.sh] %s took %ss\n' "$1" "$(($SECONDS - $2))"; }
total_start=$SECONDS

stage "Docker engine"
t=$SECONDS
if docker info >/dev/null 2>&1; then
  echo "[test.sh] a Docker engine answers"
  if [[ "$(id -u)" == "0" ]] && ! command -v docker-compose >/dev/null 2>&1; then
    bash tools/ci/ensure-docker.sh # only installs docker-compose (e2e/deploy-compose.e2e.ts)
  fi
elif [[ "$(id -u)" == "0" ]]; then
  bash tools/ci/ensure-docker.sh
else
  echo "[test.sh] no Docker engine answers and this is not root: not installing one." \
    "The container e2e suite will be skipped (or fail, with CI=true / SDNODE_E2E=required)."
fi
elapsed "docker set-up" "$t"

stage "Chromium (the observer's browser test)"
t=$SECONDS
if [[ -x "${SDNODE_CHROMIUM:-/usr/bin/chromium}" ]] || [[ "$(id -u)" == "0" ]]; then
  bash tools/ci/ensure-chromium.sh >/dev/null
else
  echo "[test.sh] no Chromium and this is not root: not installing one." \
    "The browser test will be skipped (or fail, with CI=true / SDNODE_BROWSER=required)."
fi
elapsed "chromium set-up" "$t"

stage "npm ci"
t=$SECONDS
npm ci --no-audit --no-fund
elapsed "npm ci" "$t"

stage "npm test"
t=$SECONDS
report_dir="$(mktemp -d)"
trap 'rm -rf "$report_dir"' EXIT
status=0
# npm test runs one vitest per Nx project (nx run-many -t test); each writes its JSON report
# under $SDNODE_TEST_REPORT_DIR (the test targets' command in nx.json and e2e/project.json).
SDNODE_TEST_REPORT_DIR="$report_dir" npm test -- "$@" || status=$?
elapsed "npm test" "$t"

elapsed "everything" "$total_start"
# The last line: the counts, plainly, whatever the reporter printed.
node -e '
  const fs = require("fs"), path = require("path");
  const files = fs.readdirSync(process.argv[1], { recursive: true }).filter((f) => f.endsWith(".json"));
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const f of files) {
    const r = JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8"));
    t.passed += r.numPassedTests; t.failed += r.numFailedTests; t.skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`vitest: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped (${files.length} projects run; those from the Nx cache not counted)`);
' "$report_dir" || true
exit "$status"
