#!/usr/bin/env bash
# Inside k8s/Dockerfile's build stages: builds the wsfleet binary alone and gathers what
# the runtime image needs into /runtime: the binary and the shared libraries it links, as
# ldd finds them (so the runtime stage needs no -dev packages, on Debian or Ubuntu). The
# NVIDIA driver's libraries are left out: the container runtime brings the host's.
set -euo pipefail
cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSFLEET_BUILD_TESTS=OFF "$@"
cmake --build /build --target wsfleet wsfleet-step-guard
mkdir -p /runtime/usr/local/bin
cp /build/bin/wsfleet /build/bin/wsfleet-step-guard /runtime/usr/local/bin/  # the guard (static) beside it
# Without DWARF (161 of the binary's MB): function names stay for stack traces; the same
# commit's `make build` has the full debug information.
strip --strip-debug /runtime/usr/local/bin/wsfleet /runtime/usr/local/bin/wsfleet-step-guard
# Each library goes where its directory really is: ldd says /lib/..., which on a merged-/usr
# system (Debian 12, Ubuntu 24.04) is a symlink to usr/lib; copied as /lib/... the image's
# /lib symlink would become a directory and hide the base's loader and libc (seen with
# buildah: no program in the image could start). glibc's own libraries are the base
# image's, never replaced piecemeal.
ldd /build/bin/wsfleet | awk '/=> \// { print $3 }' \
  | grep -v -e '/libcuda\.so' -e '/libnvidia-' -e '/libc\.so' -e '/libm\.so' -e '/ld-linux' \
  | while read -r lib; do
      dir=$(realpath "$(dirname "$lib")")
      mkdir -p "/runtime$dir"
      cp -L "$lib" "/runtime$dir/"
    done
