#!/usr/bin/env bash
# Multi-node cards on 4 local workers: each gang runs whole on distinct workers with its
# ranks' environment; rank 0's ncclUniqueId-like blob reaches every rank through the
# coordinator's rendezvous relay (from a C++ program and from the shell); a failing rank
# ends its whole gang at once, the message naming it.
source "$(dirname "$0")/lib.sh"
export RDV_PROG=$3 RDV_OUT=$TMP/out
mkdir -p "$RDV_OUT"
plan=$TMP/plan
card "$plan" WS-01 None '"$RDV_PROG" "$RDV_OUT"' '**Nodes**: 4'
card "$plan" WS-02 WS-01 'if [ "$WSFLEET_NODE_RANK" = 0 ]; then
  head -c 128 /dev/urandom > "$RDV_OUT/shell-created.bin"
  "$WSFLEET_BIN" rendezvous put nccl-id --file "$RDV_OUT/shell-created.bin"
fi
"$WSFLEET_BIN" rendezvous get nccl-id --timeout 60 > "$RDV_OUT/shell-$WSFLEET_NODE_RANK.bin"
echo "rank=$WSFLEET_RANK world=$WSFLEET_WORLD_SIZE node=$WSFLEET_NODE_RANK/$WSFLEET_NNODES local=$WSFLEET_LOCAL_RANK/$WSFLEET_LOCAL_WORLD_SIZE addrs=$WSFLEET_NODE_ADDRS" > "$RDV_OUT/env-$WSFLEET_NODE_RANK"' '**Nodes**: 4'
card "$plan" WS-03 None 'if [ "$WSFLEET_NODE_RANK" = 1 ]; then echo "rank 1 gives up"; exit 3; fi
sleep 120' '**Nodes**: 2
**Priority**: P0'
start=$SECONDS
"$WSFLEET" run "$plan" --workers 4 --keep-going --state "$TMP/state" --workdir "$TMP/work" \
  > "$TMP/run.out" 2>&1
code=$?
check "exit 1: one gang failed (got $code)" [ "$code" -eq 1 ]
check "the others succeeded" contains "$TMP/run.out" "2 succeeded, 1 failed"
for rank in 0 1 2 3; do
  check "C++ rank $rank got rank 0's id" cmp -s "$RDV_OUT/created.bin" "$RDV_OUT/rank-$rank.bin"
  check "shell rank $rank got rank 0's id" cmp -s "$RDV_OUT/shell-created.bin" "$RDV_OUT/shell-$rank.bin"
  check "rank $rank's environment" grep -qE "^rank=$rank world=4 node=$rank/4 local=0/1 addrs=[^,]+,[^,]+,[^,]+,[^,]+$" "$RDV_OUT/env-$rank"
done
check "the ids are 128 bytes" [ "$(stat -c %s "$RDV_OUT/rank-2.bin")" -eq 128 ]
check "the two gangs exchanged different ids" sh -c "! cmp -s '$RDV_OUT/created.bin' '$RDV_OUT/shell-created.bin'"
check "WS-03 failed naming its rank 1" grep -qE "^WS-03 FAILED: rank 1 on [^:]+: test 1 .*exit 3" "$TMP/run.out"
check "rank 0's sleep was cancelled, not waited for ($((SECONDS - start)) s)" [ $((SECONDS - start)) -lt 60 ]
finish
