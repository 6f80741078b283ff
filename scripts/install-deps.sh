#!/usr/bin/env bash
# Installs the Debian packages wsfleet needs to build and test, only those missing.
# Idempotent; runs apt-get as root or through sudo. Used by `make build|run|test`.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache make git pkg-config bc
  # libraries
  libcmark-gfm-dev libcmark-gfm-extensions-dev libcli11-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libabsl-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev
  protobuf-compiler libsqlitecpp-dev libsqlite3-dev libyaml-cpp-dev libpugixml-dev
  prometheus-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # a real Prometheus server and promtool for the telemetry tests
  prometheus curl jq
  # fuzzing (libFuzzer) and sanitizers
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
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
