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
check "log of WS-01 has its metric" contains "$(ls "$TMP"/state/latest/logs/WS-01/*.log)" "METRIC tools_missing=0"
check "deliverable made in the workdir" [ -f "$TMP/work/out/tools.txt" ]
summary=$TMP/state/latest/summaries/WS-03-COMPLETION_SUMMARY.md
check "completion summary written" contains "$summary" "# WS-03: Tokenizer - Completion Summary"
check "criterion judged from a metric" contains "$summary" "✅ PASS (Functional) A known sentence yields exactly its words"
check "criterion left for review" contains "$summary" "⬜ UNVERIFIED (Functional) Upper case is folded"
check "deliverable found" contains "$summary" '`bin/tokenize`: ✅ found'
check "pytest's tests counted" grep -qE "^WS-03 .*SUCCEEDED +1 +local-[0-9] +3/3" "$TMP/out"
check "GoogleTest's tests through ctest counted" grep -qE "^WS-08 .*SUCCEEDED +1 +local-[0-9] +3/3" "$TMP/out"
check "a criterion in prose judged" contains "$summary" "✅ PASS (Performance) 10,000 lines tokenize in under 2 s — tokenize_seconds ="
check "coverage judged from coverage.py's report" contains "$TMP/state/latest/summaries/WS-04-COMPLETION_SUMMARY.md" \
  "✅ PASS (Quality) Test coverage ≥ 80% — coverage_line_percent = 100 %"
check "skipped card has a summary" contains "$TMP/state/latest/summaries/WS-02-COMPLETION_SUMMARY.md" "skipped"
check "run report" contains "$TMP/state/latest/report.md" "every workstream succeeded or was skipped"
check "run report json" contains "$TMP/state/latest/report.json" '"succeeded": true'
# A finished run in the same state directory: a new submission replaces it.
"$WSFLEET" run examples/hello-fleet --workers 1 --state "$TMP/state" --workdir "$TMP/work" \
  --metrics-addr 127.0.0.1:0 > "$TMP/out2" 2>&1
check "second run on the same state exits 0" [ $? -eq 0 ]
check "run --metrics-addr logs the coordinator's metrics address" \
  grep -qE '^wsfleet run: coordinator metrics at http://127\.0\.0\.1:[1-9][0-9]*/metrics$' "$TMP/out2"
check "its worker serves its own on a free port" \
  grep -qE 'local-1 metrics at http://127\.0\.0\.1:[1-9][0-9]*/metrics$' "$TMP/state/workers/local-1.log"
finish
