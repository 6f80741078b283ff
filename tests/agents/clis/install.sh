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
if cmp -s "$here/package-lock.json" "$target/package-lock.json" && installed; then
  exit 0
fi
command -v npm > /dev/null || { echo "install.sh: npm is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
echo "installing the agent CLIs into $target" >&2
rm -rf "$target"
mkdir -p "$target"
cp "$here/package.json" "$here/package-lock.json" "$target/"
(cd "$target" && npm install --no-save --no-audit --no-fund --loglevel=error)
installed || { echo "install.sh: the agent CLIs do not run after installing" >&2; exit 1; }
