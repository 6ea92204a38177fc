# Sourced by the tools/ci/ensure-*.sh scripts (which define `say`).
#
# retry N CMD...: run CMD until it succeeds, at most N times; a package mirror that hiccups once
# should not fail the run.
retry() {
  local tries=$1 n=1
  shift
  until "$@"; do
    if ((n >= tries)); then
      return 1
    fi
    say "'$*' failed (attempt $n of $tries); trying again"
    n=$((n + 1))
  done
}
