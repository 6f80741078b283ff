#!/usr/bin/env bash
# The real claude, codex and opencode CLIs (pinned by tests/agents/clis, installed into the
# build tree) through wsfleet, against the scripted model endpoint on loopback
# (tests/agents/model_endpoint.py): each writes a module with its own file tool and runs a
# command; wsfleet's step finds the module wrong; the retry resumes the same session with the
# failure, and the CLI reads, rewrites and checks the module; the three merge in order under
# a dependent. The session, turns, tool calls, tokens and cost wsfleet records equal what
# the CLI printed and what the endpoint served, each request counted once across the resume.
# An agent that ends without the work fails its card's steps; a budget and a stall stop the
# real process tree.
# Usage: real_agents_test.sh WSFLEET SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/lib.sh"
BUILD_DIR=$3
"$SOURCE_DIR/tests/agents/clis/install.sh" "$BUILD_DIR" > "$TMP/install.log" 2>&1 ||
  { fail "installing the agent CLIs: $(tail -3 "$TMP/install.log")"; finish; }
export PATH="$BUILD_DIR/agent-clis/node_modules/.bin:$PATH"

# Per CLI: write calc_CLI.py wrong and run it; resumed with the failure, read it, write it
# right and check it.
calc_scenario() {
  jq -n --arg m "calc_$1" '{match: $m, turns: [
    {when: "previous attempt failed", do: [
      {read: ($m + ".py")},
      {write: ($m + ".py"), text: "def add(a, b):\n    return a + b\n"},
      {run: ("python3 -c '"'"'import " + $m + "; assert " + $m + ".add(2, 3) == 5'"'"' && echo fixed")},
      {say: "Fixed add."}]},
    {do: [
      {write: ($m + ".py"), text: "def add(a, b):\n    return a - b\n"},
      {run: ("python3 -c '"'"'import " + $m + "; print(" + $m + ".add(2, 3))'"'"'")},
      {say: "Wrote add."}]}]}'
}
others='[
  {"match": "lazy.txt", "turns": [{"do": [{"say": "All done, nothing to change."}]}]},
  {"match": "spender", "turns": [{"do": [
      {"run": "python3 -c '"'"'import time; time.sleep(986)'"'"' MARK", "background": true},
      {"run": "true", "usage": {"input": 400000, "cached": 0, "output": 10}, "repeat": true}]}]},
  {"match": "staller", "turns": [{"do": [{"stall": 120}]}]}]'
{ calc_scenario claude; calc_scenario codex; calc_scenario opencode; } | jq -s --argjson others "$others" \
  '{scenarios: (. + $others)}' > "$TMP/script.json"
# The spender's background command names this test's directory, to be found by it alone.
sed -i "s|MARK|$TMP|" "$TMP/script.json"
python3 "$SOURCE_DIR/tests/agents/model_endpoint.py" --script "$TMP/script.json" --ledger "$TMP/ledger.jsonl" \
  --port-file "$TMP/port" 2> "$TMP/endpoint.log" &
PIDS+=($!)
wait_for 10 test -s "$TMP/port" || { fail "the scripted endpoint did not start"; finish; }
source "$SOURCE_DIR/tests/agents/scripted_env.sh"
scripted_agents_env "$TMP/agents" "$(cat "$TMP/port")"

repo=$TMP/repo
git_repo "$repo"

