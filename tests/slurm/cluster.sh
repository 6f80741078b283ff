# A throwaway Slurm cluster for tests, sourced after tests/integration/lib.sh: munged,
# slurmctld and one slurmd per node, all on this machine, as Slurm's own test suite runs
# several nodes on one host (each slurmd under its own NodeName and port). Every file is
# under $TMP/slurm; the daemons are the test's children, stopped with it.
#
# slurm_start NODES CPUS GPUS: starts them with NODES nodes (node1..nodeN) of CPUS CPUs and
# GPUS GPUs each, declared with fake device files (so GPU requests are scheduled without
# GPUs), node N with the features in $SLURM_FEATURES_nodeN, and exports SLURM_CONF for
# sbatch, squeue and scancel. Exits the test with 77 and
# the exact reason when the daemons cannot run here.

slurm_skip() { echo "SKIP: Slurm cannot run here: $*"; exit 77; }

# A free TCP port on loopback, from the kernel.
slurm_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

slurm_start() {
  local nodes=$1 cpus=$2 gpus=$3
  for command in munged slurmctld slurmd sbatch squeue scancel; do
    command -v "$command" > /dev/null || slurm_skip "$command is not installed (scripts/install-deps.sh installs slurmctld, slurmd, slurm-client and munge)"
  done
  [ "$(id -u)" = 0 ] || slurm_skip "slurmd must run as root to start jobs as their users"
  SLURM_DIR=$TMP/slurm
  mkdir -p "$SLURM_DIR"/{munge,state,log,dev}
  chmod 700 "$SLURM_DIR/munge"
  head -c 1024 /dev/urandom > "$SLURM_DIR/munge/munge.key"
  chmod 400 "$SLURM_DIR/munge/munge.key"
  munged --foreground --force --key-file="$SLURM_DIR/munge/munge.key" \
    --socket="$SLURM_DIR/munge/munge.sock" --pid-file="$SLURM_DIR/munge/munged.pid" \
    --log-file="$SLURM_DIR/munge/munged.log" --seed-file="$SLURM_DIR/munge/munged.seed" \
    > "$SLURM_DIR/log/munged.out" 2>&1 &
  PIDS+=($!)
  wait_for 10 test -S "$SLURM_DIR/munge/munge.sock" ||
    slurm_skip "munged did not start: $(tail -3 "$SLURM_DIR/log/munged.out" "$SLURM_DIR/munge/munged.log" 2>/dev/null)"

  local host ctld_port
  host=$(hostname)
  ctld_port=$(slurm_free_port)
  local i devices=""
  for ((i = 0; i < gpus; i++)); do
    mknod "$SLURM_DIR/dev/gpu$i" c 1 3 2>/dev/null || slurm_skip "cannot make the fake GPU device files (mknod)"
  done
  [ "$gpus" -gt 0 ] && devices="Gres=gpu:$gpus"
  export SLURM_CONF=$SLURM_DIR/slurm.conf
  cat > "$SLURM_CONF" <<CONF
ClusterName=wsfleet-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool-%n
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd-%n.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd-%n.log
# No cgroups, no accounting daemon: what a throwaway cluster on one machine can have.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
# The nodes' CPUs and GPUs as written here, not as this machine has them.
SlurmdParameters=config_overrides
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
CONF
  for ((i = 1; i <= nodes; i++)); do
    # SLURM_FEATURES_nodeN: that node's features (Slurm's Features=, for --constraint).
    local features_of="SLURM_FEATURES_node$i"
    echo "NodeName=node$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$(slurm_free_port) CPUs=$cpus $devices" \
      "${!features_of:+Features=${!features_of}} State=UNKNOWN" >> "$SLURM_CONF"
  done
  echo "PartitionName=debug Nodes=node[1-$nodes] Default=YES MaxTime=INFINITE State=UP" >> "$SLURM_CONF"
  { echo "AutoDetect=off"
    [ "$gpus" -gt 0 ] && echo "NodeName=node[1-$nodes] Name=gpu File=$SLURM_DIR/dev/gpu[0-$((gpus - 1))]"
  } > "$SLURM_DIR/gres.conf"
  printf 'CgroupAutomount=no\nIgnoreSystemd=yes\n' > "$SLURM_DIR/cgroup.conf"

  slurmctld -D -i -f "$SLURM_CONF" > "$SLURM_DIR/log/slurmctld.out" 2>&1 &
  PIDS+=($!)
  wait_for 20 sinfo -h ||
    slurm_skip "slurmctld did not start: $(tail -5 "$SLURM_DIR/log/slurmctld.log" "$SLURM_DIR/log/slurmctld.out" 2>/dev/null)"
  for ((i = 1; i <= nodes; i++)); do
    slurmd -D -f "$SLURM_CONF" -N "node$i" > "$SLURM_DIR/log/slurmd-node$i.out" 2>&1 &
    PIDS+=($!)
  done
  # Every node idle: registered with the CPUs and GPUs declared.
  wait_for 30 sh -c "[ \"\$(sinfo -h -N -t idle -o %N | sort -u | wc -l)\" = $nodes ]" ||
    slurm_skip "the nodes did not come up: $(sinfo -N -o '%N %T %E' 2>&1; tail -5 "$SLURM_DIR"/log/slurmd-node1.* 2>/dev/null)"
}

# The jobs Slurm holds (any state), one per line: ID STATE NAME.
slurm_jobs() { squeue -h -o '%i %T %j' 2>/dev/null; }
