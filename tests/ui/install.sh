#!/usr/bin/env bash
# Installs what the plan page's browser tests drive Chromium with (playwright-core, pinned by
# package-lock.json) into BUILD_DIR/ui-tests, once per lockfile. playwright-core brings no
# browser: the tests use Debian's /usr/bin/chromium (scripts/install-deps.sh installs it).
# Usage: install.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$1/ui-tests
installed() { [ -f "$target/node_modules/playwright-core/package.json" ]; }
source "$here/../support/npm_locked.sh"
install_locked "$here" "$target" "playwright-core" npm ci --no-audit --no-fund --loglevel=error
