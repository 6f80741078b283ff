#!/usr/bin/env bash
# Three plans on one fleet at once, of shares 1, 2 and 3: the slot time each gets while all
# three have work stands in the ratio of their shares (within 10%). Each plan's files live
# apart; a command on one plan needs --plan while several run; `wsfleet plans` lists them.
source "$(dirname "$0")/lib.sh"
sock="unix:$TMP/c.sock"
export WSFLEET_COORDINATOR=$sock
# No worker queues: what a plan holds is what runs.
"$WSFLEET" coordinator --listen "$sock" --state "$TMP/state" --worker-queue 0 > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "coordinator listening" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"

# Each plan: 80 independent one-second workstreams, more than its share of 6 slots can
# finish in the measured window (the plan of share 3 needs about 27 s).
for plan in one two three; do
  for i in $(seq -w 1 80); do card "$TMP/$plan" "WS-$i" None "echo $plan $i; sleep 1"; done
done
# Submitted before any worker joins, so that all three start together.
"$WSFLEET" submit "$TMP/one" --share 1 > "$TMP/submit-one.out" 2>&1
"$WSFLEET" submit "$TMP/two" --share 2 > "$TMP/submit-two.out" 2>&1
"$WSFLEET" submit "$TMP/three" --share 3 > "$TMP/submit-three.out" 2>&1
check "three plans submitted side by side" sh -c "grep -h 'submitted plan' '$TMP'/submit-*.out | wc -l | grep -qx 3"
id() { sed -n 's/^submitted plan \([^ ]*\) .*/\1/p' "$TMP/submit-$1.out"; }
one=$(id one) two=$(id two) three=$(id three)

"$WSFLEET" status > "$TMP/status-ambiguous.out" 2>&1
check "status without --plan while three run: exit 64, listing them" [ $? -eq 64 ]
check "... naming each" sh -c "grep -q '$one' '$TMP/status-ambiguous.out' && grep -q '$three' '$TMP/status-ambiguous.out'"
"$WSFLEET" status --plan nosuch > "$TMP/status-nosuch.out" 2>&1
check "an unknown plan: exit 64" [ $? -eq 64 ]

for w in 1 2; do
  "$WSFLEET" worker --coordinator "$sock" --id "w$w" --slots 3 --workdir "$TMP/work$w" > "$TMP/worker$w.log" 2>&1 &
  PIDS+=($!)
done
check "workers join" wait_for 20 sh -c "'$WSFLEET' workers | grep -c connected | grep -qx 2"
sleep 12
"$WSFLEET" plans -o json > "$TMP/plans.json"
# The slot time each plan's workstreams ran so far, from their own start and end times.
now_ms=$(($(date +%s%N) / 1000000))
for plan in "$one" "$two" "$three"; do
  "$WSFLEET" status --plan "$plan" -o json > "$TMP/status-$plan.json"
done
# The window in which all three had work waiting: from the first start to the last start
# of a plan that had nothing left to start (on a slow machine one may get there before the
# sample; its slots then go to the others).
window=$(jq -s --argjson now "$now_ms" '
  [.[] | .workstreams | map(select(.started_unix_ms > 0) | .started_unix_ms)] as $starts
  | ([$starts[] | min] | min) as $from
  | ([.[] | select(all(.workstreams[]; .started_unix_ms > 0)) | [.workstreams[].started_unix_ms] | max] + [$now] | min) as $to
  | "\($from) \($to)"' "$TMP/status-$one.json" "$TMP/status-$two.json" "$TMP/status-$three.json" | tr -d '"')
read -r from_ms to_ms <<< "$window"
echo "window: $(( (to_ms - from_ms) / 1000 )) s"
ran() {  # the slot time a plan's workstreams ran inside the window
  jq --argjson from "$from_ms" --argjson to "$to_ms" --argjson now "$now_ms" '[.workstreams[] | select(.started_unix_ms > 0)
      | ([(if .finished_unix_ms > 0 then .finished_unix_ms else $now end), $to] | min) - ([.started_unix_ms, $from] | max)
      | select(. > 0)] | add / 1000' "$TMP/status-$1.json"
}
r1=$(ran "$one") r2=$(ran "$two") r3=$(ran "$three")
echo "slot-seconds run: share 1: $r1, share 2: $r2, share 3: $r3"
echo "slot-seconds held (the coordinator's account): $(jq -c '[.plans[] | .slot_seconds]' "$TMP/plans.json")"
check "the window is long enough to judge (over 8 s)" [ $((to_ms - from_ms)) -gt 8000 ]
within() { awk -v a="$1" -v b="$2" -v want="$3" 'BEGIN { r = a / b; exit !(r > want * 0.9 && r < want * 1.1) }'; }
check "share 2 ran twice what share 1 did (within 10%): $r2 / $r1" within "$r2" "$r1" 2
check "share 3 ran three times what share 1 did (within 10%): $r3 / $r1" within "$r3" "$r1" 3
if jq -e '[.plans[] | select(.done)] | length == 0' "$TMP/plans.json" > /dev/null; then
  check "the coordinator's own account agrees" sh -c "
    s=\$(jq -r '[.plans[] | .slot_seconds] | @tsv' '$TMP/plans.json')
    set -- \$s; awk -v a=\"\$1\" -v b=\"\$2\" -v c=\"\$3\" 'BEGIN { exit !(b / a > 1.8 && b / a < 2.2 && c / a > 2.7 && c / a < 3.3) }'"
fi
check "plans json: shares as given" jq -e '[.plans[] | .share] == [1, 2, 3]' "$TMP/plans.json"

"$WSFLEET" plans > "$TMP/plans.txt"
cat "$TMP/plans.txt"
check "plans table: one row each" sh -c "grep -cE '^(one|two|three)-' '$TMP/plans.txt' | grep -qx 3"

"$WSFLEET" cancel --all --plan "$three" > "$TMP/cancel.out" 2>&1
check "cancel --all of one plan" contains "$TMP/cancel.out" "cancelling"
check "that plan ends" wait_for 20 sh -c "'$WSFLEET' plans -o json | jq -e '.plans[] | select(.plan_id == \"$three\") | .done' > /dev/null"
check "the others run on" sh -c "'$WSFLEET' plans -o json | jq -e '[.plans[] | select(.plan_id != \"$three\") | .done] == [false, false]' > /dev/null"
check "each plan has its own directory of summaries" \
  sh -c "ls '$TMP/state/plans/$one/summaries' '$TMP/state/plans/$three/summaries' | grep -q COMPLETION_SUMMARY"
check "... and of logs" sh -c "ls '$TMP'/state/plans/$two/logs/WS-01/*.log > /dev/null"
check "the cancelled plan's report" wait_for 10 test -s "$TMP/state/plans/$three/report.json"
check "latest names the plan submitted last" [ "$(readlink "$TMP/state/latest")" = "plans/$three" ]
"$WSFLEET" cancel --all --plan "$one" > /dev/null 2>&1
"$WSFLEET" cancel --all --plan "$two" > /dev/null 2>&1
finish
