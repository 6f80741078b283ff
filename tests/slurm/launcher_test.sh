#!/usr/bin/env bash
# `wsfleet coordinator --launcher slurm` against a real Slurm (munged, slurmctld, two
# slurmd on this machine): no worker is started by hand. A plan of 20 workstreams and two
# GPU cards runs on workers that all come from sbatch, the GPU cards' jobs asked Slurm for
# their GPUs and saw them, and every job is gone once its worker was idle; a job scancel'ed
# mid-step is a lost worker whose attempt runs again on a new job; a 2-node gang runs on
# one 2-node job's workers; a card's label becomes the job's --constraint through the
# config file's feature names and runs on the node that has it; `wsfleet workers` shows
# each job's Slurm state; `cancel --all` leaves no job in squeue.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/cluster.sh"
SLURM_FEATURES_node2=rack_b slurm_start 2 8 4

# The config file's slurm section: a misspelt key is refused, naming the file and line.
printf 'slurm:\n  partition: debug\n  partiton: debug\n' > "$TMP/typo.yaml"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/typo-state" --launcher slurm --config "$TMP/typo.yaml" \
  > "$TMP/typo.out" 2>&1
check "a misspelt slurm key exits 64" [ $? -eq 64 ]
check "and names the file and line" contains "$TMP/typo.out" "typo.yaml:3: slurm: unknown key 'partiton'"
cat > "$TMP/fleet.yaml" <<'YAML'
slurm:
  sbatch_args: [--comment=from-the-config]
  features:
    rack=b: rack_b
YAML

"$WSFLEET" coordinator --listen 127.0.0.1:0 --advertise 127.0.0.1 --state "$TMP/state" --lease 3 \
  --launcher slurm --idle-exit 3s --max-workers 4 --slurm-slots 4 --slurm-workdir "$TMP/work" \
  --config "$TMP/fleet.yaml" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 20 grep -q "launcher: Slurm jobs named" "$TMP/coordinator.log" || { cat "$TMP/coordinator.log"; exit 1; }
export WSFLEET_COORDINATOR=unix:$TMP/state/coordinator.sock
job_name=$(sed -n 's/.*Slurm jobs named \([^ ]*\) .*/\1/p' "$TMP/coordinator.log")
our_jobs() { squeue -h --name="$job_name" -o '%i %T' 2>/dev/null; }
mkdir -p "$TMP/work"

plan=$TMP/plan
for i in $(seq -w 1 20); do
  card "$plan" "WS-$i" None "echo \"ran on \$WSFLEET_WORKER_ID\"; sleep 0.5"
done
# What the step sees against what Slurm gave the job's step (the worker's GPUs are Slurm's).
gpu_step='echo "gpus=$CUDA_VISIBLE_DEVICES slurm=${SLURM_STEP_GPUS:-$SLURM_JOB_GPUS} job=$SLURM_JOB_ID"'
card "$plan" WS-21 None "$gpu_step" '**GPUs**: 2'
card "$plan" WS-22 None "$gpu_step" '**GPUs**: 1'
# Only node2 has rack_b: the card's job asks for it (fleet.yaml names the feature).
card "$plan" WS-23 None 'echo "on $SLURMD_NODENAME job=$SLURM_JOB_ID"' '**Labels**: rack=b'
start=$SECONDS
"$WSFLEET" submit "$plan" > "$TMP/submit.out" 2>&1
check "the plan is accepted with no worker in the fleet" [ $? -eq 0 ]
check "every workstream succeeds on launched workers" wait_for 120 sh -c \
  "'$WSFLEET' status | grep -q '23 succeeded'"
echo "plan of 23 on Slurm workers: $((SECONDS - start)) s"
"$WSFLEET" status > "$TMP/status.out" 2>&1
"$WSFLEET" workers -o json > "$TMP/workers.json" 2>&1
check "the workers table names each worker's job" sh -c "'$WSFLEET' workers | grep -Eq '^wsfleet-[0-9]+-0 .*\(Slurm job [0-9]+\)'"
check "every worker came from a Slurm job" jq -e \
  '(.workers | length) > 0 and all(.workers[]; .resources.labels["slurm.job_id"] != null)' "$TMP/workers.json"
