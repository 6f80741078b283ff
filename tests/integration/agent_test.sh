#!/usr/bin/env bash
# Agents: a config maps an agent type to a command that runs before the card's steps,
# with the rendered prompt; the steps then judge what the agent left in the workspace.
source "$(dirname "$0")/lib.sh"
cat > "$TMP/config.yaml" <<'YAML'
agents:
  fake-agent: "echo agent working on {id}; head -n 1 {prompt} > agent-saw.txt; echo done by {id} >> agent-saw.txt"
YAML
plan=$TMP/plan
card "$plan" WS-01 None "grep -q 'WS-01: Card WS-01' agent-saw.txt && grep -q 'done by' agent-saw.txt" \
  "**Agent Type**: \`fake-agent\`"
card "$plan" WS-02 None "test ! -e never-here" "**Agent Type**: shell"  # no agent (an unknown type is refused: agent_types_test)
"$WSFLEET" run "$plan" --config "$TMP/config.yaml" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/out" 2>&1
code=$?
check "run with an agent exits 0 (got $code)" [ "$code" -eq 0 ]
check "agent ran first, in the workspace" contains "$TMP/w/agent-saw.txt" "# WS-01: Card WS-01"
check "agent transcript in the log" sh -c "grep -q 'agent working on WS-01' $TMP/s/latest/logs/WS-01/*.log"

printf 'agents:\n  x: [1, 2]\n' > "$TMP/bad.yaml"
"$WSFLEET" run "$plan" --config "$TMP/bad.yaml" --state "$TMP/s2" > "$TMP/bad.out" 2>&1
check "bad config exits 64" [ $? -eq 64 ]
check "bad config names file and line" contains "$TMP/bad.out" "bad.yaml:2:"
printf 'agnets:\n  x: y\n' > "$TMP/typo.yaml"
"$WSFLEET" run "$plan" --config "$TMP/typo.yaml" --state "$TMP/s3" > "$TMP/typo.out" 2>&1
check "unknown key is an error" contains "$TMP/typo.out" "typo.yaml:1: unknown key 'agnets'"
finish
