#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/bin for SECONDS each, starting from the seed
# corpus; new interesting inputs go to BUILD_DIR/fuzz-corpus/<target>. Fails on a crash.
set -euo pipefail
build_dir=$1 seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for target in "$build_dir"/bin/*_fuzz; do
  name=$(basename "$target")
  corpus="$build_dir/fuzz-corpus/$name"
  mkdir -p "$corpus"
  echo "== $name for ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
       -artifact_prefix="$build_dir/fuzz-artifacts-$name-" \
       "$corpus" "$root/examples" "$root/tests/data" "$root/tests/fuzz/corpus"; then
    echo "$name found a failure; reproducer in $build_dir/fuzz-artifacts-$name-*" >&2
    status=1
  fi
done
exit $status
