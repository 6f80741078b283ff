#!/usr/bin/env bash
# Coverage from real tools judged against "Test coverage ≥ 80%" (issue 15): gcc --coverage
# with gcovr (Cobertura XML, and its JSON summary), and coverage.py (JSON, and lcov), above
# the line and below it.
source "$(dirname "$0")/lib.sh"
command -v gcovr > /dev/null || { echo "FAIL: gcovr is not installed (scripts/install-deps.sh)"; exit 1; }
/usr/bin/python3 -m coverage --version > /dev/null || { echo "FAIL: python3-coverage is not installed"; exit 1; }

criteria=$(printf '\n## Acceptance Criteria\n\n**Quality**:\n- ✅ Test coverage ≥ 80%%\n')

# C: lib.c has add() and sub(); the test calls both, or only add().
c_card() {  # DIR CALLS [REPORT-COMMAND]
  mkdir -p "$1"
  cat > "$1/WS-01.md" <<CARD
# WS-01: C library
**Duration**: 1 day
$criteria

## Test Commands

\`\`\`bash
mkdir -p c && cd c
printf 'int add(int a, int b) { return a + b; }\nint sub(int a, int b) { return a - b; }\n' > lib.c
printf 'int add(int, int); int sub(int, int);\nint main(void) { return $2 == 0 ? 0 : 1; }\n' > test.c
gcc --coverage -O0 -o unit test.c lib.c
./unit
${3:-gcovr -r . --xml coverage.xml}
\`\`\`
CARD
}
c_card "$TMP/c-full" "add(1, 2) + sub(5, 3) - 5"
"$WSFLEET" run "$TMP/c-full" --workers 1 --state "$TMP/s1" --workdir "$TMP/w1" > "$TMP/out1" 2>&1
check "gcovr: all of lib.c covered passes (exit $?)" grep -qE "^WS-01 .*SUCCEEDED" "$TMP/out1"
check "gcovr: the summary shows the verdict" \
  contains "$TMP/s1/latest/summaries/WS-01-COMPLETION_SUMMARY.md" "✅ PASS (Quality) Test coverage ≥ 80% — coverage_line_percent = 100 %"
c_card "$TMP/c-half" "add(1, 2) - 3 + 0"
"$WSFLEET" run "$TMP/c-half" --workers 1 --state "$TMP/s2" --workdir "$TMP/w2" > "$TMP/out2" 2>&1
check "gcovr: half of lib.c covered fails (exit $?)" grep -qE "^WS-01 .*FAILED" "$TMP/out2"
# add() and main() ran, sub() did not: 2 of 3 lines.
check "gcovr: it says by how much" contains "$TMP/out2" "acceptance criteria failed: coverage_line_percent = 66.6667 % (wanted >= 80 %)"

# Python: coverage.py over a module whose second function the test may leave alone.
py_card() {  # DIR CALL [REPORT-COMMAND]
  mkdir -p "$1"
  cat > "$1/WS-01.md" <<CARD
# WS-01: Python module
**Duration**: 1 day
$criteria

## Test Commands

\`\`\`bash
mkdir -p py && cd py
printf 'def double(x):\n    return 2 * x\n\ndef halve(x):\n    y = x / 2\n    z = y\n    return z\n' > mathlib.py
printf 'import mathlib\nassert mathlib.double(2) == 4\n$2\n' > check.py
/usr/bin/python3 -m coverage run --include=mathlib.py check.py
${3:-/usr/bin/python3 -m coverage json -o coverage.json}
\`\`\`
CARD
}
py_card "$TMP/py-full" "assert mathlib.halve(4) == 2"
"$WSFLEET" run "$TMP/py-full" --workers 1 --state "$TMP/s3" --workdir "$TMP/w3" > "$TMP/out3" 2>&1
check "coverage.py: every line covered passes (exit $?)" grep -qE "^WS-01 .*SUCCEEDED" "$TMP/out3"
py_card "$TMP/py-half" "pass"
"$WSFLEET" run "$TMP/py-half" --workers 1 --state "$TMP/s4" --workdir "$TMP/w4" > "$TMP/out4" 2>&1
check "coverage.py: half covered fails (exit $?)" grep -qE "^WS-01 .*FAILED" "$TMP/out4"
# Both defs and double()'s body ran, halve()'s three lines did not: 3 of 6 statements.
check "coverage.py: it says by how much" contains "$TMP/out4" "coverage_line_percent = 50 % (wanted >= 80 %)"

# The other formats, each from its real tool: gcovr's JSON summary, coverage.py's lcov.
c_card "$TMP/c-json" "add(1, 2) - 3 + 0" "gcovr -r . --json-summary gcovr-summary.json"
"$WSFLEET" run "$TMP/c-json" --workers 1 --state "$TMP/s5" --workdir "$TMP/w5" > "$TMP/out5" 2>&1
check "gcovr JSON: judged the same" contains "$TMP/out5" "coverage_line_percent = 66.6667 % (wanted >= 80 %)"
py_card "$TMP/py-lcov" "assert mathlib.halve(4) == 2" "/usr/bin/python3 -m coverage lcov -o coverage.info"
"$WSFLEET" run "$TMP/py-lcov" --workers 1 --state "$TMP/s6" --workdir "$TMP/w6" > "$TMP/out6" 2>&1
check "lcov from coverage.py: judged the same (exit $?)" grep -qE "^WS-01 .*SUCCEEDED" "$TMP/out6"
check "lcov: its figure in the summary" \
  contains "$TMP/s6/latest/summaries/WS-01-COMPLETION_SUMMARY.md" "coverage_line_percent = 100 % (wanted >= 80 %)"
finish
