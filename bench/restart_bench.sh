#!/usr/bin/env bash
# Restart-to-serving: how long a coordinator takes from its start to listening (recovery
# included) on a state directory that holds an N-workstream plan, against the same start
# on an empty state directory, both measured in this invocation (median of ROUNDS).
# Usage: restart_bench.sh BUILD_DIR [N] [ROUNDS]   (goal: < 1 s at N = 10,000)
set -euo pipefail
build=$(cd "$1" && pwd)
count=${2:-10000}
rounds=${3:-5}
wsfleet=$build/bin/wsfleet
work=$(mktemp -d /tmp/wsfleet-restart.XXXXXX)
trap '[ -f "$work/pid" ] && kill -9 "$(cat "$work/pid")" 2> /dev/null; rm -rf "$work"' EXIT
"$build/bin/wsfleet_bench" generate "$count" "$work/plan" > /dev/null

# start STATE LOG: starts a coordinator on STATE; prints the milliseconds until it listens.
start() {
  local begin; begin=$(date +%s%N)
  "$wsfleet" coordinator --listen "unix:$work/c.sock" --state "$1" > "$2" 2>&1 &
  echo $! > "$work/pid"  # (called in a subshell: the pid goes through a file)
  disown
  for _ in $(seq 6000); do  # at most 60 s
    grep -q "listening on" "$2" && break
    sleep 0.01
  done
  grep -q "listening on" "$2" || { cat "$2" >&2; exit 1; }
  echo $(( ($(date +%s%N) - begin) / 1000000 ))
}
stop() {
  local pid; pid=$(cat "$work/pid")
  kill -9 "$pid"
  while kill -0 "$pid" 2> /dev/null; do sleep 0.01; done  # the state directory's lock is free
  rm -f "$work/pid"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start "$work/state" "$work/first.log" > /dev/null
WSFLEET_COORDINATOR=unix:$work/c.sock "$wsfleet" submit "$work/plan" > "$work/submit.out" 2>&1 ||
  { tail "$work/submit.out" >&2; exit 1; }
stop
empty=() full=()
for round in $(seq "$rounds"); do
  empty+=("$(start "$work/empty-$round" "$work/empty-$round.log")"); stop
  full+=("$(start "$work/state" "$work/full-$round.log")"); stop
done
empty_ms=$(printf '%s\n' "${empty[@]}" | median)
full_ms=$(printf '%s\n' "${full[@]}" | median)
printf 'restart to serving, median of %d: %d-workstream plan %s ms, empty state directory %s ms (goal < 1000 ms)\n' \
  "$rounds" "$count" "$full_ms" "$empty_ms"
