#!/usr/bin/env bash
# The container image built and run for real (make image-test; not in make test: the image
# build compiles wsfleet from scratch inside the container, 10+ minutes on 2 cores the first
# time, seconds after that from its ccache cache):
#   tests/image/image_test.sh SOURCE_DIR CACHE_DIR
# 1. the Debian 12 base images made with debootstrap (scripts/image-base.sh), since no
#    container registry is reachable here;
# 2. k8s/Dockerfile's slim target built with podman (buildah inside), unchanged;
# 3. a coordinator and two workers run as containers on their own podman network with the
#    manifests' settings (k8s/base: user 10001, read-only root filesystem, every capability
#    dropped, no privilege escalation, writable state/work volumes and /tmp only), the
#    workers joining with a token made inside the coordinator's container as k8s/base's
#    join-token.yaml says;
# 4. the example plan run on them, and a real Prometheus scraping all three.
# Exit 77 (skip) names why where containers cannot run here.
set -uo pipefail
SOURCE_DIR=$(cd "${1:?usage: image_test.sh SOURCE_DIR CACHE_DIR}" && pwd)
CACHE_DIR=$(mkdir -p "${2:?usage: image_test.sh SOURCE_DIR CACHE_DIR}" && cd "$2" && pwd)
TMP=$(mktemp -d /tmp/wsfleet-image.XXXXXX)
chmod 755 "$TMP"
TAG=localhost/wsfleet:image-test
WORKER_TAG=localhost/wsfleet-example-worker:image-test
RUN_ID=wsfleet-it-$$
NETWORK=$RUN_ID
COORD=$RUN_ID-coordinator
PIDS=()
failures=0
passes=0

