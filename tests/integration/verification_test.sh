#!/usr/bin/env bash
# wsfleet, not the agent, decides when a workstream is done (issue 15): the real pytest
# whose failure a step hides with `|| true`, a deliverable nobody created, criteria left
# unverified under --require-verified, and the config's and card's say in it.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
mkdir -p "$TMP/w/tests"
cat > "$TMP/w/tests/test_math.py" <<'PY'
def test_adds():
    assert 1 + 1 == 2

def test_divides():
    assert 7 // 2 == 4
PY
# The step exits 0 whatever pytest found: only the parsed results can fail it.
card "$plan" WS-01 None "/usr/bin/python3 -m pytest -v -p no:cacheprovider tests/test_math.py || true"
"$WSFLEET" run "$plan" --workers 1 --state "$TMP/s1" --workdir "$TMP/w" > "$TMP/out" 2>&1
code=$?
check "a hidden pytest failure fails the run (exit $code)" [ "$code" -eq 1 ]
check "it names the failed test" contains "$TMP/out" "1 test failed: tests/test_math.py.test_divides"
check "the summary counts both" contains "$TMP/s1/latest/summaries/WS-01-COMPLETION_SUMMARY.md" "- Tests: 1 passed, 1 failed"

# lenient (the config's) keeps the old rule: the steps passed.
printf 'verification: lenient\n' > "$TMP/lenient.yaml"
"$WSFLEET" run "$plan" --workers 1 --state "$TMP/s2" --workdir "$TMP/w" --config "$TMP/lenient.yaml" > "$TMP/out2" 2>&1
check "verification: lenient succeeds (exit $?)" grep -qE "^WS-01 .*SUCCEEDED" "$TMP/out2"
# ... and a flag wins over the config.
"$WSFLEET" run "$plan" --workers 1 --state "$TMP/s3" --workdir "$TMP/w" --config "$TMP/lenient.yaml" \
  --verification default > "$TMP/out3" 2>&1
check "--verification default wins over the config" grep -qE "^WS-01 .*FAILED" "$TMP/out3"

# A deliverable the card names but no step created.
missing=$TMP/missing
card "$missing" WS-01 None "mkdir -p out && echo made > out/made.txt" \
  "$(printf '\n## Deliverables\n- Made: `out/made.txt`\n- Report: `out/report.txt`\n')"
"$WSFLEET" run "$missing" --workers 1 --state "$TMP/s4" --workdir "$TMP/w4" > "$TMP/out4" 2>&1
check "a missing deliverable fails it" contains "$TMP/out4" "deliverable missing: out/report.txt"
summary=$TMP/s4/latest/summaries/WS-01-COMPLETION_SUMMARY.md
check "the summary marks it missing" contains "$summary" '`out/report.txt`: ❌ missing'
check "and the other found" contains "$summary" '`out/made.txt`: ✅ found'

# A criterion nobody can check: fine by default, a failure under --require-verified.
unchecked=$TMP/unchecked
card "$unchecked" WS-01 None "true" "$(printf '\n## Acceptance Criteria\n- Reviewed by a person\n')"
"$WSFLEET" run "$unchecked" --workers 1 --state "$TMP/s5" --workdir "$TMP/w" > "$TMP/out5" 2>&1
check "unverified passes by default (exit $?)" grep -qE "^WS-01 .*SUCCEEDED" "$TMP/out5"
"$WSFLEET" run "$unchecked" --workers 1 --state "$TMP/s6" --workdir "$TMP/w" --require-verified > "$TMP/out6" 2>&1
check "--require-verified fails it" contains "$TMP/out6" "not verified (--require-verified): Reviewed by a person"
printf 'verification:\n  require_verified: true\n' > "$TMP/strict.yaml"
"$WSFLEET" run "$unchecked" --workers 1 --state "$TMP/s7" --workdir "$TMP/w" --config "$TMP/strict.yaml" > "$TMP/out7" 2>&1
check "require_verified in the config fails it" contains "$TMP/out7" "not verified (--require-verified)"

# Bad input: errors that name the place, nothing run.
printf 'verification: sloppy\n' > "$TMP/bad.yaml"
"$WSFLEET" run "$plan" --state "$TMP/s8" --workdir "$TMP/w" --config "$TMP/bad.yaml" > "$TMP/out8" 2>&1
check "a bad config value is a usage error ($?)" contains "$TMP/out8" "bad.yaml:1: verification: 'sloppy' is not lenient, default or strict"
"$WSFLEET" run "$plan" --state "$TMP/s9" --workdir "$TMP/w" --verification strict --require-verified > /dev/null 2>&1
check "agreeing flags are fine" [ $? -eq 1 ]
"$WSFLEET" run "$plan" --state "$TMP/s10" --workdir "$TMP/w" --verification lenient --require-verified > "$TMP/out10" 2>&1
check "contradicting flags are a usage error" contains "$TMP/out10" "--require-verified contradicts --verification lenient"
loose=$TMP/loose
card "$loose" WS-01 None "true" "**Verification**: lenient"
"$WSFLEET" run "$loose" --state "$TMP/s11" --workdir "$TMP/w" > "$TMP/out11" 2>&1
check "a card cannot loosen verification (exit $?)" contains "$TMP/out11" "WS-01.md:5: error: **Verification**: 'lenient' is not strict or default"
finish