# agent_card ID AGENT DEPENDENCIES OBJECTIVE STEP [FIELDS]
agent_card() {
  mkdir -p "$TMP/plan"
  cat > "$TMP/plan/$1.md" <<CARD
# $1: Card $1

**Duration**: 1 day
**Dependencies**: $3
**Agent Type**: \`$2\`
${6:-**Retries**: 1}

## Objective

$4

## Test Commands

\`\`\`bash
$5
\`\`\`
CARD
}
for cli in claude codex opencode; do
  n=$((${n:-0} + 1))
  agent_card "WS-0$n" "$cli" None "Write calc_$cli.py with add(a, b)." \
    "python3 -c 'import calc_$cli; assert calc_$cli.add(2, 3) == 5'"
done
# No agent: in a worktree of its own (--isolate worktree), started from the three merges.
card "$TMP/plan" WS-04 "WS-01, WS-02, WS-03" \
  'for m in calc_claude calc_codex calc_opencode; do python3 -c "import $m; assert $m.add(1, 1) == 2"; done'
agent_card WS-05 claude None "Write lazy.txt." "test -f lazy.txt" "**Retries**: 0"
agent_card WS-06 claude None "You are the spender." "true" "**Retries**: 0
**Budget**: 300k tokens, 5m"
agent_card WS-07 opencode None "You are the staller." "true" "**Retries**: 0
**Hang timeout**: 3s"

start=$SECONDS
"$WSFLEET" run "$TMP/plan" --workers 3 --keep-going --isolate worktree --workdir "$repo" --state "$TMP/state" > "$TMP/run.out" 2>&1
code=$?
check "exit 1: the lazy, spending and stalled agents failed (got $code)" [ "$code" -eq 1 ]
check "four succeeded, three failed" contains "$TMP/run.out" "4 succeeded, 3 failed"
check "bounded ($((SECONDS - start)) s)" [ $((SECONDS - start)) -lt 150 ]
report=$TMP/state/latest/report.json
ws() { jq -r ".workstreams[] | select(.id == \"$1\") | $2" "$report"; }
# served SCENARIO [PROMPTS] FIELD: what the endpoint served that scenario's CLI requests
# (not its own title requests, which no CLI reports), summed; PROMPTS 1: before the resume.
served() {
  jq -s --arg s "$1" --argjson p "$2" --arg f "$3" \
    '[.[] | select(.scenario == $s and (.aux | not) and ($p == 0 or .prompts == $p)) | .[$f]] | add // 0' \
    "$TMP/ledger.jsonl"
}
tool_requests() {
  jq -s --arg s "$1" '[.[] | select(.scenario == $s and .tool != null)] | length' "$TMP/ledger.jsonl"
}
transcripts() { ls "$TMP/state/latest/transcripts/$1/"*.jsonl 2>/dev/null | sort; }

n=0
for cli in claude codex opencode; do
  n=$((n + 1))
  id=WS-0$n
  scenario=calc_$cli
  check "$cli: succeeded on its second attempt" [ "$(ws $id '.state, .attempts' | tr '\n' ' ')" = "SUCCEEDED 2 " ]
  check "$cli: its module is on the integration branch, fixed" \
    sh -c "git -C '$repo' show \"\$(git -C '$repo' branch --list 'wsfleet/*/integration' --format='%(refname:short)'):calc_$cli.py\" | grep -q 'a + b'"
  check "$cli: the retry resumed the session (the endpoint saw both prompts in one conversation)" \
    [ "$(jq -s --arg s "$scenario" '[.[] | select(.scenario == $s and .prompts == 2)] | length' "$TMP/ledger.jsonl")" -ge 4 ]
  sessions=$(cat $(transcripts $id) | grep -ohE '"(session_id|thread_id|sessionID)":"[^"]+"' | sort -u | wc -l)
  check "$cli: one session over both attempts ($sessions)" [ "$sessions" -eq 1 ]
  check "$cli: the report names it" [ -n "$(ws $id .agent.session_id)" ]
  for field in input cached output; do
    key=$([ $field = input ] && echo input_tokens || ([ $field = cached ] && echo cached_input_tokens || echo output_tokens))
    total=$(served "$scenario" 0 $field)
    second=$(served "$scenario" 2 $field)
    check "$cli: $field tokens over both attempts = served ($total)" [ "$(ws $id ".agent_spent.$key")" = "$total" ]
    check "$cli: $field tokens of the resumed attempt = served after the resume ($second)" \
      [ "$(ws $id ".agent.$key")" = "$second" ]
  done
  requests=$(jq -s --arg s "$scenario" '[.[] | select(.scenario == $s and (.aux | not))] | length' "$TMP/ledger.jsonl")
  check "$cli: turns = model requests ($requests)" [ "$(ws $id .agent_spent.turns)" = "$requests" ]
  check "$cli: tool calls = the tools called ($(tool_requests "$scenario"))" \
    [ "$(ws $id .agent_spent.tool_calls)" = "$(tool_requests "$scenario")" ]
done

# What the CLIs themselves printed, from the attempts' transcripts.
claude_printed=$(cat $(transcripts WS-01) | jq -s '[.[] | select(.type == "result")]')
check "claude: tokens = its results' usage, summed" [ "$(ws WS-01 .agent_spent.input_tokens)" = \
  "$(jq '[.[].usage | .input_tokens + .cache_creation_input_tokens + .cache_read_input_tokens] | add' <<< "$claude_printed")" ]
check "claude: turns = its results' num_turns, summed" \
  [ "$(ws WS-01 .agent_spent.turns)" = "$(jq '[.[].num_turns] | add' <<< "$claude_printed")" ]
check "claude: tool calls = the tool_use blocks it printed" [ "$(ws WS-01 .agent_spent.tool_calls)" = \
  "$(cat $(transcripts WS-01) | jq -s '[.[] | select(.type == "assistant") | .message.content[] | select(.type == "tool_use")] | length')" ]
check "claude: cost over both attempts = the session's cost it printed last" \
  [ "$(ws WS-01 '.agent_spent.cost_usd * 1e6 | round')" = "$(jq '.[-1].total_cost_usd * 1e6 | round' <<< "$claude_printed")" ]
check "claude: the resumed attempt's cost = the difference" \
  [ "$(ws WS-01 '.agent.cost_usd * 1e6 | round')" = "$(jq '(.[-1].total_cost_usd - .[0].total_cost_usd) * 1e6 | round' <<< "$claude_printed")" ]
codex_printed=$(cat $(transcripts WS-02) | jq -s '[.[] | select(.type == "turn.completed")][-1].usage')
check "codex: tokens = its last thread total" [ "$(ws WS-02 .agent_spent.input_tokens)" = "$(jq .input_tokens <<< "$codex_printed")" ]
check "codex: reports no cost" [ "$(ws WS-02 .agent_spent.cost_usd)" = null ]
check "codex: tool calls = the command and file-change items it printed" [ "$(ws WS-02 .agent_spent.tool_calls)" = \
  "$(cat $(transcripts WS-02) | jq -s '[.[] | select(.type == "item.completed" and (.item.type == "command_execution" or .item.type == "file_change"))] | length')" ]
opencode_printed=$(cat $(transcripts WS-03) | jq -s '{steps: [.[] | select(.type == "step_start")] | length,
  tools: [.[] | select(.type == "tool_use")] | length,
  input: [.[] | select(.type == "step_finish") | .part.tokens | .input + .cache.read + .cache.write] | add}')
check "opencode: turns, tool calls and input tokens = its steps, tool uses and step tokens ($opencode_printed)" \
  [ "$(ws WS-03 '[.agent_spent.turns, .agent_spent.tool_calls, .agent_spent.input_tokens] | join(" ")')" = \
    "$(jq -r '[.steps, .tools, .input] | join(" ")' <<< "$opencode_printed")" ]
opencode_cost=$(cat $(transcripts WS-03) | jq -s '[.[] | select(.type == "step_finish") | .part.cost] | add * 1e6 | round')
check "opencode: cost = its steps' costs, summed ($opencode_cost µ\$)" [ "$(ws WS-03 '.agent_spent.cost_usd * 1e6 | round')" = "$opencode_cost" ]
check "opencode: a cost was reported" [ "$opencode_cost" -gt 0 ]

integration=$(git -C "$repo" branch --list 'wsfleet/*/integration' --format='%(refname:short)')
check "the three merged on the integration branch" [ "$(git -C "$repo" log --format=%s "$integration" | grep -c '^WS-0[123]:')" -eq 3 ]
check "the dependent started from all three merges: its step imports each" [ "$(ws WS-04 .state)" = SUCCEEDED ]

check "an agent that did nothing fails its card's steps" [ "$(ws WS-05 .state)" = FAILED ]
check "and says which step" sh -c "jq -r '.workstreams[] | select(.id == \"WS-05\") | .message' '$report' | grep -q 'exit 1'"
check "budget: the real claude stopped by its budget" sh -c \
  "jq -r '.workstreams[] | select(.id == \"WS-06\") | .message' '$report' | grep -qE 'stopped by its budget: [0-9]+ tokens > budget 300000'"
check "budget: not retried" [ "$(ws WS-06 .attempts)" = 1 ]
check "stall: the real opencode stopped as stalled" sh -c \
  "jq -r '.workstreams[] | select(.id == \"WS-07\") | .message' '$report' | grep -q 'stalled: no output for 3 s'"
for id in WS-06 WS-07; do
  pid=$(ws $id .agent.pid)
  check "$id: its agent's process is gone (pid ${pid:-none})" sh -c "[ -n '$pid' ] && [ '$pid' != null ] && ! kill -0 '$pid' 2>/dev/null"
done
check "budget: the command the agent started in the background is gone with it" \
  sh -c "! pgrep -f 'time.sleep[(]986[)]. $TMP' > /dev/null"
finish
