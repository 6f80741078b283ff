#!/usr/bin/env bash
# docs/metrics.md is the truth about /metrics: a live coordinator and worker run the example
# plan, then every metric family they expose must be documented with its type, and every
# documented one must be exposed (the GPU gauges only where GPU telemetry exists).
source "$(dirname "$0")/lib.sh"
doc=$SOURCE_DIR/docs/metrics.md
check "fleet starts" start_fleet 1
check "example plan runs" run_plan "$SOURCE_DIR/examples/hello-fleet"
curl -sf "http://$COORDINATOR_METRICS/metrics" > "$TMP/coordinator.prom"
check "coordinator scraped" grep -q '^wsfleet_workstreams' "$TMP/coordinator.prom"
curl -sf "http://${WORKER_METRICS[0]}/metrics" > "$TMP/worker.prom"
check "worker scraped" grep -q '^wsfleet_worker_info' "$TMP/worker.prom"

# "name type" of each family exposed, and of each documented row.
cat "$TMP/coordinator.prom" "$TMP/worker.prom" | awk '$1 == "#" && $2 == "TYPE" { print $3, $4 }' |
  sort -u > "$TMP/exposed"
awk -F'|' '/^\| `[a-z_]+` \| (counter|gauge|histogram|summary) \|/ {
  gsub(/[` ]/, "", $2); gsub(/ /, "", $3); print $2, $3 }' "$doc" | sort -u > "$TMP/documented"
awk '/^## /{ gpu = ($0 ~ /GPU/) } gpu && /^\| `wsfleet_gpu/ { split($0, f, "`"); print f[2] }' "$doc" \
  > "$TMP/gpu_only"
check "the doc lists metrics" [ "$(wc -l < "$TMP/documented")" -ge 40 ]
check "the doc lists the GPU gauges" [ "$(wc -l < "$TMP/gpu_only")" -eq 6 ]

undocumented=$(comm -23 "$TMP/exposed" "$TMP/documented")
check "every exposed metric is documented with its type: ${undocumented:-ok}" [ -z "$undocumented" ]
missing=$(comm -13 "$TMP/exposed" "$TMP/documented" | grep -v -F -f "$TMP/gpu_only")
check "every documented metric is exposed: ${missing:-ok}" [ -z "$missing" ]

# Conventions: counters end in _total, histograms in _seconds, everything ours is wsfleet_.
bad=$(awk '$2 == "counter" && $1 !~ /_total$/ || $2 == "histogram" && $1 !~ /_seconds$/ ||
           $1 !~ /^(wsfleet_|exposer_)/' "$TMP/exposed")
check "names follow the conventions: ${bad:-ok}" [ -z "$bad" ]
# No attempt IDs in label values (they look like WS-01-a1-1a2b3c4d).
check "no attempt IDs as labels" sh -c "! grep -qE 'WS-[0-9]+-a[0-9]+-' '$TMP/coordinator.prom' '$TMP/worker.prom'"
# The values say what happened: 10 succeeded and 1 skipped in the example.
check "succeeded count" grep -q '^wsfleet_workstreams{plan="hello-fleet",state="succeeded"} 10$' "$TMP/coordinator.prom"
check "skipped count" grep -q '^wsfleet_workstreams{plan="hello-fleet",state="skipped"} 1$' "$TMP/coordinator.prom"
check "attempts counted on both sides" sh -c "grep -q '^wsfleet_attempts_total{result=\"succeeded\"} 10$' '$TMP/coordinator.prom' &&
  grep -q '^wsfleet_worker_attempts_total{result=\"succeeded\"} 10$' '$TMP/worker.prom'"
check "step metrics exported" grep -q '^wsfleet_step_metric{name="tokens",plan="hello-fleet",workstream="WS-03"} ' "$TMP/coordinator.prom"
# status and workers show where the metrics are.
"$WSFLEET" status -o json > "$TMP/status.json"
check "status shows the metrics URL" contains "$TMP/status.json" "\"metrics_url\": \"http://$COORDINATOR_METRICS/metrics\""
"$WSFLEET" workers > "$TMP/workers.out"
check "workers shows each worker's metrics URL" contains "$TMP/workers.out" "http://${WORKER_METRICS[0]}/metrics"
finish
