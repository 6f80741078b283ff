#!/usr/bin/env bash
# Agent types wsfleet does not know (the seed template's style: `backend-architect`): a
# warning naming the card's line in `wsfleet plan`, an error in `wsfleet run` (no agent
# would run, and the card's steps alone would pass for its work), unless the config maps the
# role to an agent, which then runs (the stand-in for claude here).
source "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/bin" "$TMP/plan"
ln -s "$SOURCE_DIR/tests/agents/standin-agent" "$TMP/bin/claude"
export PATH="$TMP/bin:$PATH"
cat > "$TMP/plan/WS-01.md" <<'CARD'
# WS-01: Service

**Duration**: 1 day
**Agent Type**: `backend-architect`

## Objective

standin-write: out/service.txt written by the mapped agent

## Test Commands

```bash
grep -q 'written by the mapped agent' out/service.txt
```
CARD
printf 'agents:\n  backend-architect: claude\n' > "$TMP/config.yaml"

"$WSFLEET" plan "$TMP/plan" > "$TMP/plan.out" 2> "$TMP/plan.err"
check "plan: a warning, not an error (exit $?)" [ $? -eq 0 ]
check "plan: names the card's line and the type" \
  contains "$TMP/plan.err" "WS-01.md:4: warning: **Agent Type**: 'backend-architect' is no agent wsfleet knows"
check "plan: says how to map it" contains "$TMP/plan.err" "backend-architect: claude"
"$WSFLEET" plan --config "$TMP/config.yaml" "$TMP/plan" > "$TMP/plan2.out" 2> "$TMP/plan2.err"
check "plan --config: mapped, no warning" sh -c "! grep -q 'no agent wsfleet knows' '$TMP/plan2.err'"

"$WSFLEET" run "$TMP/plan" --workers 1 --state "$TMP/state" --workdir "$TMP/work" > "$TMP/run.out" 2>&1
code=$?
check "run: refused as an invalid plan (exit $code)" [ "$code" -eq 2 ]
check "run: the error names the card's line" contains "$TMP/run.out" "WS-01.md:4: error: **Agent Type**: 'backend-architect'"
check "run: nothing was started" [ ! -e "$TMP/state/wsfleet.db" ]

"$WSFLEET" run "$TMP/plan" --workers 1 --state "$TMP/state" --workdir "$TMP/work" --config "$TMP/config.yaml" \
  > "$TMP/run2.out" 2>&1
code=$?
check "run --config: the mapped agent did the work (exit $code)" [ "$code" -eq 0 ]
check "run --config: it was claude's template" \
  [ "$(jq -r '.workstreams[0].agent.session_id' "$TMP/state/latest/report.json" | cut -c1-15)" = standin-claude- ]

# A known agent whose CLI no worker has: not placed, and the reason names the CLI's label.
mkdir -p "$TMP/plan3"
sed -e 's/`backend-architect`/`opencode`/' "$TMP/plan/WS-01.md" > "$TMP/plan3/WS-01.md"
PATH="$TMP/bin:/usr/bin:/bin" "$WSFLEET" run "$TMP/plan3" --workers 1 --state "$TMP/state3" --workdir "$TMP/work3" \
  > "$TMP/run3.out" 2>&1
check "no worker has opencode: the card fails saying so" \
  [ "$(jq -r '.workstreams[0].message' "$TMP/state3/latest/report.json")" = "cannot be placed: no worker has the labels agent.opencode" ]

# A claude older than the template needs: refused, with the version it needs.
sed -e 's/`backend-architect`/`claude`/' "$TMP/plan/WS-01.md" > "$TMP/plan3/WS-01.md"
STANDIN_VERSION=2.0.5 "$WSFLEET" run "$TMP/plan3" --workers 1 --state "$TMP/state4" --workdir "$TMP/work4" \
  > "$TMP/run4.out" 2>&1
message=$(jq -r '.workstreams[0].message' "$TMP/state4/latest/report.json")
check "an old claude: refused with the version it needs ($message)" \
  sh -c "echo \"\$1\" | grep -qE 'no worker has the labels agent.claude; local-1 has agent.claude 2.0.5 < 2.1.0'" _ "$message"
check "and the worker said so in its log" sh -c "grep -q \"agent claude: version 2.0.5 is older than the 2.1.0\" $TMP/state4/workers/*.log"

# A configured agent whose command is missing: placed (it is not checked), and the message
# says what was not found, with the card's line.
printf 'agents:\n  backend-architect: missing-agent-cli --task {prompt}\n' > "$TMP/missing.yaml"
"$WSFLEET" run "$TMP/plan" --workers 1 --state "$TMP/state5" --workdir "$TMP/work5" --config "$TMP/missing.yaml" \
  > "$TMP/run5.out" 2>&1
message=$(jq -r '.workstreams[0].message' "$TMP/state5/latest/report.json")
expected="agent backend-architect ($TMP/plan/WS-01.md:1): exit 127: 'missing-agent-cli' was not found on this worker's PATH"
check "a missing command: named in the message ($message)" [ "${message#"$expected"}" != "$message" ]
finish
