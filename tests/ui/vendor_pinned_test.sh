#!/usr/bin/env bash
# The layout library built into the plan page (ui/vendor/dagre.min.js) is byte for byte the
# file of the version ui/vendor/package-lock.json pins (checked by its integrity hash when
# npm installs it), and its license ships beside it (ui/vendor/THIRD_PARTY_LICENSES.txt).
# Usage: vendor_pinned_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
source_dir=$1
target=$2/ui-vendor
rm -rf "$target"
mkdir -p "$target"
cp "$source_dir/ui/vendor/package.json" "$source_dir/ui/vendor/package-lock.json" "$target/"
(cd "$target" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci of ui/vendor's lockfile"; exit 1; }
failures=0
installed=$target/node_modules/@dagrejs/dagre
if ! cmp "$installed/dist/dagre.min.js" "$source_dir/ui/vendor/dagre.min.js"; then
  echo "FAIL: ui/vendor/dagre.min.js is not the pinned version's dist/dagre.min.js"; failures=$((failures + 1))
fi
version=$(jq -r .version "$installed/package.json")
if ! grep -q "dagre $version" "$source_dir/ui/vendor/THIRD_PARTY_LICENSES.txt"; then
  echo "FAIL: THIRD_PARTY_LICENSES.txt does not name dagre $version"; failures=$((failures + 1))
fi
if ! grep -qF "$(head -n 1 "$installed/LICENSE")" "$source_dir/ui/vendor/THIRD_PARTY_LICENSES.txt"; then
  echo "FAIL: dagre's LICENSE is not in THIRD_PARTY_LICENSES.txt"; failures=$((failures + 1))
fi
graphlib=$(jq -r .version "$target/node_modules/@dagrejs/graphlib/package.json")
if ! grep -q "graphlib $graphlib" "$source_dir/ui/vendor/THIRD_PARTY_LICENSES.txt"; then
  echo "FAIL: THIRD_PARTY_LICENSES.txt does not name graphlib $graphlib (bundled)"; failures=$((failures + 1))
fi
echo "dagre $version, graphlib $graphlib: $failures failed"
[ "$failures" -eq 0 ]
