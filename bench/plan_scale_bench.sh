#!/usr/bin/env bash
# A plan of N workstreams against a coordinator with no workers: how long `submit` takes
# and how much memory it and the coordinator use, from a folder of N card files and from
# one file holding all N cards; then `status -o json` of it (time, client memory).
# Usage: plan_scale_bench.sh BUILD_DIR [WORKSTREAMS]   (default 100000; goals at 100,000:
#   coordinator RSS < 300 MB, submit < 3 s, status -o json < 0.5 s and < 100 MB)
set -euo pipefail
build=$(cd "$1" && pwd)
count=${2:-100000}
wsfleet=$build/bin/wsfleet
work=$(mktemp -d /tmp/wsfleet-plan-scale.XXXXXX)
coordinator=""
trap '[ -n "$coordinator" ] && kill -9 "$coordinator" 2> /dev/null; rm -rf "$work"' EXIT

mkdir -p "$work/folder"
# One file per card, and one file of them all (the same cards).
awk -v n="$count" -v dir="$work/folder" 'BEGIN {
  for (i = 1; i <= n; i++) {
    deps = i > 1 ? "WS-" int(i / 2) : "None"
    text = sprintf("# WS-%d: card %d\n\n**Duration**: 2-4 hours\n**Dependencies**: %s\n\n## Test Commands\n\n```bash\ntrue\n```\n\n", i, i, deps)
    file = sprintf("%s/ws-%06d.md", dir, i)
    printf "%s", text > file
    close(file)
    printf "%s", text > (dir "/../one.md")
  }
}'

# measure NAME PATH: a fresh coordinator; submit PATH; its peak RSS; status -o json.
measure() {
  local name=$1 path=$2
  local sock=$work/$name.sock
  "$wsfleet" coordinator --listen "unix:$sock" --state "$work/state-$name" > "$work/$name.log" 2>&1 &
  coordinator=$!
  for _ in $(seq 3000); do grep -q "listening on" "$work/$name.log" && break; sleep 0.01; done
  /usr/bin/time -f '%e %M' -o "$work/$name.submit.time" \
    env WSFLEET_COORDINATOR="unix:$sock" "$wsfleet" submit "$path" > "$work/$name.submit" 2>&1 ||
    { cat "$work/$name.submit" >&2; exit 1; }
  local submitted; submitted=$(awk '/VmRSS/ { print $2 }' "/proc/$coordinator/status")
  local submit_peak; submit_peak=$(awk '/VmHWM/ { print $2 }' "/proc/$coordinator/status")
  /usr/bin/time -f '%e %M' -o "$work/$name.status.time" \
    env WSFLEET_COORDINATOR="unix:$sock" "$wsfleet" status -o json > "$work/$name.status.json"
  local peak; peak=$(awk '/VmHWM/ { print $2 }' "/proc/$coordinator/status")
  local rss; rss=$(awk '/VmRSS/ { print $2 }' "/proc/$coordinator/status")
  kill -9 "$coordinator"; wait "$coordinator" 2> /dev/null || true; coordinator=""
  read -r submit_s submit_kb < "$work/$name.submit.time"
  read -r status_s status_kb < "$work/$name.status.time"
  echo "== $count workstreams from $name"
  echo "submit_seconds $submit_s"
  echo "submit_client_peak_rss_mb $((submit_kb / 1024))"
  echo "coordinator_peak_rss_mb $((submit_peak / 1024))"
  echo "coordinator_peak_rss_with_status_mb $((peak / 1024))"
  echo "coordinator_rss_after_submit_mb $((submitted / 1024))"
  echo "coordinator_rss_after_status_mb $((rss / 1024))"
  echo "status_json_seconds $status_s"
  echo "status_json_client_peak_rss_mb $((status_kb / 1024))"
  echo "status_json_workstreams $(jq '.workstreams | length' "$work/$name.status.json")"
}

measure folder "$work/folder"
measure one-file "$work/one.md"
