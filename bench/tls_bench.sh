#!/usr/bin/env bash
# What TLS costs across machines, against the same fleet with --insecure in the same
# invocation (target: TLS <= 1.10x), all over TCP on loopback, rounds alternating which
# goes first, medians compared:
#  1. a random DAG of trivial steps, submitted to a coordinator with two workers that
#     joined it (with a token, or plaintext), until report.json is written;
#  2. one step writing 1 GiB to stdout on a worker that sends its output over the network
#     (as on another machine), until its summary is written; the stored log is checked.
# Usage: tls_bench.sh BUILD_DIR [NODES] [ROUNDS]
set -euo pipefail
build=$(cd "$1" && pwd)
nodes=${2:-1000}
rounds=${3:-3}
wsfleet=$build/bin/wsfleet
tools=$build/bin/wsfleet_bench
work=$(mktemp -d /tmp/wsfleet-tls-bench.XXXXXX)
pids=()
trap '[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2> /dev/null; rm -rf "$work"' EXIT
parallel=$(nproc)
slots=$(( (parallel + 1) / 2 ))
now() { date +%s.%N; }
exec {never}<> <(:)  # a pipe nothing writes to: `read -t` on it sleeps in the shell itself
wait_file() {  # FILE: until it exists, checked every 5 ms, at most 10 minutes
  for _ in $(seq 120000); do [ -e "$1" ] && return 0; read -r -t 0.005 -u "$never" || true; done
  echo "timed out waiting for $1" >&2; return 1
}

"$tools" fleet-dag "$nodes" "$work/dag" > /dev/null
mkdir -p "$work/big"
printf '# WS-01: One GiB of output\n\n**Duration**: 1 day\n\n## Test Commands\n\n```bash\nhead -c 1073741824 /dev/zero\n```\n' \
  > "$work/big/WS-01.md"

# fleet MODE NAME WORKERS PLAN DONE-FILE: a coordinator (TLS, or --insecure) and WORKERS
# workers on loopback; submits PLAN and prints the seconds until DONE-FILE (relative to
# the state directory) appears. The fleet is stopped afterwards.
fleet() {
  local mode=$1 name=$2 count=$3 plan=$4 done_file=$5
  local dir=$work/$name flags=() worker_flags=()
  mkdir -p "$dir"
  [ "$mode" = insecure ] && flags=(--insecure) && worker_flags=(--insecure)
  "$wsfleet" coordinator --listen 127.0.0.1:0 --state "$dir/state" "${flags[@]}" > "$dir/coordinator.log" 2>&1 &
  local coordinator=$!
  local address=""
  for _ in $(seq 200); do
    address=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$dir/coordinator.log")
    [ -n "$address" ] && break
    sleep 0.05
  done
  local local_socket=unix:$dir/state/coordinator.sock
  if [ "$mode" = tls ]; then
    "$wsfleet" token create --coordinator "$local_socket" --out "$dir/token" > /dev/null 2>&1
    worker_flags=(--join-token-file "$dir/token")
  fi
  local ids=() i
  for i in $(seq "$count"); do
    mkdir -p "$dir/w$i/out"
    "$wsfleet" worker --coordinator "$address" --id "w$i" --slots "$slots" --workdir "$dir/w$i" \
      --output-cap 2147483648 "${worker_flags[@]}" > "$dir/w$i.log" 2>&1 &
    ids+=($!)
  done
  pids=("$coordinator" "${ids[@]}")
  for _ in $(seq 200); do
    [ "$("$wsfleet" workers --coordinator "$local_socket" 2> /dev/null | grep -c connected)" -eq "$count" ] && break
    sleep 0.05
  done
  local start; start=$(now)
  "$wsfleet" submit "$plan" --coordinator "$local_socket" > /dev/null
  wait_file "$dir/state/$done_file"
  echo "$(now) - $start" | bc -l
  kill "${pids[@]}" 2> /dev/null; wait "${pids[@]}" 2> /dev/null || true
  pids=()
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
dag_tls=() dag_plain=() big_tls=() big_plain=()
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="tls insecure"; else order="insecure tls"; fi
  for mode in $order; do
    t=$(fleet "$mode" "dag-$mode-$round" 2 "$work/dag/plan.md" report.json)
    [ "$mode" = tls ] && dag_tls+=("$t") || dag_plain+=("$t")
  done
  for mode in $order; do
    t=$(fleet "$mode" "big-$mode-$round" 1 "$work/big" summaries/WS-01-COMPLETION_SUMMARY.md)
    stored=$(stat -c %s "$work/big-$mode-$round"/state/latest/logs/WS-01/*.log)
    [ "$stored" -eq 1073741824 ] || { echo "output was lost ($mode): $stored bytes stored"; exit 1; }
    [ "$mode" = tls ] && big_tls+=("$t") || big_plain+=("$t")
    rm -rf "$work/big-$mode-$round"
  done
done
dag_t=$(printf '%s\n' "${dag_tls[@]}" | median); dag_p=$(printf '%s\n' "${dag_plain[@]}" | median)
big_t=$(printf '%s\n' "${big_tls[@]}" | median); big_p=$(printf '%s\n' "${big_plain[@]}" | median)
printf 'TLS vs --insecure over TCP loopback, median of %d rounds (target: TLS <= 1.10x)\n' "$rounds"
printf '  DAG of %d trivial steps on 2 workers x %d slots: TLS %.2f s, plaintext %.2f s, ratio %.2fx\n' \
  "$nodes" "$slots" "$dag_t" "$dag_p" "$(echo "$dag_t / $dag_p" | bc -l)"
printf '  1 GiB of step output sent by a worker: TLS %.2f s (%.0f MB/s), plaintext %.2f s (%.0f MB/s), ratio %.2fx\n' \
  "$big_t" "$(echo "1073.741824 / $big_t" | bc -l)" "$big_p" "$(echo "1073.741824 / $big_p" | bc -l)" \
  "$(echo "$big_t / $big_p" | bc -l)"
printf '  rounds (s): DAG TLS %s; DAG plaintext %s; 1 GiB TLS %s; 1 GiB plaintext %s\n' \
  "$(printf '%.2f ' "${dag_tls[@]}")" "$(printf '%.2f ' "${dag_plain[@]}")" \
  "$(printf '%.2f ' "${big_tls[@]}")" "$(printf '%.2f ' "${big_plain[@]}")"
