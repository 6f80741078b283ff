#!/usr/bin/env bash
# A step that is one plain command runs without its shell (the program is the step's own
# process, leading its process group); `steps.direct_exec: false` in the config keeps the
# shell for every step; a bad value is an error naming file and line.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
card "$plan" WS-01 None "cp /proc/self/stat stat.txt"
# In sh (dash forks for its command; bash would exec it).
sed -i 's/^```bash$/```sh/' "$plan/WS-01.md"
# leads_group FILE: the process that copied its /proc/self/stat is the child of the one that
# leads the step's process group (the worker's step guard): no shell in between.
leads_group() { read -r _ _ _ parent group _ < "$1" && [ "$parent" = "$group" ]; }
not() { ! "$@"; }

"$WSFLEET" run "$plan" --state "$TMP/s1" --workdir "$TMP/w1" > "$TMP/direct.out" 2>&1
check "runs (exit $?)" contains "$TMP/direct.out" "1 succeeded"
check "the program itself is the step's process (under its guard)" leads_group "$TMP/w1/stat.txt"

printf 'steps:\n  direct_exec: false\n' > "$TMP/shell.yaml"
"$WSFLEET" run "$plan" --config "$TMP/shell.yaml" --state "$TMP/s2" --workdir "$TMP/w2" > "$TMP/shell.out" 2>&1
check "runs with the shell (exit $?)" contains "$TMP/shell.out" "1 succeeded"
check "the shell runs under the guard, the program under the shell" not leads_group "$TMP/w2/stat.txt"

printf 'steps:\n  direct_exec: maybe\n' > "$TMP/bad.yaml"
"$WSFLEET" run "$plan" --config "$TMP/bad.yaml" --state "$TMP/s3" > "$TMP/bad.out" 2>&1
check "a bad value exits 64" [ $? -eq 64 ]
check "naming file and line" contains "$TMP/bad.out" "bad.yaml:2: steps.direct_exec is true or false"

# steps.env_passthrough: only the listed variables of the worker's reach a step; the
# fleet's own never do, listed or not (nor `wsfleet run`'s log token, in any process).
card "$TMP/envplan" WS-02 None 'env > env.txt; (cat /proc/[0-9]*/cmdline 2> /dev/null || true) | tr "\0" " " > cmdlines.txt; (cat /proc/[0-9]*/environ 2> /dev/null || true) | tr "\0" "\n" | grep "^WSFLEET_LOG_TOKEN=" > tokens.txt || true; echo ok'
printf 'steps:
  env_passthrough: [PATH, KEEP_ME, WSFLEET_JOIN_TOKEN]
' > "$TMP/env.yaml"
KEEP_ME=yes DROP_ME=no WSFLEET_JOIN_TOKEN=secret-token "$WSFLEET" run "$TMP/envplan" --config "$TMP/env.yaml" \
  --state "$TMP/s4" --workdir "$TMP/w4" > "$TMP/env.out" 2>&1
check "runs with a passthrough list (exit $?)" contains "$TMP/env.out" "1 succeeded"
check "a listed variable passes" grep -qx 'KEEP_ME=yes' "$TMP/w4/env.txt"
check "an unlisted one does not" sh -c "! grep -q '^DROP_ME=' '$TMP/w4/env.txt'"
check "nor a fleet secret, listed or not" sh -c "! grep -q 'secret-token' '$TMP/w4/env.txt'"
check "no command line on the machine holds a log token" sh -c "! grep -q -- '--log-token' '$TMP/w4/cmdlines.txt'"
check "and a worker's environment holds it wiped" sh -c "grep -q . '$TMP/w4/tokens.txt' && ! grep -qv '^WSFLEET_LOG_TOKEN=x*$' '$TMP/w4/tokens.txt'"
printf 'steps:
  env_passthrough: PATH
' > "$TMP/env-bad.yaml"
"$WSFLEET" run "$TMP/envplan" --config "$TMP/env-bad.yaml" --state "$TMP/s5" > "$TMP/env-bad.out" 2>&1
check "a passthrough that is not a list exits 64, naming file and line" \
  contains "$TMP/env-bad.out" "env-bad.yaml:2: steps.env_passthrough is a list of variable names"
finish
