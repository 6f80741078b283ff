# Three machines in one, for tests sourced after integration/lib.sh: namespaces C (the
# coordinator's), A and B (workers'), joined by veth pairs C-A (10.NET.1.0/24: C is .1, A
# is .2, devices c1-TAG and w1-TAG) and C-B (10.NET.2.0/24, c2-TAG and w2-TAG), removed at
# exit with every process in them. Exits 77 (skipped) where namespaces cannot be made.
# netns_setup PREFIX NET: sets C, A, B and tag.
netns_setup() {
  tag=$$
  C=$1-c-$tag A=$1-a-$tag B=$1-b-$tag
  local net=$2
  if ! command -v ip > /dev/null || ! ip netns add "$C" 2> "$TMP/netns.err"; then
    echo "SKIP: cannot create network namespaces here ($(cat "$TMP/netns.err" 2> /dev/null || echo 'no ip command'))"
    exit 77
  fi
  ip netns add "$A" && ip netns add "$B"
  trap netns_cleanup EXIT
  ip -n "$C" link set lo up
  netns_link "$A" "$net" 1
  netns_link "$B" "$net" 2
}
netns_cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2> /dev/null; done
  for ns in "$C" "$A" "$B"; do ip netns pids "$ns" 2> /dev/null | xargs -r kill -9; ip netns del "$ns" 2> /dev/null; done
  rm -rf "$TMP"
}
netns_link() {  # NS NET SUBNET: a veth pair from the coordinator's namespace to NS
  ip link add "c$3-$tag" netns "$C" type veth peer name "w$3-$tag" netns "$1"
  ip -n "$C" addr add "10.$2.$3.1/24" dev "c$3-$tag"
  ip -n "$1" addr add "10.$2.$3.2/24" dev "w$3-$tag"
  ip -n "$C" link set "c$3-$tag" up
  ip -n "$1" link set "w$3-$tag" up
  ip -n "$1" link set lo up
}
