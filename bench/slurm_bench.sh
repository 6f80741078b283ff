#!/usr/bin/env bash
# A plan's wall time on workers from Slurm (`--launcher slurm`: sbatch'ed when the work
# waits, leaving when idle) against the same plan on as many workers started by hand, both
# measured in this invocation on a throwaway Slurm on this machine (tests/slurm/cluster.sh).
# Usage: slurm_bench.sh BUILD_DIR [WORKSTREAMS] [SECONDS_EACH] [WORKERS] [SLOTS]
# Skips (exit 0, saying why) where Slurm cannot run.
build=$(cd "$1" && pwd)
count=${2:-40}
seconds=${3:-1}
workers=${4:-4}
slots=${5:-2}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
set -- "$build/bin/wsfleet" "$source_dir"
source "$source_dir/tests/integration/lib.sh"
slurm_skip() { echo "slurm_bench: skipped: Slurm cannot run here: $*"; exit 0; }
source "$source_dir/tests/slurm/cluster.sh"
slurm_start "$workers" 8 0

plan=$TMP/plan
for i in $(seq -w 1 "$count"); do card "$plan" "WS-$i" None "sleep $seconds"; done

# run NAME ARGS...: a coordinator with ARGS, the plan submitted, its wall time in ms until done.
run() {
  local name=$1; shift
  local state=$TMP/state-$name
  "$WSFLEET" coordinator --listen 127.0.0.1:0 --advertise 127.0.0.1 --state "$state" "$@" \
    > "$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  FLEET=($!)
  wait_for 20 grep -q "listening on" "$TMP/$name.log" || { cat "$TMP/$name.log"; exit 1; }
  export WSFLEET_COORDINATOR=unix:$state/coordinator.sock
  address=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/$name.log")
}
wall() {
  local begin; begin=$(date +%s%N)
  "$WSFLEET" submit "$plan" > /dev/null || exit 1
  wait_for 600 sh -c "'$WSFLEET' status | grep -q '$count succeeded'" || { "$WSFLEET" status | tail -3; exit 1; }
  echo $(( ($(date +%s%N) - begin) / 1000000 ))
}
mkdir -p "$TMP/work"

run static
join_token "$TMP/state-static" "$TMP/join.token"
for i in $(seq 1 "$workers"); do
  "$WSFLEET" worker --coordinator "$address" --id "s$i" --slots "$slots" --workdir "$TMP/work" \
    --join-token-file "$TMP/join.token" > "$TMP/static-worker$i.log" 2>&1 &
  PIDS+=($!)
  FLEET+=($!)
done
wait_for 30 sh -c "'$WSFLEET' workers | grep -c connected | grep -qx $workers"
static_ms=$(wall)
for pid in "${FLEET[@]}"; do kill "$pid" 2> /dev/null; done  # the static fleet, not Slurm's daemons
for pid in "${FLEET[@]}"; do wait "$pid" 2> /dev/null; done

run slurm --launcher slurm --max-workers "$workers" --slurm-slots "$slots" --idle-exit 5s --slurm-workdir "$TMP/work"
slurm_ms=$(wall)
jobs=$(grep -c "launcher: Slurm job [0-9]" "$TMP/slurm.log")

echo "plan of $count x sleep $seconds on $workers workers x $slots slots:"
echo "  static workers (started beforehand):  $static_ms ms"
echo "  workers from Slurm (sbatch on demand): $slurm_ms ms ($jobs jobs)"
awk -v s="$static_ms" -v l="$slurm_ms" 'BEGIN { printf "  ratio: %.2fx, %.1f s more\n", l / s, (l - s) / 1000 }'
