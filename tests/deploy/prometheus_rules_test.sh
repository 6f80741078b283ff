#!/usr/bin/env bash
# k8s/prometheus offline: the rules load and their unit tests pass (promtool), and the
# scrape configuration parses. Debian's Prometheus is built without Kubernetes service
# discovery, so kubernetes_sd_configs blocks are swapped for empty static_configs before
# `promtool check config`: everything else in the file (relabeling, rule files, globals)
# is checked by the real parser.
set -uo pipefail
SOURCE_DIR=$1
dir=$SOURCE_DIR/k8s/prometheus
tmp=$(mktemp -d /tmp/wsfleet-prom.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
status=0
promtool check rules "$dir/rules.yml" || status=1
(cd "$dir" && promtool test rules rules_test.yml) || status=1
awk '/^    kubernetes_sd_configs:/ { print "    static_configs: []"; skip = 1; next }
     skip && /^    [a-z_]+:/ { skip = 0 } !skip' "$dir/prometheus.yml" > "$tmp/prometheus.yml"
grep -q kubernetes_sd_configs "$dir/prometheus.yml" || { echo "no kubernetes_sd_configs in prometheus.yml"; status=1; }
cp "$dir/rules.yml" "$tmp/"
promtool check config "$tmp/prometheus.yml" || status=1
exit $status
