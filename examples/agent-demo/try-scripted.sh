#!/usr/bin/env bash
# Runs this plan with the real claude, codex and opencode CLIs against the scripted model
# endpoint (tests/agents/model_endpoint.py on 127.0.0.1: no key, no network, no cost).
# Usage: examples/agent-demo/try-scripted.sh [BUILD_DIR] [DIR]
#   BUILD_DIR  where `make build` put wsfleet (default: build)
#   DIR        a new directory for the repository, state and the CLIs' own files
#              (default: a new one under /tmp); it is kept, to look at afterwards
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
dir=${2:-$(mktemp -d /tmp/wsfleet-agent-demo.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

"$source_dir/tests/agents/clis/install.sh" "$build"  # the pinned CLIs, once
export PATH="$build/agent-clis/node_modules/.bin:$PATH"

python3 "$source_dir/tests/agents/model_endpoint.py" --script "$source_dir/examples/agent-demo/model-script.json" \
  --ledger "$dir/ledger.jsonl" --port-file "$dir/port" 2> "$dir/endpoint.log" &
endpoint=$!
trap 'kill $endpoint 2> /dev/null' EXIT
for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { echo "the scripted endpoint did not start: $(cat "$dir/endpoint.log")" >&2; exit 1; }
source "$source_dir/tests/agents/scripted_env.sh"
scripted_agents_env "$dir/agents" "$(cat "$dir/port")"

# The repository the agents work in: each card in a worktree, merged back in order.
git init -q -b main "$dir/repo"
git -C "$dir/repo" -c user.email=demo@wsfleet -c user.name=demo commit -q --allow-empty -m "empty start"

code=0
"$build/bin/wsfleet" run "$source_dir/examples/agent-demo/plan" --workers 2 --workdir "$dir/repo" \
  --state "$dir/state" || code=$?
integration=$(git -C "$dir/repo" branch --list 'wsfleet/*/integration' --format='%(refname:short)')
echo
echo "what merged, on $integration:"
git -C "$dir/repo" log --format='  %h %s' "$integration"
echo "what the scripted model served: $(jq -s '[.[] | select(.aux | not)] | length' "$dir/ledger.jsonl") requests," \
  "$(jq -s '[.[] | select(.aux | not) | .input] | add' "$dir/ledger.jsonl") tokens in," \
  "$(jq -s '[.[] | select(.aux | not) | .output] | add' "$dir/ledger.jsonl") out"
echo "report: $dir/state/latest/report.json; summaries: $dir/state/latest/summaries; transcripts: $dir/state/latest/transcripts"
exit $code
