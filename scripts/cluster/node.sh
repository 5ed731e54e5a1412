# shellcheck shell=bash
# shellcheck disable=SC2154  # TIER_node, K8S_BIN and the paths come from common.sh
# Host helpers of the node tier (components containerd, kubelet, kube-proxy),
# sourced by common.sh. The node tier changes global state of the machine —
# sysctls, iptables chains, the cni0 bridge, network namespaces, cgroups — so:
#   - only one node tier runs on a machine at a time: node_claim writes the
#     owning cluster dir to $NODE_OWNER_FILE and refuses when another cluster's
#     node tier still runs;
#   - what it changes is undone by down.sh, but only by the owner: a
#     control-plane-only cluster's down.sh (the controlplane test tier) never
#     touches the host state of a developer's running node tier.
# Kept here (not in components/*.sh) because components/ holds components only.

NODE_OWNER_FILE="${DROID_NODE_OWNER_FILE:-/run/droid-operator/node-owner}"
# Sysctls the node tier needs; their previous values are kept in $RUN and
# restored by down.sh.
NODE_SYSCTLS=(net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.ip_forward=1)
# Sysctls the kubelet (kernel tunables it sets at start) and kube-proxy may
# change: recorded and restored the same way.
NODE_SYSCTLS_KEPT=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet
  net.netfilter.nf_conntrack_max)
CNI_BIN_DIR=/usr/lib/cni            # Debian's containernetworking-plugins
CNI_NETWORK=droid                   # CNI network name (CNI cache entries are named after it)
CNI_BRIDGE=cni0
NETNS_DIR=/var/run/netns            # where containerd 1.6's CRI creates pod netns (fixed)
CONTAINER_LOGS_LINKS=/var/log/containers   # the kubelet's symlinks to the pod logs (fixed)

