#!/usr/bin/env bash
# Installs the Debian packages wsfleet needs to build and test, only those missing.
# Idempotent; runs apt-get as root or through sudo. Used by `make build|run|test`.
# --build-only: just what building the wsfleet binary needs (k8s/Dockerfile).
# --agent-clis BUILD_DIR: also the agent CLIs the tests drive (claude, codex, opencode),
# pinned by tests/agents/clis/package-lock.json, into BUILD_DIR/agent-clis.
# --image: what make image-test needs instead: podman and buildah (OCI runtimes, container
# networks), debootstrap for the base image, and Prometheus to scrape the containers.
set -euo pipefail
build_only=false
image=false
agent_clis=""
case "${1:-}" in
  --build-only) build_only=true ;;
  --image) image=true ;;
  --agent-clis) agent_clis=${2:?--agent-clis needs the build directory} ;;
esac
install_agent_clis() {
  [ -z "$agent_clis" ] || "$(dirname "$0")/../tests/agents/clis/install.sh" "$agent_clis"
}

packages=(
  # toolchain
  g++ cmake ninja-build ccache make git pkg-config bc
  # libraries
  libcmark-gfm-dev libcmark-gfm-extensions-dev libcli11-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libabsl-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev
  protobuf-compiler libsqlitecpp-dev libsqlite3-dev libyaml-cpp-dev libpugixml-dev
  prometheus-cpp-dev libcivetweb-dev libssl-dev
)
if $image; then
  packages=(podman buildah runc crun netavark aardvark-dns iptables uidmap debootstrap prometheus curl jq)
fi
$build_only || $image || packages+=(
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # a real Prometheus server and promtool for the telemetry tests; the sqlite3 shell to
  # read the state store in integration tests
  prometheus curl jq sqlite3 openssl
  # real test runners and coverage tools that verification tests drive
  python3-pytest python3-coverage gcovr
  # report.json checked against its JSON Schema
  python3-jsonschema
  # fuzzing (libFuzzer) and sanitizers
  clang libclang-rt-14-dev
  # every thread's stack of a process still running when an integration test fails
  gdb
  # a real terminal for the live view's test (tmux's capture-pane reads the screen)
  tmux
  # a real browser for the plan page's test (headless, driven by playwright-core from npm)
  chromium
  # a real Slurm for the launcher's tests (daemons started by the tests themselves)
  slurmctld slurmd slurm-client munge
)

# Tools that may come from elsewhere (another kubectl, a newer Node.js): the Debian
# package only when the command is missing.
if ! $build_only && ! $image; then
  command -v kubectl > /dev/null 2>&1 || packages+=(kubernetes-client)  # kubectl kustomize
  command -v node > /dev/null 2>&1 || packages+=(nodejs)                 # the manifest validator
  command -v npm > /dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  install_agent_clis
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
install_agent_clis