jobs=$(sed -n 's/.*launcher: Slurm job \([0-9]*\) for a worker of.*/\1/p' "$TMP/coordinator.log" | sort -u)
check "at most --max-workers jobs at once, and at least one" [ -n "$jobs" ]
gpu_jobs=$(grep -E "Slurm job [0-9]+ for a worker of [12] GPU" "$TMP/coordinator.log" | sed -n 's/.*Slurm job \([0-9]*\) .*/\1/p')
for job in $gpu_jobs; do
  gres=$(scontrol show job "$job" | grep -o 'gres:gpu:[0-9]*' | head -1)
  check "GPU job $job asked Slurm for its GPUs ($gres)" [ -n "$gres" ]
done
cat "$TMP"/state/latest/logs/WS-2[12]/*.log
check "a 2-GPU card saw its job's two GPUs" sh -c \
  "cat '$TMP'/state/latest/logs/WS-21/*.log | grep -Eq '^gpus=([0-9]+,[0-9]+) slurm=\1 job=[0-9]'"
# A 1-GPU card may share a 2-GPU job's worker: it sees one of that job's GPUs.
check "a 1-GPU card saw one of its job's GPUs" sh -c \
  "cat '$TMP'/state/latest/logs/WS-22/*.log | grep -Eq '^gpus=([0-9]+) slurm=(.*,)?\1(,.*)? job=[0-9]'"
check "the labelled card ran on the node with its feature" sh -c "cat '$TMP'/state/latest/logs/WS-23/*.log | grep -q '^on node2 job='"
rack_job=$(cat "$TMP"/state/latest/logs/WS-23/*.log | sed -n 's/^on node2 job=\([0-9]*\)$/\1/p' | head -1)
check "its job asked for the feature (--constraint)" sh -c "scontrol show job '$rack_job' | grep -q 'Features=rack_b'"
check "every job carries the config file's sbatch arguments" sh -c "scontrol show job '$rack_job' | grep -q 'Comment=from-the-config'"
check "the jobs end once their workers are idle" wait_for 60 sh -c "[ -z \"\$(squeue -h --name=$job_name)\" ]"
our_jobs

# A 2-node gang: one job of two nodes (two slurmd), its ranks on that job's two workers,
# exchanging a value through the coordinator's rendezvous.
plan4=$TMP/plan4
card "$plan4" WS-51 None 'f=$WSFLEET_WORKSPACE/value-$WSFLEET_NODE_RANK
if [ "$WSFLEET_NODE_RANK" = 0 ]; then echo "from rank 0 of job $SLURM_JOB_ID" > "$f"; "$WSFLEET_BIN" rendezvous put shared --file "$f"; fi
echo "rank $WSFLEET_NODE_RANK of $WSFLEET_NNODES on $WSFLEET_WORKER_ID (node $SLURMD_NODENAME) got: $("$WSFLEET_BIN" rendezvous get shared --timeout 60)"' '**Nodes**: 2'
"$WSFLEET" submit "$plan4" > "$TMP/submit4.out" 2>&1
check "the gang succeeds" wait_for 90 sh -c "'$WSFLEET' plans -o json | jq -e '.plans[-1].workstreams.succeeded == 1'"
cat "$TMP"/state/latest/logs/WS-51/*.log
gang_job=$(grep -E "Slurm job [0-9]+ for a worker of no GPU on each of 2 nodes" "$TMP/coordinator.log" | sed -n 's/.*Slurm job \([0-9]*\) .*/\1/p' | tail -1)
check "a 2-node job was asked for ($gang_job)" sh -c "scontrol show job '$gang_job' | grep -q 'NumNodes=2'"
check "both ranks ran on that job's workers, on its two nodes" sh -c \
  "cat '$TMP'/state/latest/logs/WS-51/*.log | grep -E '^rank [01] of 2 on wsfleet-$gang_job-[01] \(node node[12]\) got: from rank 0 of job $gang_job' | sed 's/.*(node \(node[12]\)).*/\1/' | sort -u | wc -l | grep -qx 2"

