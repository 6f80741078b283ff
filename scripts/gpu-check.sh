#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: what `make test-gpu` runs (the tests labelled gpu, each
# called as ctest calls it: exit 0 passes, 77 skips) and the GPU benchmarks, with the
# binaries of a bundle from scripts/gpu-bundle.sh or of a build. Each result goes to
# RESULTS/<name>.txt and a summary to RESULTS/summary.txt. Usage: gpu-check.sh BIN_DIR RESULTS
# (BIN_DIR: the bundle's folder, or a build's bin/ with the libraries already on this system)
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$1" && pwd); bin=${bin%/}; [ -d "$bin/bin" ] && bin=$bin/bin
results=$2
mkdir -p "$results"
# cuBLAS, NCCL and NVML are opened with dlopen: put where this machine keeps them on the path.
for library in libcublas.so.13 libnccl.so.2 libnvidia-ml.so.1; do
  found=$(find /usr/local/cuda/lib64/ /usr/local/cuda/ /usr/local/nvidia/ /usr/lib/x86_64-linux-gnu/ /opt/ \
    -name "$library" 2>/dev/null | head -1)
  [ -n "$found" ] && LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$(dirname "$found")
done
export LD_LIBRARY_PATH=$bin/../lib:${LD_LIBRARY_PATH:-}
export PATH=$bin:$PATH
wsfleet=$bin/wsfleet
summary=$results/summary.txt
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }
# step NAME SECONDS COMMAND...: runs one check with a time limit, records its exit and time.
step() {
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  timeout --kill-after=10 "$limit" "$@" > "$results/$name.txt" 2>&1
  local code=$?
  note "$name: exit $code in $((SECONDS - start)) s"
}

note "machine: $(uname -srm); $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -4)"
note "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
missing=$(ldd "$wsfleet" | grep 'not found')
[ -n "$missing" ] && note "missing libraries: $missing"
step version 10 "$wsfleet" --version
step gpu_info 30 "$wsfleet" gpu info
# The tests labelled gpu (tests/gpu/CMakeLists.txt), as ctest runs them.
step test_gpu_workloads 300 "$source_dir/tests/gpu/workloads_test.sh" "$wsfleet" "$source_dir"
step test_gpu_gang_nccl 120 "$source_dir/tests/gpu/gang_nccl_test.sh" "$wsfleet" "$source_dir"
# The benchmarks at their documented defaults (docs/gpu.md).
step bench_membw 120 "$wsfleet" gpu bench membw
step bench_gemm 120 "$wsfleet" gpu bench gemm --type all
step bench_nccl 120 "$wsfleet" gpu bench nccl
step bench_burn 100 "$wsfleet" gpu bench burn --minutes 1
# The kernels under CUDA's memory checker, where it is installed.
if command -v compute-sanitizer > /dev/null; then
  step sanitizer_membw 120 compute-sanitizer --tool memcheck --error-exitcode 1 \
    "$wsfleet" gpu bench membw --size 64M --iterations 2
  # NCCL's own start-up asks for the attributes of kernels its build lacks for this GPU and
  # handles the refusal; memory errors are what is checked here, not those API errors.
  step sanitizer_nccl 120 compute-sanitizer --tool memcheck --report-api-errors no --error-exitcode 1 \
    "$wsfleet" gpu bench nccl --max-bytes 1M --warmup 1 --iterations 2
fi
grep -h '^METRIC' "$results"/bench_*.txt | tee -a "$summary"