cleanup() {
  for pid in "${PIDS[@]}"; do { kill -9 "$pid" && wait "$pid"; } 2>/dev/null; done
  if command -v podman >/dev/null; then
    podman rm -f -t 0 "$COORD" "$RUN_ID-w1" "$RUN_ID-w2" >/dev/null 2>&1
    podman network rm -f "$NETWORK" >/dev/null 2>&1
  fi
  wait 2>/dev/null
  if [ "${WSFLEET_KEEP_TMP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() {
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); echo "ok: $what"; else fail "$what"; return 1; fi
}
wait_for() {
  local seconds=$1; shift
  local end=$((SECONDS + seconds))
  while [ $SECONDS -lt $end ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
skip() { echo "SKIP: $*"; exit 77; }
finish() {
  echo "$passes passed, $failures failed"
  if [ "$failures" -ne 0 ]; then
    for name in "$COORD" "$RUN_ID-w1" "$RUN_ID-w2"; do
      echo "--- last lines of $name"; podman logs --tail 30 "$name" 2>&1
    done
    for log in "$TMP"/*.out "$TMP"/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $log"; tail -n 30 "$log"; }
    done
  fi
  [ "$failures" -eq 0 ]
}

for tool in podman debootstrap prometheus curl jq; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps.sh --image installs it)"
done
[ "$(id -u)" = 0 ] || skip "rootful podman: run as root (make image-test does, through sudo)"

# The engine's settings for this machine, in a containers.conf of our own: the first OCI
# runtime that starts a container here (crun cannot on a cgroups v1/v2 hybrid host; runc
# can), and ulimits no higher than this process may set (podman's defaults raise them,
# which fails without CAP_SYS_RESOURCE, as in many CI sandboxes).
export CONTAINERS_CONF=$TMP/containers.conf
: > "$CONTAINERS_CONF"  # podman's defaults until the probe below (importing runs no container)
scripts_dir=$SOURCE_DIR/scripts
"$scripts_dir/image-base.sh" "$CACHE_DIR" || skip "no Debian base image (debootstrap could not reach Debian's archive)"
engine_works() {
  local runtime=$1 nofile=$2 nproc=$3
  cat > "$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "$runtime"
CONF
  podman run --rm --network none docker.io/library/debian:bookworm true > "$TMP/engine-probe.log" 2>&1
}
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] && nproc=4194304
engine=""
for runtime in crun runc; do
  command -v "$runtime" >/dev/null || continue
  for limit in "$nproc" 65536 32768 16384 4096; do
    [ "$limit" -le "$nproc" ] || continue
    if engine_works "$runtime" "$nofile" "$limit"; then engine="$runtime, nofile $nofile, nproc $limit"; break 2; fi
  done
done
[ -n "$engine" ] || skip "no OCI runtime starts a container here: $(tail -1 "$TMP/engine-probe.log")"
echo "engine: podman $(podman version --format '{{.Client.Version}}'), $engine, storage $(podman info --format '{{.Store.GraphDriverName}}')"

# --- the build -------------------------------------------------------------------------
podman rmi -f "$WORKER_TAG" "$TAG" > /dev/null 2>&1  # a failed build must not leave the last image to test
start=$SECONDS
(cd "$SOURCE_DIR" && podman build --pull=never -f k8s/Dockerfile --target slim -t "$TAG" .) > "$TMP/build.log" 2>&1
build_rc=$?
echo "image build: $((SECONDS - start)) s (log: $TMP/build.log)"
check "k8s/Dockerfile's slim target builds" [ "$build_rc" = 0 ] || { tail -40 "$TMP/build.log"; finish; exit 1; }
check "the image runs as user 10001" [ "$(podman image inspect --format '{{.Config.User}}' "$TAG")" = 10001:10001 ]
echo "image size: $(podman image inspect --format '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
# The workers run the example plan's steps: its toolchain on top, as a project would.
start=$SECONDS
podman build --pull=never --build-arg BASE="$TAG" -f "$SOURCE_DIR/tests/image/example-worker.Containerfile" \
  -t "$WORKER_TAG" "$SOURCE_DIR/tests/image" > "$TMP/worker-build.log" 2>&1
check "the example's worker image (the slim image and the plan's toolchain) builds" [ $? = 0 ] || {
  tail -20 "$TMP/worker-build.log"; finish; exit 1; }
echo "example worker image build: $((SECONDS - start)) s"

# The pod settings the manifests demand, read from them so the two cannot drift apart.
manifest_says() { grep -q -- "$1" "$SOURCE_DIR/k8s/base/coordinator.yaml" && grep -q -- "$1" "$SOURCE_DIR/k8s/base/worker.yaml"; }
check "the manifests ask for a read-only root filesystem" manifest_says "readOnlyRootFilesystem: true"
check "the manifests ask for user 10001" manifest_says "runAsUser: 10001"
check "the manifests drop every capability" manifest_says "drop: \[ALL\]"
# podman run as the manifests' pods run: what they demand, and writable volumes only where
# they mount them (owned by 10001, as fsGroup makes them).
as_pod=(--network "$NETWORK" --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=256m,mode=1777
        --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges --pull never)
volume() { mkdir -p "$TMP/$1" && chown 10001:10001 "$TMP/$1" && echo "$TMP/$1"; }

# --- the fleet ---------------------------------------------------------------------------
podman network create "$NETWORK" > /dev/null || { fail "podman network create"; finish; exit 1; }
podman run -d --name "$COORD" --hostname wsfleet-coordinator "${as_pod[@]}" \
  -v "$(volume coordinator-state)":/var/lib/wsfleet -v "$SOURCE_DIR/examples":/plans:ro \
  -p 127.0.0.1::9464 "$TAG" \
  coordinator --listen=0.0.0.0:7447 --state=/var/lib/wsfleet --metrics-addr=0.0.0.0:9464 --log-format=json \
  > "$TMP/coordinator-run.out" 2>&1
check "the coordinator container starts" [ $? = 0 ]
in_coordinator() { podman exec -e WSFLEET_COORDINATOR=unix:/var/lib/wsfleet/coordinator.sock "$COORD" wsfleet "$@"; }
check "the coordinator listens" wait_for 60 in_coordinator status
# As k8s/base/join-token.yaml says: a token made through the coordinator's own socket.
mkdir -p "$TMP/join" && in_coordinator token create --ttl 0 --description image-test > "$TMP/join/token"
check "a join token made inside the coordinator's container" grep -q '^wsf1\.' "$TMP/join/token"
chmod 644 "$TMP/join/token"
for i in 1 2; do
  podman run -d --name "$RUN_ID-w$i" --hostname "worker-$i" "${as_pod[@]}" \
    -v "$(volume "worker$i")":/var/lib/wsfleet-worker -v "$TMP/join":/etc/wsfleet/join:ro \
    -p 127.0.0.1::9465 "$WORKER_TAG" \
    worker --coordinator="dns:///$COORD:7447" --id="worker-$i" --slots=2 --label=node="worker-$i" \
    --workdir=/var/lib/wsfleet-worker/work --spool=/var/lib/wsfleet-worker/spool \
    --metrics-addr=0.0.0.0:9465 --join-token-file=/etc/wsfleet/join/token --log-format=json --grace=45s \
    > "$TMP/worker$i-run.out" 2>&1
  check "worker $i's container starts" [ $? = 0 ]
done
connected() { [ "$(in_coordinator workers | grep -c connected)" = 2 ]; }
check "both workers join over mutual TLS across the podman network" wait_for 60 connected || { finish; exit 1; }

# Non-root and read-only, seen from inside.
check "the coordinator runs as uid 10001" [ "$(podman exec "$COORD" id -u)" = 10001 ]
check "the worker runs as uid 10001" [ "$(podman exec "$RUN_ID-w1" id -u)" = 10001 ]
# Mounted read-only (a non-root user could not write there anyway, so a failed write
# would prove nothing).
read_only() {
  [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$1")" = true ] &&
    podman exec "$1" awk '$2 == "/" { print $4 }' /proc/mounts | grep -q '^ro\(,\|$\)'
}
check "the coordinator's root filesystem is read-only" read_only "$COORD"
check "the worker's root filesystem is read-only" read_only "$RUN_ID-w1"
no_caps() { [ "$(podman exec "$1" awk '/^CapEff/ { print $2 }' /proc/self/status)" = 0000000000000000 ]; }
check "the coordinator holds no capability" no_caps "$COORD"

# --- Prometheus scrapes all three ------------------------------------------------------
metrics_port() { podman port "$1" "$2/tcp" | head -1; }
cat > "$TMP/prometheus.yml" <<CONFIG
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: wsfleet-coordinator
    static_configs:
      - targets: ['$(metrics_port "$COORD" 9464)']
  - job_name: wsfleet-worker
    static_configs:
      - targets: ['$(metrics_port "$RUN_ID-w1" 9465)', '$(metrics_port "$RUN_ID-w2" 9465)']
CONFIG
source "$SOURCE_DIR/tests/integration/prometheus.sh"
start_prometheus "$TMP/prometheus.yml"
prom=$PROM
check "prometheus ready" [ -n "$prom" ]
[ -n "$prom" ] || { finish; exit 1; }
value() { curl -sf "$prom/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'; }
equals() { [ "$(value "$1")" = "$2" ]; }
check "prometheus scrapes the coordinator and both workers" wait_for 30 equals 'sum(up)' 3

# --- the example plan ----------------------------------------------------------------------
start=$SECONDS
in_coordinator submit /plans/hello-fleet > "$TMP/submit.out" 2>&1
check "the example plan is submitted" [ $? = 0 ]
done_plan() { in_coordinator status | grep -q '(done'; }
check "the example plan finishes" wait_for 300 done_plan
echo "example plan on the containers: $((SECONDS - start)) s"
in_coordinator status > "$TMP/status.out" 2>&1
cat "$TMP/status.out"
check "10 workstreams succeeded and 1 skipped" grep -q "10 succeeded.*1 skipped\|1 skipped.*10 succeeded" "$TMP/status.out"
check "prometheus saw the plan succeed" wait_for 30 equals 'wsfleet_workstreams{state="succeeded"}' 10
check "both workers ran attempts" wait_for 30 equals 'count(wsfleet_worker_attempts_total{result="succeeded"} > 0)' 2
finish
