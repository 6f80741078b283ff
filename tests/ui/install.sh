#!/usr/bin/env bash
# Installs what the plan page's browser tests drive Chromium with (playwright-core, pinned by
# package-lock.json) into BUILD_DIR/ui-tests, once per lockfile. playwright-core brings no
# browser: the tests use Debian's /usr/bin/chromium (scripts/install-deps.sh installs it).
# Usage: install.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$1/ui-tests
installed() { [ -f "$target/node_modules/playwright-core/package.json" ]; }
if cmp -s "$here/package-lock.json" "$target/package-lock.json" && installed; then
  exit 0
fi
command -v npm > /dev/null || { echo "install.sh: npm is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
echo "installing playwright-core into $target" >&2
rm -rf "$target"
mkdir -p "$target"
cp "$here/package.json" "$here/package-lock.json" "$target/"
(cd "$target" && npm ci --no-audit --no-fund --loglevel=error)
installed || { echo "install.sh: playwright-core is not there after installing" >&2; exit 1; }
