# A real Prometheus (Debian's) for tests, sourced by them: start_prometheus CONFIG starts
# it on loopback with CONFIG, its storage and log under $TMP, adds its pid to PIDS and sets
# PROM to its URL; it fails (PROM empty) when none comes up. Prometheus cannot report a
# port it picked itself, so it tries free-looking ones (bounded).
start_prometheus() {
  local config=$1 attempt port pid
  PROM=""
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    prometheus --config.file="$config" --web.listen-address="127.0.0.1:$port" \
      --storage.tsdb.path="$TMP/tsdb-$attempt" > "$TMP/prometheus.log" 2>&1 &
    pid=$!
    PIDS+=($pid)
    local end=$((SECONDS + 30))
    while [ $SECONDS -lt $end ]; do
      if curl -sf "http://127.0.0.1:$port/-/ready" > /dev/null 2>&1; then PROM="http://127.0.0.1:$port"; return 0; fi
      sleep 0.2
    done
    kill "$pid" 2>/dev/null
  done
  tail -20 "$TMP/prometheus.log"
  return 1
}
