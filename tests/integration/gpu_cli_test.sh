#!/usr/bin/env bash
# The gpu commands where there is no GPU (CI) say why and exit 69; where there is one,
# `gpu info` describes it. NVML missing is reported, not fatal. Bad usage is 64.
source "$(dirname "$0")/lib.sh"
"$WSFLEET" gpu info -o json --nvml /nonexistent/libnvidia-ml.so.1 > "$TMP/info.json" 2> "$TMP/info.err"
code=$?
check "gpu info prints JSON" jq -e . "$TMP/info.json" > /dev/null
check "a missing NVML is reported with its path" sh -c \
  "jq -r .telemetry_error '$TMP/info.json' | grep -q '/nonexistent/libnvidia-ml.so.1'"
if [ "$code" -eq 0 ]; then
  check "a GPU here is described" jq -e '.devices | length > 0 and (.[0].uuid | startswith("GPU-"))' "$TMP/info.json"
else
  check "no GPU here: exit 69 (got $code)" [ "$code" -eq 69 ]
  check "and why" sh -c "jq -r .devices_error '$TMP/info.json' | grep -qE 'no usable GPU|without CUDA'"
  "$WSFLEET" gpu info > "$TMP/info.txt" 2>&1
  check "the table says it too" contains "$TMP/info.txt" "GPUs: none usable here"
  # The fitness gate where nothing can be tested: the worker offers no GPU and says why.
  "$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/state" > "$TMP/coordinator.log" 2>&1 &
  PIDS+=($!)
  wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
  address=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/coordinator.log")
  join_token "$TMP/state" "$TMP/join.token"
  "$WSFLEET" worker --coordinator "$address" --id gate --gpus 0,1 --burn-in --workdir "$TMP/w" \
    --join-token-file "$TMP/join.token" \
    > "$TMP/gate.log" 2>&1 &
  PIDS+=($!)
  check "a burn-in that cannot run: the worker joins offering no GPU" wait_for 20 sh -c \
    "'$WSFLEET' workers --coordinator unix:$TMP/state/coordinator.sock | grep -qE '^gate .* 0  0  .*burn-in could not run'"
  check "and its log says so" contains "$TMP/gate.log" "offering no GPUs"
  card "$TMP/plan" WS-01 None 'echo never' '**GPUs**: 1'
  "$WSFLEET" submit "$TMP/plan" --coordinator "unix:$TMP/state/coordinator.sock" > /dev/null 2>&1
  check "GPU work is not placed on it" wait_for 20 sh -c \
    "'$WSFLEET' status --coordinator unix:$TMP/state/coordinator.sock | grep -E '^WS-01 .*FAILED' | grep -q GPU"
  for bench in membw gemm nccl burn; do
    "$WSFLEET" gpu bench $bench > "$TMP/$bench.out" 2>&1
    check "gpu bench $bench without a GPU: exit 69" [ $? -eq 69 ]
    check "gpu bench $bench says why" grep -qE 'no usable GPU|without CUDA' "$TMP/$bench.out"
  done
fi
"$WSFLEET" gpu > /dev/null 2>&1
check "gpu without a subcommand: usage" [ $? -eq 64 ]
"$WSFLEET" gpu bench membw --size 12Q > "$TMP/size.out" 2>&1
check "a bad size: usage" [ $? -eq 64 ]
check "naming it" contains "$TMP/size.out" "--size '12Q'"
"$WSFLEET" gpu bench gemm --type fp64 > /dev/null 2>&1
check "an unknown GEMM type: usage" [ $? -eq 64 ]
"$WSFLEET" gpu bench nccl --collectives all_reduce,alltoall > "$TMP/coll.out" 2>&1
check "an unknown collective: usage" [ $? -eq 64 ]
check "naming it" contains "$TMP/coll.out" "'alltoall' is not"
"$WSFLEET" gpu bench nccl --min-bytes 1G --max-bytes 1M > /dev/null 2>&1
check "sizes the wrong way round: usage" [ $? -eq 64 ]
# Outside an attempt there is no rendezvous: a usage error that says where there is one.
env -u WSFLEET_RENDEZVOUS "$WSFLEET" rendezvous get nccl-id > "$TMP/rdv.out" 2>&1
check "rendezvous outside a gang: usage" [ $? -eq 64 ]
check "and why" contains "$TMP/rdv.out" "WSFLEET_RENDEZVOUS is not set"
WSFLEET_RENDEZVOUS=$TMP/none "$WSFLEET" rendezvous put nccl-id --file /dev/null > "$TMP/rdv2.out" 2>&1
check "an unreachable rendezvous: exit 1" [ $? -eq 1 ]
check "naming the socket" contains "$TMP/rdv2.out" "cannot reach the rendezvous at $TMP/none"
WSFLEET_RENDEZVOUS=$TMP/none "$WSFLEET" rendezvous put 'bad key' --file /dev/null > /dev/null 2>&1
check "a bad key: usage" [ $? -eq 64 ]
finish
