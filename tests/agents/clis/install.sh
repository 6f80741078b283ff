#!/usr/bin/env bash
# Installs the agent CLIs (claude, codex, opencode) pinned by package-lock.json into
# BUILD_DIR/agent-clis, once per lockfile; their commands are then in
# BUILD_DIR/agent-clis/node_modules/.bin. `npm install` with the lockfile rather than `npm ci`:
# the lockfile holds only the platform packages the registry serves, which `npm ci` takes
# for a lockfile out of date. Each CLI's native binary comes as a platform package of its
# own, which npm picks; claude's install script copies it into place (no download).
# Usage: install.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$1/agent-clis
installed() {
  for cli in claude codex opencode; do
    "$target/node_modules/.bin/$cli" --version > /dev/null 2>&1 || return 1
  done
}
source "$here/../../support/npm_locked.sh"
install_locked "$here" "$target" "the agent CLIs" npm install --no-save --no-audit --no-fund --loglevel=error
