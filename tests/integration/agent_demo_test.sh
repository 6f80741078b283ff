#!/usr/bin/env bash
# docs/agents.md's "Run your first agent plan" without a key, as written there:
# examples/agent-demo/try-scripted.sh runs the demo plan with the real CLIs against the
# scripted endpoint. The three cards merge in order, and what the plan's agents spent is
# what the endpoint served.
# Usage: agent_demo_test.sh WSFLEET SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
BUILD_DIR=$3
"$SOURCE_DIR/examples/agent-demo/try-scripted.sh" "$BUILD_DIR" "$TMP/demo" > "$TMP/demo.out" 2>&1
code=$?
check "the demo succeeds (exit $code)" [ "$code" -eq 0 ]
check "three succeeded" contains "$TMP/demo.out" "3 succeeded (done)"
merged=$(grep -A3 'what merged' "$TMP/demo.out" | sed -n 2,4p | awk '{print $2}' | tr '\n' ' ')
check "merged in order, newest first: $merged" [ "$merged" = "WS-03: WS-02: WS-01: " ]
report=$TMP/demo/state/latest/report.json
served() { jq -s "[.[] | select(.aux | not) | .$1] | add" "$TMP/demo/ledger.jsonl"; }
check "input tokens spent = served ($(served input))" [ "$(jq .agents_spent.input_tokens "$report")" = "$(served input)" ]
check "output tokens spent = served ($(served output))" [ "$(jq .agents_spent.output_tokens "$report")" = "$(served output)" ]
check "WS-01 was resumed once, its test fixed" [ "$(jq -r '.workstreams[0].attempts' "$report")" = 2 ]
check "the command WS-02 wrote works on the merged result" \
  sh -c "cd '$TMP/demo/repo' && git show \$(git branch --list 'wsfleet/*/integration' --format='%(refname:short)'):fizz.py > /dev/null"
finish
