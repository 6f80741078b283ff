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
  # WSFLEET_KEEP_TMP=1 keeps the directory (its logs, state and workspaces) to look into.
  if [ "${WSFLEET_KEEP_TMP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
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

# git_repo DIR: a repository on branch main with one commit (a README).
git_repo() {
  mkdir -p "$1"
  git -C "$1" init -q -b main
  echo "hello" > "$1/README"
  git -C "$1" add README
  git -C "$1" -c user.email=t@t -c user.name=t commit -q -m root
}

finish() {
  echo "$passes passed, $failures failed"
  if [ "$failures" -ne 0 ]; then  # what wsfleet said, to see why without a rerun
    for log in "$TMP"/out "$TMP"/*.out "$TMP"/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $log"; tail -n 30 "$log"; }
    done
    dump_stacks
  fi
  [ "$failures" -eq 0 ]
}

# Where each process this test started stands (every thread's stack), for a failure that
# will not come back on a rerun: a stalled loop shows what it waits on.
dump_stacks() {
  command -v gdb > /dev/null || { echo "(no gdb here: no stacks)"; return 0; }
  local pid
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2> /dev/null || continue
    echo "--- stacks of $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | cut -c1-200)"
    timeout 60 gdb -p "$pid" -batch -nx -ex "set pagination off" -ex "thread apply all bt 30" 2>&1 |
      grep -E '^(Thread|#)' | head -400
  done
}

# join_token STATE FILE: a join token from the coordinator whose state directory is STATE
# (over its local socket), written to FILE.
join_token() {
  "$WSFLEET" token create --coordinator "unix:$1/coordinator.sock" --out "$2" > /dev/null 2>&1
}

# start_fleet WORKERS: a coordinator on loopback (port 0, TLS) and WORKERS workers that join
# it with a token, all serving /metrics on port 0. Sets COORDINATOR (its TCP address),
# COORDINATOR_METRICS and WORKER_METRICS (host:port each) and exports WSFLEET_COORDINATOR
# (its local admin socket) for the client commands.
start_fleet() {
  local workers=$1
  "$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/state" --metrics-addr 127.0.0.1:0 \
    > "$TMP/coordinator.log" 2>&1 &
  PIDS+=($!)
  wait_for 20 grep -q "metrics at" "$TMP/coordinator.log" || { cat "$TMP/coordinator.log"; return 1; }
  COORDINATOR=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/coordinator.log")
  COORDINATOR_METRICS=$(sed -n 's|.*metrics at http://\([^/]*\)/metrics.*|\1|p' "$TMP/coordinator.log")
  export WSFLEET_COORDINATOR=unix:$TMP/state/coordinator.sock
  join_token "$TMP/state" "$TMP/join.token" || { echo "no join token"; return 1; }
  WORKER_METRICS=()
  local i
  for i in $(seq 1 "$workers"); do
    "$WSFLEET" worker --coordinator "$COORDINATOR" --id "w$i" --slots 2 --workdir "$TMP/work" \
      --join-token-file "$TMP/join.token" --metrics-addr 127.0.0.1:0 > "$TMP/worker$i.log" 2>&1 &
    PIDS+=($!)
    wait_for 20 grep -q "metrics at" "$TMP/worker$i.log" || { cat "$TMP/worker$i.log"; return 1; }
    WORKER_METRICS+=("$(sed -n 's|.*metrics at http://\([^/]*\)/metrics.*|\1|p' "$TMP/worker$i.log")")
  done
  wait_for 20 sh -c "'$WSFLEET' workers | grep -c connected | grep -qx $workers"
}

# run_plan PATH: submits a plan to the fleet and waits (bounded) until it is done.
run_plan() {
  "$WSFLEET" submit "$1" > "$TMP/submit.out" 2>&1 || { cat "$TMP/submit.out"; return 1; }
  wait_for 120 sh -c "'$WSFLEET' status | grep -q '(done'"
}
