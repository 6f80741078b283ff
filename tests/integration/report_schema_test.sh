#!/usr/bin/env bash
# report.json and `status -o json` speak the same facts as the summary (issue 15): each
# criterion's verdict with its metric, value and wanted comparison, each deliverable,
# coverage and the reasons a workstream failed; report.json validates against
# docs/report.schema.json.
source "$(dirname "$0")/lib.sh"
/usr/bin/python3 -c 'import jsonschema' || { echo "FAIL: python3-jsonschema is not installed"; exit 1; }
plan=$TMP/plan
card "$plan" WS-01 None "mkdir -p out && echo x > out/a.txt && echo 'METRIC p99_latency_ms=75'
printf '<coverage line-rate=\"0.9\" branch-rate=\"0.5\" branches-valid=\"4\"></coverage>' > coverage.xml" \
  "$(printf '\n## Deliverables\n- `out/a.txt`\n- `out/missing.txt`\n\n## Acceptance Criteria\n- p99 latency < 50 ms\n- Test coverage ≥ 80%%\n- Reviewed by a person\n')"
card "$plan" WS-02 WS-01 "true"
"$WSFLEET" run "$plan" --workers 1 --state "$TMP/s" --workdir "$TMP/w" > "$TMP/out" 2>&1
check "the run fails as it should (exit $?)" grep -qE "^WS-01 .*FAILED" "$TMP/out"
report=$TMP/s/latest/report.json
check "report.json validates against its schema" /usr/bin/python3 -c "
import json, sys, jsonschema
schema = json.load(open('$SOURCE_DIR/docs/report.schema.json'))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(json.load(open('$report')), schema, cls=jsonschema.Draft202012Validator)"
ws='.workstreams[0]'
check "a failed criterion with its metric, value and wanted" \
  [ "$(jq -c "$ws.criteria[0] | [.verdict, .metric, .value, .wanted]" "$report")" = '["FAIL","p99_latency_ms",75,"< 50 ms"]' ]
check "coverage judged" [ "$(jq -r "$ws.criteria[1].verdict" "$report")" = PASS ]
check "an unverified one says why" [ "$(jq -r "$ws.criteria[2].verdict" "$report")" = UNVERIFIED ]
check "deliverables checked, a file's lines counted" \
  [ "$(jq -c "[$ws.deliverables[] | [.path, .exists, .lines]]" "$report")" = '[["out/a.txt",true,1],["out/missing.txt",false,null]]' ]
check "coverage from the report" [ "$(jq -c "$ws.coverage" "$report")" = '{"line_percent":90,"branch_percent":50}' ]
check "the reasons it failed" [ "$(jq -r "$ws.verdict_reasons | join(\" / \")" "$report")" = \
  "deliverable missing: out/missing.txt / acceptance criteria failed: p99_latency_ms = 75 ms (wanted < 50 ms)" ]
check "a blocked one has nothing checked" [ "$(jq -c '.workstreams[1] | [.criteria, .verdict_reasons, .coverage]' "$report")" = '[[],[],null]' ]

# A coordinator opening the same state answers status -o json with the same facts.
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
"$WSFLEET" status -o json --coordinator "unix:$TMP/s/coordinator.sock" > "$TMP/status.json" 2> "$TMP/status.err"
check "status -o json answers" [ $? -eq 0 ]
for field in criteria deliverables coverage verdict_reasons; do
  check "status says the same $field as the report" \
    [ "$(jq -c "$ws.$field" "$TMP/status.json")" = "$(jq -c "$ws.$field" "$report")" ]
done
finish
