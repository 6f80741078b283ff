#!/usr/bin/env bash
# k8s/ offline: `kubectl kustomize` renders the base and the DGX Spark overlay, every
# rendered object validates against the Kubernetes OpenAPI schemas with no unknown fields
# and follows wsfleet's deployment rules (tests/deploy/validator: kubernetes-models and
# @kubernetes/client-node from npm, pinned by its package-lock.json), and each render holds
# what the deployment needs.
# Usage: kustomize_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
SOURCE_DIR=$1
BUILD_DIR=$2
failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then passes=$((passes + 1)); else fail "$what"; fi; }

# The validator's npm packages, installed once per lockfile into the build tree.
validator=$BUILD_DIR/deploy-validator
lock=$SOURCE_DIR/tests/deploy/validator/package-lock.json
if ! cmp -s "$lock" "$validator/package-lock.json" || [ ! -d "$validator/node_modules" ]; then
  rm -rf "$validator"
  mkdir -p "$validator"
  cp "$SOURCE_DIR"/tests/deploy/validator/{package.json,package-lock.json} "$validator/"
  (cd "$validator" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci"; exit 1; }
fi
cp "$SOURCE_DIR/tests/deploy/validator/validate.js" "$validator/"

out=$(mktemp -d /tmp/wsfleet-k8s.XXXXXX)
trap 'rm -rf "$out"' EXIT
for target in base overlays/dgx-spark; do
  name=${target##*/}
  check "kubectl kustomize k8s/$target" sh -c "kubectl kustomize '$SOURCE_DIR/k8s/$target' > '$out/$name.yaml' 2> '$out/$name.err'"
  [ -s "$out/$name.err" ] && grep -v "is deprecated" "$out/$name.err"
  check "k8s/$target validates" node "$validator/validate.js" "$out/$name.yaml"
done

kinds() { grep -E '^kind: ' "$1" | sort | tr '\n' ' '; }
check "base objects: $(kinds "$out/base.yaml")" [ "$(kinds "$out/base.yaml")" = \
  "kind: ConfigMap kind: DaemonSet kind: Namespace kind: Secret kind: Service kind: ServiceAccount kind: StatefulSet " ]
has() { grep -qE -- "$2" "$out/$1.yaml"; }
check "the coordinator keeps its state on a claim" has base 'volumeClaimTemplates:'
check "the coordinator is ready when its TLS port listens" has base '^ +tcpSocket:$'
check "and alive while its loop answers a scrape" has base 'path: /metrics'
check "Prometheus scrape annotations" has base 'prometheus.io/scrape: "true"'
check "workers hold a GPU" has base 'nvidia.com/gpu: 1'
check "workers tolerate GPU taints" has base 'key: nvidia.com/gpu'
check "the join token comes from the Secret" has base 'secretName: wsfleet-join-token'
check "everything in the wsfleet namespace" [ "$(grep -c '^  namespace: wsfleet$' "$out/base.yaml")" -eq 6 ]
check "the overlay pins arm64" has dgx-spark 'kubernetes.io/arch: arm64'
check "the overlay's workers use host networking" has dgx-spark 'hostNetwork: true'
check "and RDMA devices through the device plugin" has dgx-spark 'rdma/rdma_shared_device_a: 1'
check "and IPC_LOCK, nothing more" sh -c "[ \"\$(grep -A1 -E '^ +add:' '$out/dgx-spark.yaml' | grep -c -- '- ')\" -eq 1 ] && grep -q IPC_LOCK '$out/dgx-spark.yaml'"
check "no privileged containers" sh -c "! grep -q 'privileged: true' '$out/base.yaml' '$out/dgx-spark.yaml'"
echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
