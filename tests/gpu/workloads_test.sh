#!/usr/bin/env bash
# On a machine with a GPU: every `gpu` command runs, checks its results and prints the
# METRIC lines docs/gpu.md promises, with plausible values.
source "$(dirname "$0")/../integration/lib.sh"
"$WSFLEET" gpu info -o json > "$TMP/info.json" 2> "$TMP/info.err"
if [ $? -eq 69 ]; then echo "SKIP: no GPU here: $(cat "$TMP/info.err")"; exit 77; fi
check "gpu info lists a device with a UUID" jq -e '.devices | length > 0 and (.[0].uuid | startswith("GPU-"))' "$TMP/info.json"
check "and telemetry for it" jq -e '.telemetry | length > 0' "$TMP/info.json"
# metric FILE NAME: the value of METRIC NAME=value in FILE.
metric() { sed -n "s/^METRIC $2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }
positive() { awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }

"$WSFLEET" gpu bench membw --size 256M > "$TMP/membw.out" 2>&1
check "membw exits 0" [ $? -eq 0 ]
check "membw triad GB/s > 0" positive "$(metric "$TMP/membw.out" membw_triad_gbps)"
check "membw knows the peak" positive "$(metric "$TMP/membw.out" membw_peak_gbps)"

"$WSFLEET" gpu bench gemm --size 4096 --iterations 5 > "$TMP/gemm.out" 2>&1
check "gemm exits 0 (every type checked)" [ $? -eq 0 ]
for type in fp32 tf32 fp16 bf16; do
  check "gemm $type TFLOPS > 0" positive "$(metric "$TMP/gemm.out" gemm_${type}_tflops)"
done
cc=$(jq -r '.devices[0].compute_capability' "$TMP/info.json")
if awk -v cc="$cc" 'BEGIN { exit !(cc >= 8.9) }'; then
  check "gemm fp8 TFLOPS > 0 on sm_$cc" positive "$(metric "$TMP/gemm.out" gemm_fp8_tflops)"
else
  check "fp8 before sm_89 is reported, not failed" contains "$TMP/gemm.out" "fp8   not measured"
fi

"$WSFLEET" gpu bench nccl --max-bytes 64M --iterations 5 > "$TMP/nccl.out" 2>&1
code=$?
if grep -q "NCCL (libnccl.so.2) is not installed" "$TMP/nccl.out"; then
  echo "note: no NCCL here; nccl bench not run"
else
  check "nccl exits 0 (got $code)" [ $code -eq 0 ]
  check "nccl: no wrong element" [ "$(metric "$TMP/nccl.out" nccl_wrong_elements)" = 0 ]
  # Bus bandwidth is algbw x 2(n-1)/n for all_reduce, (n-1)/n for the gathers: 0 with one
  # rank, as nccl-tests reports it. One GPU shows its algorithm bandwidth instead.
  ranks=$(metric "$TMP/nccl.out" nccl_ranks)
  kind=busbw; [ "$ranks" = 1 ] && kind=algbw
  for collective in allreduce allgather reducescatter broadcast sendrecv; do
    check "nccl $collective $kind > 0 ($ranks ranks)" positive "$(metric "$TMP/nccl.out" ${collective}_${kind}_gbps)"
  done
fi

"$WSFLEET" gpu bench burn --minutes 0.25 --report-every 5 > "$TMP/burn.out" 2>&1
check "burn exits 0" [ $? -eq 0 ]
gpus=$(jq '.devices | length' "$TMP/info.json")
lines=$(grep -c '^  GPU' "$TMP/burn.out")
check "burn: a progress line per GPU each 5 s, not one per round ($lines lines)" [ "$lines" -le $((5 * gpus)) ]
check "burn: no error" [ "$(metric "$TMP/burn.out" burn_errors)" = 0 ]
check "burn ran rounds" positive "$(metric "$TMP/burn.out" burn_rounds)"
check "burn measured GEMM throughput" positive "$(metric "$TMP/burn.out" burn_gemm_tflops_min)"

# A card that asks for a GPU is placed on one and runs end to end: its step sees the GPU as
# CUDA_VISIBLE_DEVICES and gets a rendezvous (a gang of one), and its backticked criteria are
# checked against the METRIC lines the step printed on the device.
plan=$TMP/plan
card "$plan" WS-01 None 'echo "visible=$CUDA_VISIBLE_DEVICES rank=$WSFLEET_RANK of $WSFLEET_WORLD_SIZE"; test -S "$WSFLEET_RENDEZVOUS" && "$WSFLEET_BIN" gpu bench membw --size 256M' '**GPUs**: 1

## Acceptance Criteria

- [ ] `membw_triad_gbps > 0`
- [ ] `membw_triad_peak_percent >= 10`'
"$WSFLEET" run "$plan" --workers 1 --gpus 0 --state "$TMP/run-state" --workdir "$TMP/run-work" > "$TMP/run.out" 2>&1
code=$?
check "a GPU card ran and its criteria held (exit $code)" [ $code -eq 0 ]
check "its run says so" contains "$TMP/run.out" "1 succeeded"
check "its step saw the GPU it was given" sh -c "grep -h 'visible=0 rank=0 of 1' '$TMP'/run-state/latest/logs/WS-01/*.log"
cat "$TMP"/run-state/latest/logs/WS-01/*.log

# The fitness gate passes and labels the worker with what it measured.
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/state" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
address=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/coordinator.log")
"$WSFLEET" token create --coordinator "unix:$TMP/state/coordinator.sock" --out "$TMP/join.token" > /dev/null 2>&1
"$WSFLEET" worker --coordinator "$address" --id gpu-node --burn-in --workdir "$TMP/w" \
  --join-token-file "$TMP/join.token" > "$TMP/worker.log" 2>&1 &
PIDS+=($!)
check "the burned-in worker offers its GPUs with measured labels" wait_for 300 sh -c \
  "'$WSFLEET' workers --coordinator unix:$TMP/state/coordinator.sock -o json | jq -e '.workers[0].resources.labels[\"gpu.membw_gbps\"]'"
finish