# A job scancel'ed mid-step: its worker is lost and the attempt runs again on a new job.
plan2=$TMP/plan2
card "$plan2" WS-31 None 'echo "attempt on $WSFLEET_WORKER_ID"; sleep 8'
"$WSFLEET" submit "$plan2" > "$TMP/submit2.out" 2>&1
check "the second plan is accepted" [ $? -eq 0 ]
check "its step starts on a launched worker" wait_for 60 sh -c "grep -qs 'attempt on' '$TMP'/state/latest/logs/WS-31/*.log"
victim=$(sed -n 's/^attempt on wsfleet-\([0-9]*\)-[0-9]*$/\1/p' "$TMP"/state/latest/logs/WS-31/*.log | head -1)
check "the step's worker is a job's ($victim)" [ -n "$victim" ]
# As squeue said it last (the launcher asks each second).
check "workers shows the job's Slurm state" wait_for 10 sh -c "'$WSFLEET' workers | grep -Eq '\(Slurm job $victim RUNNING\)'"
check "and lists the launcher's jobs" wait_for 10 sh -c "'$WSFLEET' workers | grep -Eq '^$victim  RUNNING  no GPU'"
"$WSFLEET" workers
scancel "$victim"
echo "scancel'ed job $victim mid-step"
check "the scancel'ed job's attempt is retried and succeeds" wait_for 90 sh -c \
  "'$WSFLEET' plans -o json | jq -e '.plans[-1].workstreams.succeeded == 1'"
"$WSFLEET" plans -o json > "$TMP/plans.json"
check "and ran twice" sh -c "ls '$TMP'/state/latest/logs/WS-31/ | wc -l | grep -qx 2"

# What waits says why: a job Slurm holds pending (two nodes of 4 GPUs, three 4-GPU cards),
# a card sbatch refuses (8 GPUs on a node of 4). Then cancel --all: no job of the
# coordinator's left in squeue.
plan3=$TMP/plan3
for i in 41 42 43; do card "$plan3" "WS-$i" None 'sleep 60'; done
for i in 62 63 64; do card "$plan3" "WS-$i" None 'sleep 20' '**GPUs**: 4'; done
card "$plan3" WS-61 None 'true' '**GPUs**: 8'
card "$plan3" WS-65 None 'true' '**Labels**: pool=x'
"$WSFLEET" submit "$plan3" > "$TMP/submit3.out" 2>&1
# message MATCH: a READY workstream whose wait reason matches the regex MATCH.
message() { "$WSFLEET" status -o json | jq -e --arg m "$1" '[.workstreams[] | select(.state == "READY" and (.message | test($m)))] | length > 0'; }
# The reason is Slurm's own word (Resources, Priority; None before its scheduler's first pass
# over the job, which a loaded machine can delay): what is checked is that it is relayed.
check "a card whose job Slurm holds says so" wait_for 40 message 'Slurm job [0-9]+ pending: [A-Za-z_]+'
check "workers lists a pending job and why" wait_for 10 sh -c \
  "'$WSFLEET' workers | grep -Eq '^[0-9]+  PENDING \([A-Za-z_]+\)  4 GPUs'"
"$WSFLEET" workers
check "a card sbatch refuses says why" wait_for 30 message 'sbatch .*(Requested node configuration is not available|gres)'
check "a label with no Slurm feature says so" wait_for 30 message 'pool=x names no Slurm node feature'
"$WSFLEET" status -o json | jq -r '.workstreams[] | select(.state == "READY") | "\(.id): \(.message)"'
wait_for 60 sh -c "[ \"\$(squeue -h --name=$job_name -t RUNNING | wc -l)\" -ge 1 ]"
"$WSFLEET" cancel --all > "$TMP/cancel.out" 2>&1
check "cancel --all leaves no job in squeue" wait_for 30 sh -c "[ -z \"\$(squeue -h --name=$job_name)\" ]"
our_jobs
finish