# node_unsupported prints why this machine cannot run the node tier (nothing
# when it can).
node_unsupported() {
  local why=() b
  [[ $(id -u) -eq 0 ]] || why+=("not root")
  [[ -d /sys/fs/cgroup/memory || -f /sys/fs/cgroup/cgroup.controllers ]] || why+=("no memory cgroup")
  [[ -d /proc/sys/net/bridge ]] || modprobe br_netfilter 2>/dev/null || why+=("no br_netfilter")
  for b in containerd containerd-shim-runc-v2 runc ctr iptables iptables-save iptables-restore ipset ip; do
    command -v "$b" >/dev/null 2>&1 || why+=("no $b (make setup installs it)")
  done
  for b in bridge host-local loopback portmap; do
    [[ -x "$CNI_BIN_DIR/$b" ]] || why+=("no CNI plugin $CNI_BIN_DIR/$b (containernetworking-plugins)")
  done
  [[ -x "$K8S_BIN/kubelet" && -x "$K8S_BIN/kube-proxy" ]] || why+=("no kubelet/kube-proxy in $K8S_BIN (make tools)")
  [[ -n "$NODE_IP" ]] || why+=("no IPv4 address on a default route (set DROID_NODE_IP)")
  [[ ${#why[@]} -eq 0 ]] || (IFS=';'; echo "${why[*]}")
}

# node_pids_in DIR prints the pids of node-tier processes of the cluster in DIR.
node_pids_in() {
  local dir=$1 c pid bin
  for c in "${TIER_node[@]}"; do
    pid=$(cat "$dir/run/$c.pid" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    bin=$(binary_of "$c")
    [[ "$(exe_of "$pid")" == "$bin" ]] && echo "$pid"
  done
  return 0
}

# node_owner prints the cluster dir that owns the machine's node tier.
node_owner() { cat "$NODE_OWNER_FILE" 2>/dev/null || true; }

# node_owned succeeds when this cluster owns (or last owned) the node tier.
node_owned() {
  local owner; owner=$(node_owner)
  [[ "$owner" == "$DROID_CLUSTER_DIR" ]] || { [[ -z "$owner" && -d "$CONTAINERD_DIR" ]]; }
}

# node_claim makes this cluster the owner of the machine's node tier, or dies
# when another cluster's node tier runs.
node_claim() {
  local owner; owner=$(node_owner)
  if [[ -n "$owner" && "$owner" != "$DROID_CLUSTER_DIR" ]]; then
    if [[ -n "$(node_pids_in "$owner")" ]]; then
      die "the node tier of another cluster ($owner) runs on this machine; only one can (iptables, cgroups and cni0 are global).
    Stop it first:  DROID_CLUSTER_DIR=$owner scripts/cluster/down.sh
    or start this cluster without it:  scripts/cluster/up.sh --control-plane-only"
    fi
    warn "the node tier of $owner is no longer running: taking over (cleaning the host state it left)"
    # Its record of the sysctls as they were before any node tier: ours now.
    mkdir -p "$RUN"
    if [[ -f "$owner/run/host-sysctls.prev" && ! -f "$RUN/host-sysctls.prev" ]]; then
      mv -f "$owner/run/host-sysctls.prev" "$RUN/host-sysctls.prev"
    fi
    node_host_cleanup
  fi
  mkdir -p "$(dirname "$NODE_OWNER_FILE")"
  echo "$DROID_CLUSTER_DIR" >"$NODE_OWNER_FILE"
}

# node_release forgets the ownership when it is ours.
node_release() {
  if [[ "$(node_owner)" == "$DROID_CLUSTER_DIR" ]]; then
    rm -f "$NODE_OWNER_FILE"
    rmdir "$(dirname "$NODE_OWNER_FILE")" 2>/dev/null || true
  fi
}

# sysctl_path KEY prints /proc/sys/... of KEY.
sysctl_path() { echo "/proc/sys/${1//.//}"; }

# node_host_setup sets NODE_SYSCTLS, recording the values it found (and those
# of NODE_SYSCTLS_KEPT) the first time (in $RUN/host-sysctls.prev) so that down.sh can put them back.
node_host_setup() {
  local kv key val prev="$RUN/host-sysctls.prev" cur
  [[ -d /proc/sys/net/bridge ]] || modprobe br_netfilter || die "br_netfilter is not available: the node tier needs it"
  if [[ ! -f "$prev" ]]; then
    for kv in "${NODE_SYSCTLS[@]}" "${NODE_SYSCTLS_KEPT[@]}"; do
      key=${kv%%=*}
      [[ -f "$(sysctl_path "$key")" ]] || continue
      echo "$key=$(cat "$(sysctl_path "$key")")"
    done >"$prev.tmp"
    mv -f "$prev.tmp" "$prev"
  fi
  for kv in "${NODE_SYSCTLS[@]}"; do
    key=${kv%%=*} val=${kv#*=}
    cur=$(cat "$(sysctl_path "$key")")
    if [[ "$cur" != "$val" ]]; then
      step "sysctl $key=$val (was $cur; restored by down.sh)"
      echo "$val" >"$(sysctl_path "$key")"
    fi
  done
}

# node_host_restore puts back the sysctl values node_host_setup found.
node_host_restore() {
  local prev="$RUN/host-sysctls.prev" key val
  [[ -f "$prev" ]] || return 0
  while IFS='=' read -r key val; do
    [[ -n "$key" ]] || continue
    if [[ "$(cat "$(sysctl_path "$key")")" != "$val" ]]; then
      step "restoring sysctl $key=$val"
      echo "$val" >"$(sysctl_path "$key")" || warn "could not restore $key=$val"
    fi
  done <"$prev"
  rm -f "$prev"
}

# node_iptables_cleanup removes, from every table of iptables and ip6tables
# (the host's backend, as kube-proxy uses it), the chains kube-proxy, kube-router
# and the CNI plugins made (KUBE-*, KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*,
# CNI-*; DROID-NP* of netpol.py, the controller before kube-router) and the
# rules jumping to them. Each table is rewritten in one iptables-restore, so
# rules of others stay as they are.
node_iptables_cleanup() {
  local cmd t save filtered n
  for cmd in iptables ip6tables; do
    command -v "$cmd-save" >/dev/null 2>&1 || continue
    for t in filter nat mangle raw; do
      save=$("$cmd-save" -t "$t" 2>/dev/null) || continue
      n=$(grep -cE '^:(KUBE-|CNI-|DROID-NP)|^-A (KUBE-|CNI-|DROID-NP)|-[jg] (KUBE-|CNI-|DROID-NP)' <<<"$save" || true)
      [[ $n -gt 0 ]] || continue
      filtered=$(grep -vE '^:(KUBE-|CNI-|DROID-NP)|^-A (KUBE-|CNI-|DROID-NP)|-[jg] (KUBE-|CNI-|DROID-NP)' <<<"$save")
      step "$cmd: removing $n KUBE-*/CNI-*/DROID-NP* chains and rules from table $t"
      "$cmd-restore" <<<"$filtered" || warn "$cmd-restore of table $t failed"
    done
  done
}

# KUBE_ROUTER_IPSETS matches the names of the ipsets kube-router makes: its
# policies' KUBE-SRC-*/KUBE-DST-* (inet6:... for IPv6) and its own kube-router-*.
KUBE_ROUTER_IPSETS='^(inet6:)?(KUBE-SRC-|KUBE-DST-|kube-router-)'

# node_ipsets_cleanup destroys kube-router's ipsets (once no iptables rule
# refers to them: after node_iptables_cleanup).
node_ipsets_cleanup() {
  command -v ipset >/dev/null 2>&1 || return 0
  local sets s
  mapfile -t sets < <(ipset list -n 2>/dev/null | grep -E "$KUBE_ROUTER_IPSETS" || true)
  [[ ${#sets[@]} -gt 0 ]] || return 0
  step "ipset: destroying ${#sets[@]} sets of kube-router"
  for s in "${sets[@]}"; do ipset destroy "$s" 2>/dev/null || warn "could not destroy ipset $s"; done
}

# node_pods_cleanup kills and deletes every container containerd runs for
# Kubernetes (namespace k8s.io) and deletes their network namespaces (which
# removes their veths). Needs containerd running; the kubelet must be stopped.
node_pods_cleanup() {
  [[ -S "$CONTAINERD_SOCK" ]] || return 0
  local ctr=(ctr --address "$CONTAINERD_SOCK" --namespace k8s.io) ids id ns netns=() i
  mapfile -t ids < <("${ctr[@]}" containers ls -q 2>/dev/null || true)
  [[ ${#ids[@]} -gt 0 ]] || return 0
  step "removing ${#ids[@]} containers of the node (ctr -n k8s.io)"
  for id in "${ids[@]}"; do
    ns=$("${ctr[@]}" containers info "$id" 2>/dev/null |
      jq -r '.Spec.linux.namespaces[]? | select(.type == "network") | .path // empty' 2>/dev/null || true)
    [[ "$ns" == "$NETNS_DIR"/* || "$ns" == /run/netns/* ]] && netns+=("$ns")
    "${ctr[@]}" tasks kill --signal SIGKILL "$id" >/dev/null 2>&1 || true
  done
  for id in "${ids[@]}"; do
    for ((i = 0; i < 25; i++)); do
      "${ctr[@]}" tasks delete "$id" >/dev/null 2>&1 && break
      "${ctr[@]}" tasks ls -q 2>/dev/null | grep -qxF "$id" || break
      sleep 0.2
    done
    "${ctr[@]}" tasks delete --force "$id" >/dev/null 2>&1 || true
    "${ctr[@]}" containers delete "$id" >/dev/null 2>&1 || warn "could not delete container $id"
  done
  for ns in $(printf '%s\n' "${netns[@]}" | sort -u); do
    step "deleting network namespace $(basename "$ns")"
    ip netns delete "$(basename "$ns")" 2>/dev/null || { umount "$ns" 2>/dev/null; rm -f "$ns"; } || true
  done
}

# node_host_cleanup removes the host state the node tier leaves once its
# processes are gone: pod network namespaces that are left, the cni0 bridge
# and its veths, KUBE-*/CNI-*/DROID-NP* iptables chains, kube-router's ipsets, the pods' cgroups, CNI caches,
# the kubelet's log symlinks; and restores the sysctls.
node_host_cleanup() {
  local ns link d n=0 pids
  # Processes left in the pods' cgroups (containerd died before it could
  # remove them), then the shims of this containerd.
  mapfile -t pids < <(cat /sys/fs/cgroup/*/kubepods/cgroup.procs /sys/fs/cgroup/*/kubepods/*/cgroup.procs \
    /sys/fs/cgroup/*/kubepods/*/*/cgroup.procs /sys/fs/cgroup/*/kubepods/*/*/*/cgroup.procs 2>/dev/null | sort -u)
  if [[ ${#pids[@]} -gt 0 ]]; then
    step "killing ${#pids[@]} processes left in the kubepods cgroups"
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  mapfile -t pids < <(pgrep -f -- "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK( |\$)" || true)
  if [[ ${#pids[@]} -gt 0 ]]; then
    step "stopping ${#pids[@]} containerd shims left"
    stop_pid containerd-shim "${pids[@]}"
  fi
  # Network namespaces containerd made for pods (cni-<uuid>) that are left.
  for ns in "$NETNS_DIR"/cni-*; do
    [[ -e "$ns" ]] || continue
    step "deleting leftover network namespace $(basename "$ns")"
    ip netns delete "$(basename "$ns")" 2>/dev/null || { umount "$ns" 2>/dev/null; rm -f "$ns"; } || true
  done
  if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
    for link in $(ip -o link show master "$CNI_BRIDGE" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
      ip link delete "$link" 2>/dev/null || true
    done
    step "deleting bridge $CNI_BRIDGE"
    ip link delete "$CNI_BRIDGE" || warn "could not delete $CNI_BRIDGE"
  fi
  node_iptables_cleanup
  node_ipsets_cleanup
  # Pod cgroups (cgroupfs driver: kubepods/... in every v1 hierarchy, or in the v2 tree).
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "$d" ]] || continue
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [[ -d "$d" ]] && warn "could not remove cgroup $d (a process still in it?)" || n=$((n + 1))
  done
  [[ $n -eq 0 ]] || step "removed the kubepods cgroups ($n hierarchies)"
  rm -rf /var/lib/cni/results/"$CNI_NETWORK"-* /var/lib/cni/results/cni-loopback-* "$CNI_DIR/ipam" 2>/dev/null || true
  for link in "$CONTAINER_LOGS_LINKS"/*.log; do
    [[ -L "$link" && "$(readlink "$link")" == "$DROID_CLUSTER_DIR"/* ]] && rm -f "$link"
  done
  # Directories containerd, the CNI plugins and the kubelet create at fixed
  # places, when they are left empty.
  rmdir /run/containerd/s /run/containerd /var/lib/cni/results /var/lib/cni "$CONTAINER_LOGS_LINKS" 2>/dev/null || true
  node_host_restore
}

# pause_image prints the sandbox ("pause") image: $DROID_PAUSE_IMAGE, else the
# tag inside $IMAGES_DIR/pause.tar (a docker-archive).
pause_image() {
  if [[ -n "${DROID_PAUSE_IMAGE:-}" ]]; then echo "$DROID_PAUSE_IMAGE"; return; fi
  [[ -f "$IMAGES_DIR/pause.tar" ]] || return 0
  tar -xOf "$IMAGES_DIR/pause.tar" manifest.json 2>/dev/null | jq -r '.[0].RepoTags[0] // empty'
}

# node_import_archive TAR NAME imports the docker-archive TAR into containerd's
# k8s.io namespace, unless it was imported before with the same image id (or
# checksum) and its images are all still there.
node_import_archive() {
  local tar=$1 name=$2 ctr=(ctr --address "$CONTAINERD_SOCK" --namespace k8s.io) sum stamp have tags t missing=0
  local stamps="$CONTAINERD_DIR/imported"
  mkdir -p "$stamps"
  have=$("${ctr[@]}" images ls -q 2>/dev/null || true)
  # The image id scripts/images/build.sh writes beside the archive, else its checksum.
  if [[ -s "$tar.id" ]]; then sum=$(<"$tar.id"); else sum=$(sha256sum "$tar" | cut -d' ' -f1); fi
  stamp="$stamps/$name.sha256"
  mapfile -t tags < <(tar -xOf "$tar" manifest.json 2>/dev/null | jq -r '.[].RepoTags[]?' 2>/dev/null || true)
  for t in "${tags[@]}"; do grep -qxF "$t" <<<"$have" || missing=1; done
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" && $missing -eq 0 && ${#tags[@]} -gt 0 ]]; then
    step "image $name (${tags[*]}): already imported"
    return 0
  fi
  step "importing $tar (${tags[*]:-untagged})"
  "${ctr[@]}" images import "$tar" >/dev/null || die "ctr images import $tar failed"
  echo "$sum" >"$stamp"
}

# node_import_images imports every $IMAGES_DIR/*.tar (node_import_archive).
node_import_images() {
  local tar
  shopt -s nullglob
  for tar in "$IMAGES_DIR"/*.tar; do node_import_archive "$tar" "$(basename "$tar" .tar)"; done
  shopt -u nullglob
}
