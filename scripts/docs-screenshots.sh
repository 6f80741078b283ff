#!/usr/bin/env bash
# Makes the screenshots docs/user-guide.md shows: the live terminal view of `wsfleet run` and
# the plan page, mid-run, for the example plan (examples/hello-fleet) and for a generated
# 100-workstream plan. The runs are real (local workers, a tmux pane for the terminal);
# Debian's Chromium takes the pictures (scripts/screenshot.cjs). Not part of `make test`.
# Usage: scripts/docs-screenshots.sh [BUILD_DIR]   (writes docs/images/*.png)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
wsfleet=$build/bin/wsfleet
out=$root/docs/images
mkdir -p "$out"
"$root/tests/ui/install.sh" "$build"
tmp=$(mktemp -d /tmp/wsfleet-shots.XXXXXX)
socket=wsfleet-docs-$$
trap 'tmux -L "$socket" kill-server 2> /dev/null || true; rm -rf "$tmp"' EXIT
shoot() { NODE_PATH="$build/ui-tests/node_modules" node "$root/scripts/screenshot.cjs" "$@"; }

# A plan of 100 workstreams in 10 waves, each depending on one or two of the wave before,
# each step printing its progress for 2-6 s (deterministic).
make_plan_100() {
  local dir=$1 i wave deps a b
  mkdir -p "$dir"
  for i in $(seq 1 100); do
    wave=$(( (i - 1) / 10 ))
    deps=None
    if [ "$wave" -gt 0 ]; then
      a=$(( (wave - 1) * 10 + 1 + (i * 7) % 10 )); b=$(( (wave - 1) * 10 + 1 + (i * 3) % 10 ))
      deps=$(printf 'WS-%03d' "$a"); [ "$a" -ne "$b" ] && deps="$deps, $(printf 'WS-%03d' "$b")"
    fi
    printf '# WS-%03d: %s %d\n\n**Duration**: %d days\n**Dependencies**: %s\n\n## Test Commands\n\n```bash\nfor s in $(seq 1 %d); do echo "step $s of %d"; sleep 1; done\n```\n' \
      "$i" "$(echo "Ingest Tokenize Train Evaluate Quantize Export Serve Benchmark Report Publish" | cut -d' ' -f$((wave + 1)))" \
      "$i" $(( 1 + i % 3 )) "$deps" $(( 2 + i % 5 )) $(( 2 + i % 5 )) > "$dir/$(printf 'WS-%03d' "$i").md"
  done
}

# shots NAME PLAN WORKERS: runs PLAN in a tmux pane, then pictures the pane and the page
# while work runs.
shots() {
  local name=$1 plan=$2 workers=$3 state=$tmp/$1/.wsfleet url i done total
  mkdir -p "$tmp/$name"
  # The default state directory (.wsfleet, here): what the screen says is what a user sees.
  tmux -L "$socket" new-session -d -s "$name" -x 110 -y 30 \
    "cd '$tmp/$name' && '$wsfleet' run '$plan' --workers $workers --workdir '$tmp/$name/work'; sleep 600"
  for i in $(seq 1 200); do [ -S "$state/coordinator.sock" ] && break; sleep 0.1; done
  url=$("$wsfleet" ui --coordinator "unix:$state/coordinator.sock")
  shoot page "$url" "$out/plan-page-$name.png" running &
  local page=$!
  # The terminal a third of the way or more, two or more workstreams running (else the last
  # screen with any running).
  for i in $(seq 1 240); do
    tmux -L "$socket" capture-pane -p -t "$name" > "$tmp/$name/screen.txt"
    if grep -q '^\[#*-*\]' "$tmp/$name/screen.txt"; then
      cp "$tmp/$name/screen.txt" "$tmp/$name/best.txt"
      read -r done total < <(sed -n 's|^\[[#-]*\] \([0-9]*\)/\([0-9]*\) .*|\1 \2|p' "$tmp/$name/screen.txt")
      [ "$(grep -c '^  WS-' "$tmp/$name/screen.txt")" -ge 2 ] && [ $((done * 3)) -ge "${total:-1}" ] && break
    fi
    sleep 0.25
  done
  shoot terminal "$tmp/$name/best.txt" "$out/terminal-$name.png"
  wait "$page"
  tmux -L "$socket" kill-session -t "$name"
  echo "docs/images/terminal-$name.png, docs/images/plan-page-$name.png"
}

# One worker: the example's steps take seconds, so in turn they leave time to look.
shots example "$root/examples/hello-fleet" 1
make_plan_100 "$tmp/plan-100"
shots 100 "$tmp/plan-100" 4
