#!/usr/bin/env bash
# Runs a wsfleet command from the source root and compares its stdout with a golden file.
# Usage: golden.sh WSFLEET SOURCE_DIR GOLDEN_FILE -- ARGS...
# Set UPDATE_GOLDEN=1 to rewrite the golden file instead of comparing.
set -euo pipefail
wsfleet=$1 source_dir=$2 golden=$3
shift 4
cd "$source_dir"
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
"$wsfleet" "$@" > "$actual"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
  cp "$actual" "$golden"
  echo "updated $golden"
  exit 0
fi
if ! diff -u "$golden" "$actual"; then
  echo "output of 'wsfleet $*' differs from $golden (UPDATE_GOLDEN=1 rewrites it)" >&2
  exit 1
fi
