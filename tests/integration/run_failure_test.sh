#!/usr/bin/env bash
# A failed step blocks its dependents; without --keep-going nothing new starts; with it,
# independent work still runs. Exit codes: 1 when not all succeeded, 2 for a bad plan.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
card "$plan" WS-01 None "echo first"
card "$plan" WS-02 WS-01 "echo failing; exit 3" "**Priority**: P0"
card "$plan" WS-03 WS-02 "echo never"
card "$plan" WS-04 WS-01 "sleep 0.5; echo independent"
"$WSFLEET" run "$plan" --workers 1 --state "$TMP/s1" --workdir "$TMP/w" > "$TMP/out" 2>&1
code=$?
check "exit 1 on failure (got $code)" [ "$code" -eq 1 ]
check "WS-02 failed with its step" contains "$TMP/out" "test 1 ($plan/WS-02.md:9): exit 3"
check "WS-03 blocked" contains "$TMP/out" "blocked: WS-02 failed"
check "WS-04 not started" grep -qE "^WS-04 +Card WS-04 +READY" "$TMP/out"

"$WSFLEET" run "$plan" --workers 1 --state "$TMP/s2" --workdir "$TMP/w" --keep-going > "$TMP/out2" 2>&1
check "keep-going still exits 1" [ $? -eq 1 ]
check "keep-going runs WS-04" grep -qE "^WS-04 +Card WS-04 +SUCCEEDED" "$TMP/out2"

bad=$TMP/bad
card "$bad" WS-01 WS-09 "true"
"$WSFLEET" run "$bad" --state "$TMP/s3" > "$TMP/out3" 2>&1
check "bad plan exits 2" [ $? -eq 2 ]
check "bad plan names the line" contains "$TMP/out3" "WS-01.md:4: error: WS-01 depends on unknown workstream WS-09"

# A step that times out is killed and reported.
slow=$TMP/slow
card "$slow" WS-01 None "sleep 30" "**Timeout**: 1s"
start=$SECONDS
"$WSFLEET" run "$slow" --state "$TMP/s4" --workdir "$TMP/w" > "$TMP/out4" 2>&1
check "timeout exits 1" [ $? -eq 1 ]
check "timeout reported" contains "$TMP/out4" "after timeout"
check "timeout bounded" [ $((SECONDS - start)) -lt 20 ]
finish
