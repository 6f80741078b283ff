#!/usr/bin/env bash
# Inside k8s/Dockerfile's build stages: builds the wsfleet binary alone and gathers what
# the runtime image needs into /runtime: the binary and the shared libraries it links, as
# ldd finds them (so the runtime stage needs no -dev packages, on Debian or Ubuntu). The
# NVIDIA driver's libraries are left out: the container runtime brings the host's.
set -euo pipefail
cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSFLEET_BUILD_TESTS=OFF "$@"
cmake --build /build --target wsfleet
mkdir -p /runtime/usr/local/bin
cp /build/bin/wsfleet /build/bin/wsfleet-step-guard /runtime/usr/local/bin/  # the guard goes beside it
ldd /build/bin/wsfleet | awk '/=> \// { print $3 }' | grep -v -e '/libcuda\.so' -e '/libnvidia-' \
  | xargs -I{} cp --parents -L {} /runtime/
