#!/usr/bin/env bash
# The plan page's drawing time in headless Chromium for plans of 6 (the baseline), 100,
# 1,000 and 3,000 workstreams, each held by a coordinator of its own with no worker (the
# graph and states are all there is to draw). Results: docs/benchmarks.md ("The plan page").
# Usage: bench/plan_page_bench.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
wsfleet=$build/bin/wsfleet
"$root/tests/ui/install.sh" "$build"
tmp=$(mktemp -d /tmp/wsfleet-page-bench.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"' EXIT
args=()
for n in 6 100 1000 3000; do
  # Each workstream depends on one or two of the 30 before it (the shape of the browser test's plan).
  for i in $(seq 1 "$n"); do
    deps=None
    if [ "$i" -gt 1 ]; then
      a=$(( i - 1 - (i * 7919 % 30) )); [ "$a" -lt 1 ] && a=1
      deps=$(printf 'WS-%04d' "$a")
      b=$(( i - 1 - (i * 104729 % 30) )); [ "$b" -lt 1 ] && b=1
      if [ "$b" -ne "$a" ] && [ $((i % 3)) -ne 0 ]; then deps="$deps, $(printf 'WS-%04d' "$b")"; fi
    fi
    printf '# WS-%04d: Step %d\n\n**Duration**: 1 day\n**Dependencies**: %s\n\n## Test Commands\n\n```bash\ntrue\n```\n' \
      "$i" "$i" "$deps" > "$tmp/plan-$n-$(printf '%04d' "$i").md"
  done
  mkdir -p "$tmp/plan-$n" && mv "$tmp"/plan-"$n"-*.md "$tmp/plan-$n/"
  "$wsfleet" coordinator --listen "unix:$tmp/c$n.sock" --state "$tmp/state$n" > "$tmp/c$n.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -S "$tmp/c$n.sock" ] && break; sleep 0.1; done
  "$wsfleet" submit --coordinator "unix:$tmp/c$n.sock" "$tmp/plan-$n" > /dev/null
  args+=("$n workstreams=unix:$tmp/c$n.sock")
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(/usr/bin/chromium --version 2> /dev/null)"
NODE_PATH="$build/ui-tests/node_modules" node "$root/bench/plan_page_bench.cjs" "$wsfleet" "${args[@]}"
