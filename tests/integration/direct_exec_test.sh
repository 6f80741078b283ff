#!/usr/bin/env bash
# A step that is one plain command runs without its shell (the program is the step's own
# process, leading its process group); `steps.direct_exec: false` in the config keeps the
# shell for every step; a bad value is an error naming file and line.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
card "$plan" WS-01 None "cp /proc/self/stat stat.txt"
# In sh (dash forks for its command; bash would exec it).
sed -i 's/^```bash$/```sh/' "$plan/WS-01.md"
# leads_group FILE: the process that copied its /proc/self/stat led its process group.
leads_group() { read -r pid _ _ _ group _ < "$1" && [ "$pid" = "$group" ]; }
not() { ! "$@"; }

"$WSFLEET" run "$plan" --state "$TMP/s1" --workdir "$TMP/w1" > "$TMP/direct.out" 2>&1
check "runs (exit $?)" contains "$TMP/direct.out" "1 succeeded"
check "the program itself is the step's process" leads_group "$TMP/w1/stat.txt"

printf 'steps:\n  direct_exec: false\n' > "$TMP/shell.yaml"
"$WSFLEET" run "$plan" --config "$TMP/shell.yaml" --state "$TMP/s2" --workdir "$TMP/w2" > "$TMP/shell.out" 2>&1
check "runs with the shell (exit $?)" contains "$TMP/shell.out" "1 succeeded"
check "the shell is the step's process, the program its child" not leads_group "$TMP/w2/stat.txt"

printf 'steps:\n  direct_exec: maybe\n' > "$TMP/bad.yaml"
"$WSFLEET" run "$plan" --config "$TMP/bad.yaml" --state "$TMP/s3" > "$TMP/bad.out" 2>&1
check "a bad value exits 64" [ $? -eq 64 ]
check "naming file and line" contains "$TMP/bad.out" "bad.yaml:2: steps.direct_exec is true or false"
finish
