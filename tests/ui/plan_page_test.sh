#!/usr/bin/env bash
# The plan page in a real browser: Debian's headless Chromium, driven by playwright-core
# (pinned, installed into the build tree), against two live coordinators: one running a
# six-workstream plan on a real worker, one holding a 1,000-workstream plan. What is checked
# is in plan_page_test.cjs; screenshots and the measures go to BUILD_DIR/test-artifacts/ui.
# Usage: plan_page_test.sh WSFLEET SOURCE_DIR BUILD_DIR
source "$2/tests/integration/lib.sh"
build_dir=$3
artifacts=$build_dir/test-artifacts/ui
mkdir -p "$artifacts"
command -v chromium > /dev/null || { echo "FAIL: no /usr/bin/chromium (scripts/install-deps.sh installs it)"; exit 1; }
"$SOURCE_DIR/tests/ui/install.sh" "$build_dir" || { echo "FAIL: playwright-core not installed"; exit 1; }

# plan_card DIR ID NAME DURATION DEPENDENCIES SCRIPT [FIELD]
plan_card() {
  mkdir -p "$1"
  printf '# %s: %s\n\n**Duration**: %s\n**Dependencies**: %s\n%s\n\n## Test Commands\n\n```bash\n%s\n```\n' \
    "$2" "$3" "$4" "$5" "${7:-}" "$6" > "$1/$2.md"
}
# WS-01 → WS-02 → WS-04 is the critical path (3 days); WS-03 fails, so WS-05 is blocked.
plan_card "$TMP/small" WS-01 "Fetch the data" "1 day" None 'echo fetching; sleep 2'
plan_card "$TMP/small" WS-02 "Train the model" "1 day" WS-01 'for i in 1 2 3; do echo "epoch $i"; sleep 1; done'
plan_card "$TMP/small" WS-03 "Quantize" "1 day" WS-01 'sleep 1; echo "boom from WS-03"; exit 3'
plan_card "$TMP/small" WS-04 "Serve the model" "1 day" WS-02 'sleep 1; echo "METRIC throughput_rps=1200"' \
  $'## Acceptance Criteria\n\n- Throughput at least 1,000 req/s'
plan_card "$TMP/small" WS-05 "Benchmark the quantized model" "1 day" WS-03 'true'
# An agent's work: claude's stand-in (tests/agents/standin-agent), reporting turns and tokens.
plan_card "$TMP/small" WS-06 "Write the docs" "0.5 days" None 'sleep 1; grep -q "by claude" README.md' \
  $'**Agent Type**: `claude`\n\n## Objective\n\nstandin-write: README.md written by claude'
mkdir -p "$TMP/bin"
ln -s "$SOURCE_DIR/tests/agents/standin-agent" "$TMP/bin/claude"
# A second plan held beside it: its cards need a worker no one has, so they wait (READY).
for id in WS-31 WS-32 WS-33; do plan_card "$TMP/second" "$id" "Second plan's $id" "1 day" None 'true' '**Labels**: pool=elsewhere'; done

# 1,000 workstreams, each depending on one or two of the 30 before it (deterministic).
edges=0
for i in $(seq 1 1000); do
  deps=None
  if [ "$i" -gt 1 ]; then
    a=$(( i - 1 - (i * 7919 % 30) )); [ "$a" -lt 1 ] && a=1
    deps=$(printf 'WS-%04d' "$a"); edges=$((edges + 1))
    b=$(( i - 1 - (i * 104729 % 30) )); [ "$b" -lt 1 ] && b=1
    if [ "$b" -ne "$a" ] && [ $((i % 3)) -ne 0 ]; then deps="$deps, $(printf 'WS-%04d' "$b")"; edges=$((edges + 1)); fi
  fi
  plan_card "$TMP/big" "$(printf 'WS-%04d' "$i")" "Step $i" "1 day" "$deps" 'true'
done
echo "$edges" > "$TMP/big-edges"

