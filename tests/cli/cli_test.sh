#!/usr/bin/env bash
# Behaviour of the wsfleet binary as a user sees it: exit codes, messages, --help.
# Usage: cli_test.sh WSFLEET SOURCE_DIR
set -uo pipefail
wsfleet=$1
cd "$2"
failures=0
passes=0

# expect CODE DESCRIPTION -- COMMAND...: runs COMMAND, checks its exit code.
expect() {
  local want=$1 what=$2
  shift 3
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, wanted $want"; echo "$out" | head -20; failures=$((failures + 1))
  else
    passes=$((passes + 1))
  fi
}

# contains TEXT DESCRIPTION: the last command's output must contain TEXT.
contains() {
  if ! grep -qF -- "$1" <<<"$out"; then
    echo "FAIL: $2: output lacks '$1'"; echo "$out" | head -20; failures=$((failures + 1))
  else
    passes=$((passes + 1))
  fi
}

expect 0 "plan on the example" -- "$wsfleet" plan examples/hello-fleet
contains "critical path (*): WS-01" "plan summary"
expect 2 "plan with errors" -- "$wsfleet" plan tests/data/malformed/many-errors
contains "plan.md:7: error: WS-02 depends on unknown workstream WS-09" "unknown dependency"
contains "6 errors in the plan" "every error reported"
expect 2 "json output still exits 2 on errors" -- "$wsfleet" plan -o json tests/data/malformed/cycle
contains '"errors": [' "errors in json"
expect 2 "missing path" -- "$wsfleet" plan does/not/exist
contains "does/not/exist: error: no such file or directory" "missing path message"
expect 2 "folder without cards" -- "$wsfleet" plan tests/data/no-cards
contains "no workstream cards found" "empty plan message"
expect 2 "graph refuses an invalid plan" -- "$wsfleet" graph tests/data/malformed/cycle
expect 64 "unknown output format" -- "$wsfleet" plan -o yaml examples/hello-fleet
expect 64 "unknown command" -- "$wsfleet" frobnicate
expect 64 "no command" -- "$wsfleet"
expect 64 "plan without paths" -- "$wsfleet" plan
expect 0 "version" -- "$wsfleet" version
contains "wsfleet 0." "version line"
expect 0 "--version" -- "$wsfleet" --version
for command in plan graph version; do
  expect 0 "$command --help" -- "$wsfleet" "$command" --help
  contains "Usage" "$command help text"
done
expect 0 "--help" -- "$wsfleet" --help
for command in plan graph version; do contains "$command" "top-level help lists $command"; done
contains "68 no coordinator answered" "help names the exit code for an unreachable coordinator"
contains "75 coordinator busy" "... and for a busy one"
expect 0 "verbose lists ignored files" -- "$wsfleet" plan -v examples/hello-fleet
contains "README.md: ignored (no workstream ID)" "verbose ignored file"
contains "COMPLETION_SUMMARY.md: ignored (completion summary)" "verbose completion summary"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
