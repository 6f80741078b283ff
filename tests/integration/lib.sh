# Helpers for integration tests that drive the real wsfleet binary.
# Each test gets its own temporary directory, removed at exit with every process it started.
set -uo pipefail
WSFLEET=$1
SOURCE_DIR=$2
TMP=$(mktemp -d /tmp/wsfleet-it.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
failures=0
passes=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }
check() {  # check DESCRIPTION CONDITION...
  local what=$1; shift
  if "$@"; then pass; else fail "$what"; fi
}
contains() { grep -qF -- "$2" "$1"; }

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds; bounded.
wait_for() {
  local seconds=$1; shift
  local end=$((SECONDS + seconds))
  while [ $SECONDS -lt $end ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

# card DIR ID DEPENDENCIES SCRIPT [EXTRA]: writes a small card with one test step.
card() {
  local dir=$1 id=$2 deps=$3 script=$4 extra=${5:-}
  mkdir -p "$dir"
  cat > "$dir/$id.md" <<CARD
# $id: Card $id

**Duration**: 1 day
**Dependencies**: $deps
$extra

## Test Commands

\`\`\`bash
$script
\`\`\`
CARD
}

finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