small="unix:$TMP/small.sock"
big="unix:$TMP/big.sock"
"$WSFLEET" coordinator --listen "$small" --state "$TMP/state-small" --ui-addr 127.0.0.1:0 > "$TMP/small.log" 2>&1 &
PIDS+=($!)
"$WSFLEET" coordinator --listen "$big" --state "$TMP/state-big" --ui-addr 127.0.0.1:0 > "$TMP/big.log" 2>&1 &
PIDS+=($!)
check "coordinators serve their pages" wait_for 20 sh -c "grep -q 'plan page at' '$TMP/small.log' && grep -q 'plan page at' '$TMP/big.log'"
"$WSFLEET" submit --coordinator "$small" --keep-going "$TMP/small" > "$TMP/submit-small.out" 2>&1
check "the small plan submitted" [ $? -eq 0 ]
"$WSFLEET" submit --coordinator "$big" "$TMP/big" > "$TMP/submit-big.out" 2>&1
check "the 1,000-workstream plan submitted" [ $? -eq 0 ]

# A page on every address: `wsfleet ui` names one a browser can open. And none at all: it says so.
"$WSFLEET" coordinator --listen "unix:$TMP/any.sock" --state "$TMP/state-any" --ui-addr 0.0.0.0:0 > "$TMP/any.log" 2>&1 &
PIDS+=($!)
"$WSFLEET" coordinator --listen "unix:$TMP/off.sock" --state "$TMP/state-off" --ui-addr off > "$TMP/off.log" 2>&1 &
PIDS+=($!)
check "two more coordinators" wait_for 20 sh -c "grep -q 'listening on' '$TMP/any.log' && grep -q 'listening on' '$TMP/off.log'"
any_url=$("$WSFLEET" ui --coordinator "unix:$TMP/any.sock" 2> /dev/null)
check "on 0.0.0.0, the URL names 127.0.0.1 (over a unix socket)" sh -c "echo '$any_url' | grep -Eq '^http://127\.0\.0\.1:[0-9]+/login\?token='"
check "... and opens the page" sh -c "curl -s -o /dev/null -w '%{http_code}' '$any_url' | grep -qx 303"
"$WSFLEET" ui --coordinator "unix:$TMP/off.sock" > "$TMP/ui-off.out" 2>&1
check "--ui-addr off: wsfleet ui fails" [ $? -ne 0 ]
check "... saying there is no page" grep -q "serves no plan page" "$TMP/ui-off.out"
check "... and the coordinator logged none" sh -c "! grep -q 'plan page at' '$TMP/off.log'"
# Past 5,000 workstreams the page lays nothing out (dagre would hold the browser for a
# minute): one plan of 5,001 on the 0.0.0.0 coordinator.
awk 'BEGIN { print "# Too many to draw"; for (i = 1; i <= 5001; i++)
  printf "\n## WS-%d: Step %d\n\n**Duration**: 1 day\n**Dependencies**: None\n\n### Test Commands\n\n```sh\ntrue\n```\n", i, i }' \
  > "$TMP/huge.md"
"$WSFLEET" submit --coordinator "unix:$TMP/any.sock" "$TMP/huge.md" > "$TMP/submit-huge.out" 2>&1
check "the 5,001-workstream plan submitted" [ $? -eq 0 ]

SMALL=$small BIG=$big HUGE="unix:$TMP/any.sock" NODE_PATH="$build_dir/ui-tests/node_modules" \
  node "$SOURCE_DIR/tests/ui/plan_page_test.cjs" "$WSFLEET" "$TMP" "$artifacts" > "$TMP/browser.out" 2>&1 &
browser=$!
PIDS+=($browser)
if wait_for 60 test -f "$TMP/page-ready"; then
  PATH="$TMP/bin:$PATH" "$WSFLEET" worker --coordinator "$small" --id w1 --slots 2 --workdir "$TMP/work" \
    > "$TMP/worker.log" 2>&1 &
  PIDS+=($!)
fi
wait "$browser"
browser_rc=$?
cat "$TMP/browser.out"
check "the browser's checks (above)" [ "$browser_rc" -eq 0 ]
# Nothing in the coordinators' logs a page should not cause.
check "no errors logged by the coordinators" sh -c "! grep -E ' (error|critical) ' '$TMP/small.log' '$TMP/big.log'"
finish
