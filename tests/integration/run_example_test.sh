#!/usr/bin/env bash
# wsfleet run: the example plan on 3 local workers, end to end, then again (resumable state).
source "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"
"$WSFLEET" run examples/hello-fleet --workers 3 --state "$TMP/state" --workdir "$TMP/work" \
  > "$TMP/out" 2>&1
code=$?
check "run exits 0 (got $code)" [ "$code" -eq 0 ]
check "ten succeeded, one skipped" contains "$TMP/out" "10 succeeded, 1 skipped (done)"
check "WS-02 skipped as complete" contains "$TMP/out" "WS-02 SKIPPED: card says"
check "work spread over workers" contains "$TMP/out" "local-2"
check "log of WS-01 has its metric" contains "$(ls "$TMP"/state/logs/WS-01/*.log)" "METRIC tools_missing=0"
check "deliverable made in the workdir" [ -f "$TMP/work/out/tools.txt" ]
# A finished run in the same state directory: a new submission replaces it.
"$WSFLEET" run examples/hello-fleet --workers 1 --state "$TMP/state" --workdir "$TMP/work" \
  > "$TMP/out2" 2>&1
check "second run on the same state exits 0" [ $? -eq 0 ]
finish
