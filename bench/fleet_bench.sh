#!/usr/bin/env bash
# Fleet benchmarks, each against a baseline run in the same invocation:
#  1. one random 1,000-node DAG of trivial steps through `wsfleet run` and through `ninja`
#     at the same parallelism (target: wsfleet <= 1.5x ninja's time);
#  2. dispatch latency, ready -> step started, on a 200-step chain (target: p99 < 10 ms);
#  3. a step writing 1 GiB to stdout, against `cat` into a pipe (target: >= 0.5x), with
#     the stored log checked to hold every byte.
# Usage: fleet_bench.sh BUILD_DIR [NODES] [ROUNDS]
set -euo pipefail
build=$(cd "$1" && pwd)
nodes=${2:-1000}
rounds=${3:-5}
wsfleet=$build/bin/wsfleet
tools=$build/bin/wsfleet_bench
work=$(mktemp -d /tmp/wsfleet-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
parallel=$(nproc)
workers=2
slots=$(( (parallel + workers - 1) / workers ))
now() { date +%s.%N; }

"$tools" fleet-dag "$nodes" "$work/dag" > /dev/null
# Rounds alternate which of the two goes first, each in fresh directories; nothing is
# deleted until the end (ext4 without a journal scans past recently deleted inodes when it
# allocates new ones, which would tax whichever runs after a deletion). The medians are
# compared.
run_ninja() {  # ROUND
  local dir=$work/ninja-$1
  mkdir -p "$dir/out" && cp "$work/dag/build.ninja" "$dir/"
  local start; start=$(now)
  (cd "$dir" && ninja -j "$((workers * slots))" > /dev/null)
  echo "$(now) - $start" | bc -l
}
run_wsfleet() {  # NAME [ARGS...]: extra arguments for wsfleet run
  local dir=$work/$1; shift
  mkdir -p "$dir/work/out"
  local start; start=$(now)
  "$wsfleet" run "$work/dag/plan.md" --workers "$workers" --slots "$slots" --state "$dir/state" \
    --workdir "$dir/work" "$@" > "$dir/run.out" 2>&1 || { tail -20 "$dir/run.out" >&2; return 1; }
  echo "$(now) - $start" | bc -l
}
# For comparison only: every step through /bin/sh, as ninja runs them.
printf 'steps:\n  direct_exec: false\n' > "$work/shell.yaml"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ninja_times=() wsfleet_times=() shell_times=()
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    t=$(run_ninja "$round"); ninja_times+=("$t"); t=$(run_wsfleet "run-$round"); wsfleet_times+=("$t")
  else
    t=$(run_wsfleet "run-$round"); wsfleet_times+=("$t"); t=$(run_ninja "$round"); ninja_times+=("$t")
  fi
  t=$(run_wsfleet "shell-$round" --config "$work/shell.yaml"); shell_times+=("$t")
done
ninja_s=$(printf '%s\n' "${ninja_times[@]}" | median)
wsfleet_s=$(printf '%s\n' "${wsfleet_times[@]}" | median)
shell_s=$(printf '%s\n' "${shell_times[@]}" | median)
printf 'DAG of %d trivial steps, parallelism %d, median of %d rounds: ninja %.2f s, wsfleet run %.2f s, ratio %.2fx (target <= 1.5x)\n' \
  "$nodes" "$((workers * slots))" "$rounds" "$ninja_s" "$wsfleet_s" "$(echo "$wsfleet_s / $ninja_s" | bc -l)"
printf '  with every step through /bin/sh as ninja runs them (steps.direct_exec: false): %.2f s, ratio %.2fx\n' \
  "$shell_s" "$(echo "$shell_s / $ninja_s" | bc -l)"
printf '  rounds (s): ninja %s; wsfleet %s; through /bin/sh %s\n' "$(printf '%.2f ' "${ninja_times[@]}")" \
  "$(printf '%.2f ' "${wsfleet_times[@]}")" "$(printf '%.2f ' "${shell_times[@]}")"
# Latency on a chain: one workstream ready at a time, so no queueing for a slot is counted.
"$tools" fleet-dag 200 "$work/chain" chain > /dev/null
mkdir -p "$work/chain-run/out"
"$wsfleet" run "$work/chain/plan.md" --workers 1 --state "$work/chain-state" \
  --workdir "$work/chain-run" > "$work/chain.out" 2>&1 || { tail -20 "$work/chain.out"; exit 1; }
"$tools" dispatch-latency "$work/chain-state"

mkdir -p "$work/big"
cat > "$work/big/WS-01.md" <<'CARD'
# WS-01: One GiB of output

**Duration**: 1 day

## Test Commands

```bash
head -c 1073741824 /dev/zero
```
CARD
start=$(now)
head -c 1073741824 /dev/zero | cat > /dev/null
cat_s=$(echo "$(now) - $start" | bc -l)
# The floor for storing it durably: the same bytes written and fdatasync'ed by dd.
start=$(now)
dd if=/dev/zero of="$work/dd.out" bs=1M count=1024 conv=fdatasync status=none
dd_s=$(echo "$(now) - $start" | bc -l)
rm -f "$work/dd.out"
start=$(now)
"$wsfleet" run "$work/big" --workers 1 --output-cap 2147483648 --state "$work/big-state" --workdir "$work/big-work" \
  > "$work/big.out" 2>&1 || { tail -20 "$work/big.out"; exit 1; }
big_s=$(echo "$(now) - $start" | bc -l)
stored=$(stat -c %s "$work"/big-state/latest/logs/WS-01/*.log)
printf '1 GiB stdout: cat into a pipe %.2f s (%.0f MB/s), through wsfleet %.2f s (%.0f MB/s), throughput ratio %.2f (target >= 0.5); log holds %d of 1073741824 bytes\n' \
  "$cat_s" "$(echo "1073.741824 / $cat_s" | bc -l)" "$big_s" "$(echo "1073.741824 / $big_s" | bc -l)" \
  "$(echo "$cat_s / $big_s" | bc -l)" "$stored"
printf '  for scale: dd writing 1 GiB to a file and fdatasync-ing it: %.2f s (%.0f MB/s)\n' \
  "$dd_s" "$(echo "1073.741824 / $dd_s" | bc -l)"
[ "$stored" -eq 1073741824 ] || { echo "output was lost"; exit 1; }
# For comparison only: the same step on a worker that sends its output over gRPC, as one on
# another machine does (`wsfleet worker` has no log token; `wsfleet run`'s workers write
# the log themselves). Timed from submit until its summary appears (written once its end is
# stored), checked every 5 ms without starting a process each time.
# The first run's log goes first: its page cache, freed, is what this run's log reuses (on
# this VM fresh pages cost ~2 s per GiB, as the first `dd` of a boot shows).
rm -rf "$work/big-state"
socket=unix:$work/big-coordinator.sock
"$wsfleet" coordinator --listen "$socket" --state "$work/sent-state" > "$work/sent-coordinator.log" 2>&1 &
coordinator_pid=$!
"$wsfleet" worker --coordinator "$socket" --id sender --output-cap 2147483648 --workdir "$work/sent-work" \
  > "$work/sent-worker.log" 2>&1 &
worker_pid=$!
trap 'kill "$coordinator_pid" "$worker_pid" 2> /dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  "$wsfleet" workers --coordinator "$socket" 2> /dev/null | grep -q sender && break
  sleep 0.1
done
start=$(now)
"$wsfleet" submit "$work/big" --coordinator "$socket" > /dev/null
exec {never}<> <(:)  # a pipe nothing writes to: `read -t` on it sleeps in the shell itself
summary=$work/sent-state/latest/summaries/WS-01-COMPLETION_SUMMARY.md
for _ in $(seq 12000); do
  [ -e "$summary" ] && break
  read -r -t 0.005 -u "$never" || true
done
grep -q 'COMPLETE' "$summary" 2> /dev/null || { echo "the sending worker's run did not succeed"; exit 1; }
sent_s=$(echo "$(now) - $start" | bc -l)
sent_stored=$(stat -c %s "$work"/sent-state/latest/logs/WS-01/*.log)
printf '  through a worker that sends its output (as from another machine): %.2f s (%.0f MB/s), ratio %.2f; log holds %d bytes\n' \
  "$sent_s" "$(echo "1073.741824 / $sent_s" | bc -l)" "$(echo "$cat_s / $sent_s" | bc -l)" "$sent_stored"
