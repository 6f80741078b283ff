#!/usr/bin/env bash
# A real Prometheus (Debian's) scrapes a live coordinator and two workers while they run the
# example plan; then its HTTP API must show the series with sensible values, every recording
# rule and alert must evaluate, and every Grafana panel's query must run without error (the
# ones that must have data must return series).
source "$(dirname "$0")/lib.sh"
dashboard=$SOURCE_DIR/k8s/grafana/wsfleet.json
# Absolute: Prometheus reads rule_files as globs, and a glob matching nothing is no error.
rules=$(cd "$SOURCE_DIR" && pwd)/k8s/prometheus/rules.yml
check "fleet starts" start_fleet 2

cat > "$TMP/prometheus.yml" <<CONFIG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: wsfleet-coordinator
    static_configs:
      - targets: ['$COORDINATOR_METRICS']
  - job_name: wsfleet-worker
    static_configs:
      - targets: ['${WORKER_METRICS[0]}', '${WORKER_METRICS[1]}']
CONFIG
source "$(dirname "$0")/prometheus.sh"
start_prometheus "$TMP/prometheus.yml"
prom=$PROM
check "prometheus ready" [ -n "$prom" ]
[ -n "$prom" ] || { finish; exit 1; }

# query EXPR: the API's JSON answer for an instant query.
query() { curl -sf "$prom/api/v1/query" --data-urlencode "query=$1"; }
# value EXPR: the first sample's value (empty when there is none).
value() { query "$1" | jq -r '.data.result[0].value[1] // empty'; }
# jqtest ARGS...: jq -e without the output.
jqtest() { jq -e "$@" > /dev/null; }
# has_data EXPR: the query returns at least one series.
has_data() { query "$1" | jq -e '.data.result | length > 0' > /dev/null; }
# equals EXPR VALUE: the expression's first sample equals VALUE.
equals() { [ "$(value "$1")" = "$2" ]; }

# A few scrapes before the run, so that rates over the run have a baseline (as they would
# in a fleet Prometheus has watched for a while).
check "every target is up and scraped 3 times" wait_for 30 equals 'min(count_over_time(up[1m])) >= bool 3 and sum(up) == 3' 1
check "example plan runs" run_plan "$SOURCE_DIR/examples/hello-fleet"
check "prometheus saw the final state" wait_for 30 equals 'wsfleet_workstreams{state="succeeded"}' 10
check "succeeded + skipped = the plan's 11 workstreams" equals 'sum(wsfleet_workstreams{state=~"succeeded|skipped"})' 11
check "nothing open" equals 'sum(wsfleet_workstreams{state=~"pending|ready|assigned|running|failed"})' 0
check "progress 1" equals 'wsfleet_plan_progress_ratio{plan="hello-fleet"}' 1
check "two connected workers" equals 'wsfleet_workers{state="connected"}' 2
# Each target is scraped at its own offset: what changed at the end shows within a scrape.
check "workers ran the 10 attempts between them" wait_for 15 equals 'sum(wsfleet_worker_attempts_total{result="succeeded"})' 10
check "coordinator counted the same" equals 'wsfleet_attempts_total{result="succeeded"}' 10
check "events stored = events acknowledged to workers" wait_for 15 equals \
  'wsfleet_events_stored_total - scalar(sum(wsfleet_worker_events_acked_total))' 0
p99=$(value 'histogram_quantile(0.99, sum by (le) (wsfleet_dispatch_latency_seconds_bucket))')
check "dispatch latency p99 is a number under 10 s ($p99)" awk -v v="$p99" 'BEGIN { exit !(v + 0 > 0 && v + 0 < 10) }'
check "heartbeat ages are fresh" equals 'count(wsfleet_heartbeat_age_seconds < 5)' 2
check "step metric from WS-03" equals 'wsfleet_step_metric{workstream="WS-03", name="tokens"}' 9
check "gRPC session streams counted" equals \
  'sum(wsfleet_grpc_server_started_total{grpc_method="Session"})' 2

# Rules: every group loaded and every rule evaluated without error.
curl -sf "$prom/api/v1/rules" > "$TMP/rules.json"
check "rules loaded" [ "$(jq '[.data.groups[].rules[]] | length' "$TMP/rules.json")" -eq 13 ]
check "rules evaluate" wait_for 20 sh -c "curl -sf '$prom/api/v1/rules' | jq -e '[.data.groups[].rules[] | select(.health != \"ok\")] | length == 0'"
check "recording rule has data" wait_for 20 sh -c "curl -sf '$prom/api/v1/query' --data-urlencode 'query=wsfleet:workstreams_open' | jq -e '.data.result | length == 1'"
check "no alert fires on a healthy run" sh -c "curl -sf '$prom/api/v1/alerts' | jq -e '[.data.alerts[] | select(.state == \"firing\")] | length == 0' > /dev/null"

# Grafana: structure, then every panel's query against this Prometheus.
check "dashboard is JSON" jqtest . "$dashboard"
check "panel IDs are unique" jqtest '[.panels[].id] | length == (unique | length)' "$dashboard"
check "a datasource variable" jqtest '[.templating.list[] | select(.type == "datasource" and .query == "prometheus")] | length == 1' "$dashboard"
check "variables for plan and node" jqtest '[.templating.list[].name] | contains(["plan", "node"])' "$dashboard"
check "every panel uses the datasource variable" jqtest \
  '[.panels[] | select(.type != "row") | .datasource.uid, .targets[].datasource.uid] | all(. == "${datasource}")' "$dashboard"
check "no hard-coded instances or hosts" sh -c "! grep -qE 'instance=~?\"|127\\.0\\.0\\.1|localhost|:[0-9]{4,5}[\"/]' '$dashboard'"
must_have_data="Plan progress|Workstreams by state|Workers by state|Dispatch latency (ready to running)|Heartbeat age|Step metrics|Open workstreams"
jq -r '.panels[] | select(.type != "row") | .title as $t | .targets[] | [$t, .expr] | @tsv' "$dashboard" > "$TMP/queries"
check "the dashboard has queries" [ "$(wc -l < "$TMP/queries")" -ge 20 ]
while IFS=$'\t' read -r title expr; do
  # Grafana's variables, as Grafana would substitute them for this run.
  expr=${expr//'$__rate_interval'/1m}
  expr=${expr//'$plan'/hello-fleet}
  expr=${expr//'$node'/.*}
  expr=${expr//'$metric'/.*}
  answer=$(query "$expr")
  status=$(jq -r .status <<< "$answer" 2>/dev/null)
  check "panel '$title' query runs: $expr" [ "$status" = success ]
  if grep -qxF -- "$title" <<< "${must_have_data//|/$'\n'}"; then
    # Rates need two scrapes after the run; Grafana would show them a second later too.
    check "panel '$title' has data: $expr" wait_for 15 has_data "$expr"
  fi
done < "$TMP/queries"
finish
