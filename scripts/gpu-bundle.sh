#!/usr/bin/env bash
# Packs what the GPU checks need to run on a GPU machine that has the CUDA toolkit and the
# driver but none of wsfleet's Debian libraries (a lent or rented GPU box): the stripped
# binaries, the libraries they link (as ldd finds them here, less glibc, libstdc++ and
# libgcc_s, which the target's newer ones replace, and less the driver's; CUDA's runtime
# travels, cuBLAS and NCCL are the target's toolkit's, opened at run time) and jq, which the tests use.
# Usage: gpu-bundle.sh BUILD OUT.tar.gz
# Then, on the GPU machine: tar xzf OUT.tar.gz && scripts/gpu-check.sh bundle RESULTS
set -euo pipefail
build=$1 out=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bundle/bin" "$stage/bundle/lib"
for binary in wsfleet wsfleet-step-guard; do
  strip -o "$stage/bundle/bin/$binary" "$build/bin/$binary"
done
cp "$(command -v jq)" "$stage/bundle/bin/"
skip='/(libc|libm|libdl|libpthread|librt|ld-linux-x86-64|libstdc\+\+|libgcc_s|libcuda|libnvidia-[a-z-]*)\.so'
{ ldd "$build/bin/wsfleet"; ldd "$(command -v jq)"; } | awk '/=> \// { print $3 }' | sort -u \
  | grep -Ev "$skip" | xargs -I{} cp -L {} "$stage/bundle/lib/"
tar czf "$out" -C "$stage" bundle
echo "$out: $(du -h "$out" | cut -f1), $(ls "$stage/bundle/lib" | wc -l) libraries"
