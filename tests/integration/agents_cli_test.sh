#!/usr/bin/env bash
# The shipped agent templates against stand-ins for the claude, codex and opencode CLIs
# (tests/agents/standin-agent, on PATH under those names): each agent's JSON events become
# the workstream's session, turns, tokens and cost; the card's steps then judge its work;
# a budget stops a spending agent (not retried), an idle timeout a stalled one (retried),
# and an agent's own error report is kept.
source "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/bin"
for name in claude codex opencode; do ln -s "$SOURCE_DIR/tests/agents/standin-agent" "$TMP/bin/$name"; done
export PATH="$TMP/bin:$PATH"

# agent_card ID AGENT OBJECTIVE STEP [FIELDS]
agent_card() {
  mkdir -p "$TMP/plan"
  cat > "$TMP/plan/$1.md" <<CARD
# $1: Card $1

**Duration**: 1 day
**Dependencies**: None
**Agent Type**: \`$2\`
${5:-}

## Objective

$3

## Test Commands

\`\`\`bash
$4
\`\`\`
CARD
}
agent_card WS-01 claude "standin-write: out/claude.txt made by claude" "grep -q 'made by claude' out/claude.txt"
agent_card WS-02 codex "standin-write: out/codex.txt made by codex" "grep -q 'made by codex' out/codex.txt"
agent_card WS-03 opencode "standin-write: out/opencode.txt made by opencode" "grep -q 'made by opencode' out/opencode.txt"
agent_card WS-04 claude "standin-mode: spend" "true" "**Budget**: 300k tokens, 30m
**Retries**: 2"
agent_card WS-05 opencode "standin-mode: stall" "true" "**Hang timeout**: 1s
**Retries**: 1"
agent_card WS-06 codex "standin-mode: fail" "true"
agent_card WS-07 claude "standin-mode: spend" "true"  # no Budget of its own: the config's
cat > "$TMP/config.yaml" <<'YAML'
budgets:
  workstream: 500k tokens
YAML
start=$SECONDS
"$WSFLEET" run "$TMP/plan" --workers 3 --keep-going --state "$TMP/state" --workdir "$TMP/work" \
  --config "$TMP/config.yaml" > "$TMP/run.out" 2>&1
code=$?
check "exit 1: four agents were stopped or failed (got $code)" [ "$code" -eq 1 ]
check "three succeeded" contains "$TMP/run.out" "3 succeeded, 4 failed"
check "bounded ($((SECONDS - start)) s)" [ $((SECONDS - start)) -lt 60 ]
report=$TMP/state/latest/report.json
agent() { jq -r ".workstreams[] | select(.id == \"$1\") | $2" "$report"; }
check "claude's session" [ "$(agent WS-01 .agent.session_id | cut -c1-15)" = standin-claude- ]
check "claude: tokens from its result" [ "$(agent WS-01 '.agent.input_tokens, .agent.output_tokens' | tr '\n' ' ')" = "2000 120 " ]
check "claude: cost" [ "$(agent WS-01 .agent.cost_usd)" = "0.015" ]
check "claude: turns and tool calls" [ "$(agent WS-01 '.agent.turns, .agent.tool_calls' | tr '\n' ' ')" = "2 2 " ]
check "codex: tokens summed over turns, no cost" [ "$(agent WS-02 '.agent.input_tokens, .agent.output_tokens, .agent.cost_usd' | tr '\n' ' ')" = "2000 120 null " ]
check "opencode: cost summed over steps" [ "$(agent WS-03 '.agent.cost_usd, .agent.turns' | tr '\n' ' ')" = "0.015 2 " ]
check "the agents' work passed the cards' steps" [ "$(agent WS-03 .state)" = SUCCEEDED ]
check "budget: stopped, not retried" [ "$(agent WS-04 '.state, .attempts' | tr '\n' ' ')" = "FAILED 1 " ]
check "budget: says which limit" sh -c "jq -r '.workstreams[3].message' '$report' | grep -qE 'stopped by its budget: [0-9]+ tokens > budget 300000'"
check "budget: the spend is on record" [ "$(agent WS-04 .agent.input_tokens)" -ge 300000 ]
check "the config's budget stops a card without one" sh -c "jq -r '.workstreams[6].message' '$report' | grep -qE 'stopped by its budget: [0-9]+ tokens > budget 500000'"
check "the agent's process is on record" [ "$(agent WS-01 .agent.pid)" -gt 1 ]
check "and how long it ran" [ "$(agent WS-01 '.agent.wall_seconds > 0')" = true ]
check "stall: killed, retried once, failed" [ "$(agent WS-05 '.state, .attempts' | tr '\n' ' ')" = "FAILED 2 " ]
check "stall: says so" sh -c "jq -r '.workstreams[4].message' '$report' | grep -q 'stalled: no output for 1 s'"
check "an agent's own error is kept" sh -c "jq -r '.workstreams[5].message' '$report' | grep -q 'the agent said: standin was told to fail'"
check "the plan's spend is summed in the report" [ "$(jq -r '.agents_spent.output_tokens >= 4*120' "$report")" = true ]
check "the summary names the session" sh -c "grep -q '^\*\*Agent session\*\*: standin-claude-' '$TMP'/state/latest/summaries/WS-01-COMPLETION_SUMMARY.md"
check "the transcript is the agent's JSON lines alone" sh -c \
  "t=\$(ls '$TMP'/state/latest/transcripts/WS-01/*.jsonl) && test -s \"\$t\" && ! grep -qv '^{' \"\$t\" && grep -q '\"type\":\"result\"' \"\$t\""
check "the raw event stream is in the attempt's log too" sh -c "grep -q '\"type\":\"result\"' '$TMP'/state/latest/logs/WS-01/*.log"
finish
