#!/usr/bin/env bash
# Makes the Debian 12 base images k8s/Dockerfile starts from, with debootstrap from
# Debian's archive, for machines that reach Debian's mirror but no container registry:
#   scripts/image-base.sh CACHE_DIR [MIRROR]
# The root filesystem (minbase: apt, bash, coreutils; no docs, no package lists) is kept
# as CACHE_DIR/debian-bookworm.tar and imported as docker.io/library/debian:bookworm and
# :bookworm-slim, the names the Dockerfile's FROM lines use, so that a build with
# --pull=never takes them instead of Docker Hub's. Nothing is redone when the image exists.
set -euo pipefail
cache=${1:?usage: scripts/image-base.sh CACHE_DIR [MIRROR]}
mirror=${2:-http://deb.debian.org/debian}
podman=${PODMAN:-podman}
names=(docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim)

have_all=true
for name in "${names[@]}"; do
  $podman image exists "$name" || have_all=false
done
$have_all && exit 0

mkdir -p "$cache"
tarball=$cache/debian-bookworm.tar
if [ ! -s "$tarball" ]; then
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "image-base: debootstrap --variant=minbase bookworm from $mirror (about half a minute)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" > "$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; echo "image-base: debootstrap failed (log: $cache/debootstrap.log)" >&2; exit 1; }
  # What Docker's own Debian images leave out: downloaded packages and package lists
  # (every image runs apt-get update first), man pages and docs.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
         "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar --numeric-owner -C "$root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
fi
image=$($podman import --quiet --change 'CMD ["bash"]' "$tarball" "${names[0]}" | tail -1)
for name in "${names[@]:1}"; do
  $podman tag "$image" "$name"
done
echo "image-base: ${names[*]} from $tarball"
