#!/usr/bin/env bash
# On a machine with 2 or more GPUs: a 2-node gang (two local workers, one GPU each) runs
# `wsfleet gpu bench nccl` as its step; rank 0's NCCL unique ID reaches rank 1 through the
# coordinator, the collectives run across both, the data checks pass and the card's
# criterion sees the busbw.
source "$(dirname "$0")/../integration/lib.sh"
gpus=$("$WSFLEET" gpu info -o json 2>/dev/null | jq '.devices | length')
if [ "${gpus:-0}" -lt 2 ]; then echo "SKIP: needs 2 GPUs, found ${gpus:-0}"; exit 77; fi
if ! ldconfig -p | grep -q libnccl.so.2 && [ ! -e /usr/local/cuda/lib64/libnccl.so.2 ]; then
  echo "SKIP: no NCCL library"; exit 77
fi
plan=$TMP/plan
card "$plan" WS-01 None '"$WSFLEET_BIN" gpu bench nccl --max-bytes 256M --iterations 10' '**Nodes**: 2
**GPUs**: 1

## Acceptance Criteria

- [ ] `allreduce_busbw_gbps > 0`
- [ ] `nccl_wrong_elements == 0`
- [ ] `nccl_ranks == 2`'
"$WSFLEET" run "$plan" --workers 2 --gpus 0,1 --state "$TMP/state" --workdir "$TMP/work" > "$TMP/run.out" 2>&1
code=$?
check "the gang succeeded (exit $code)" [ $code -eq 0 ]
check "its criteria held" contains "$TMP/run.out" "1 succeeded"
check "rank 1 printed the table too" sh -c "grep -l 'all_reduce' '$TMP'/state/latest/logs/WS-01/*r1-*.log"
cat "$TMP"/state/latest/logs/WS-01/*.log
finish
