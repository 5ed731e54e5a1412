#!/usr/bin/env python3
"""NetworkPolicy enforcement for the local single-node cluster (component netpol).

A stand-in for kube-router's firewall (--run-firewall only), which SPEC §8 names
but which cannot be built here: the Go module proxy refuses
github.com/cloudnativelabs/kube-router. It programs the same kind of rules with
the host's iptables (the backend kube-proxy uses) for the pods of this node:

  - chain DROID-NP, jumped to first from FORWARD (pod to pod, bridged through
    br_netfilter, and pod to outside) and INPUT (pod to the node, e.g. the
    kubernetes Service DNAT'ed to the apiserver); established traffic passes;
  - for every pod a policy isolates for egress, a chain DROID-NP-E-<uid> its
    packets (-s podIP) go through; for ingress, DROID-NP-I-<uid> (-d podIP);
    each allows what some policy selecting the pod allows (peers: podSelector,
    namespaceSelector, both, ipBlock with except; ports: protocol, number,
    endPort, named ports of the pods) and REJECTs the rest;
  - traffic the node itself sends to pods (kubelet probes) is not filtered.

Policies see addresses after kube-proxy's DNAT (the backend pod, the apiserver's
node address), as in Kubernetes. Everything is rewritten with one
iptables-restore --noflush per change: a resync runs when `kubectl get --watch`
reports a change of pods, namespaces or policies, and every --resync seconds.

  netpol.py --kubectl K --kubeconfig F --state-dir DIR [--resync 30]

DIR/synced is touched after every successful sync (the readiness check).
"""

import argparse
import ctypes
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

MARK = "0x100000"  # a bit kube-proxy (0x4000, 0x8000) does not use
TOP = "DROID-NP"
PREFIX = "DROID-NP-"


def log(msg):
    print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), msg, flush=True)


def selector_matches(selector, labels):
    """A LabelSelector: None matches nothing here (callers handle absence), {} everything."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def pod_ip(pod):
    status = pod.get("status") or {}
    if (pod.get("spec") or {}).get("hostNetwork") or status.get("phase") in ("Succeeded", "Failed"):
        return None
    ip = status.get("podIP")
    return ip if ip and ":" not in ip else None


def named_port(pod, name, protocol):
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == name and p.get("protocol", "TCP") == protocol:
                return p.get("containerPort")
    return None


def port_matches(ports, named_target):
    """iptables match strings for a rule's ports; named ports resolve on named_target (a pod) or match nothing."""
    if not ports:
        return [""]
    out = []
    for p in ports:
        proto = (p.get("protocol") or "TCP").lower()
        port = p.get("port")
        if port is None:
            out.append(f"-p {proto}")
            continue
        if isinstance(port, str) and not port.isdigit():
            number = named_port(named_target, port, proto.upper()) if named_target else None
            if number is None:
                continue
            port = number
        end = p.get("endPort")
        out.append(f"-p {proto} -m {proto} --dport {port}:{end}" if end else f"-p {proto} -m {proto} --dport {port}")
    return out


class Rules:
    def __init__(self):
        self.chains = [TOP]
        self.lines = [f"-A {TOP} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"]

    def chain(self, name):
        self.chains.append(name)
        return name

    def add(self, line):
        self.lines.append(line)


def peer_pods(peer, policy_ns, pods, namespaces):
    pod_sel, ns_sel = peer.get("podSelector"), peer.get("namespaceSelector")
    out = []
    for pod in pods:
        ns = pod["metadata"]["namespace"]
        if ns_sel is not None:
            if not selector_matches(ns_sel, (namespaces.get(ns) or {}).get("labels")):
                continue
        elif ns != policy_ns:
            continue
        if pod_sel is not None and not selector_matches(pod_sel, pod["metadata"].get("labels")):
            continue
        out.append(pod)
    return out


def direction_chain(rules, target, direction, policies, pods, namespaces):
    """Writes the chain of target pod for direction ("Ingress"/"Egress") from the rules of policies."""
    uid = target["metadata"]["uid"]
    short = hashlib.sha256(uid.encode()).hexdigest()[:12]
    name = rules.chain(f"{PREFIX}{direction[0]}-{short}")
    addr = "-s" if direction == "Ingress" else "-d"  # the peer's side of the packet
    rules.add(f"-A {name} -j MARK --set-xmark 0x0/{MARK}")
    allow = f"-j MARK --set-xmark {MARK}/{MARK}"
    block = 0
    for pol in policies:
        key = "ingress" if direction == "Ingress" else "egress"
        for rule in pol["spec"].get(key) or []:
            peers = rule.get("from" if direction == "Ingress" else "to") or []
            ports = rule.get("ports") or []
            if not peers:
                # Any peer; named ports: ingress names the target's ports; egress ones stay unresolved.
                for pm in port_matches(ports, target if direction == "Ingress" else None):
                    rules.add(f"-A {name} {pm} {allow}".replace("  ", " "))
                continue
            for peer in peers:
                block_spec = peer.get("ipBlock")
                if block_spec:
                    cidr = block_spec.get("cidr", "")
                    if ":" in cidr:
                        continue
                    matches = port_matches(ports, target if direction == "Ingress" else None)
                    if block_spec.get("except"):
                        block += 1
                        sub = rules.chain(f"{name}-{block}")
                        for exc in block_spec["except"]:
                            if ":" not in exc:
                                rules.add(f"-A {sub} {addr} {exc} -j RETURN")
                        for pm in matches:
                            rules.add(f"-A {sub} {pm} {allow}".replace("  ", " "))
                        rules.add(f"-A {name} {addr} {cidr} -j {sub}")
                    else:
                        for pm in matches:
                            rules.add(f"-A {name} {addr} {cidr} {pm} {allow}".replace("  ", " "))
                    continue
                for peer_pod in peer_pods(peer, pol["metadata"]["namespace"], pods, namespaces):
                    ip = pod_ip(peer_pod)
                    if not ip:
                        continue
                    named = target if direction == "Ingress" else peer_pod
                    for pm in port_matches(ports, named):
                        rules.add(f"-A {name} {addr} {ip}/32 {pm} {allow}".replace("  ", " "))
    rules.add(f"-A {name} -m mark --mark {MARK}/{MARK} -j RETURN")
    ns, pod = target["metadata"]["namespace"], target["metadata"]["name"]
    comment = f'"{direction.lower()} of {ns}/{pod} not allowed by a NetworkPolicy"'
    rules.add(f"-A {name} -p tcp -m comment --comment {comment} -j REJECT --reject-with tcp-reset")
    rules.add(f"-A {name} -m comment --comment {comment} -j REJECT --reject-with icmp-port-unreachable")
    return name


def policy_types(pol):
    spec = pol.get("spec") or {}
    if spec.get("policyTypes"):
        return spec["policyTypes"]
    return ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def build(state):
    pods = [p for p in state["pods"] if pod_ip(p)]
    namespaces = {n["metadata"]["name"]: n["metadata"] for n in state["namespaces"]}
    policies = state["policies"]
    rules = Rules()
    for target in sorted(pods, key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"])):
        ns, labels = target["metadata"]["namespace"], target["metadata"].get("labels")
        selecting = [
            p for p in policies
            if p["metadata"]["namespace"] == ns and selector_matches((p.get("spec") or {}).get("podSelector") or {}, labels)
        ]
        ip = pod_ip(target)
        for direction, flag in (("Egress", "-s"), ("Ingress", "-d")):
            mine = [p for p in selecting if direction in policy_types(p)]
            if mine:
                chain = direction_chain(rules, target, direction, mine, pods, namespaces)
                rules.add(f"-A {TOP} {flag} {ip}/32 -j {chain}")
    rules.add(f"-A {TOP} -j MARK --set-xmark 0x0/{MARK}")
    return rules


def run(argv, stdin=None):
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)


def existing_chains():
    out = run(["iptables-save", "-t", "filter"]).stdout
    return {line[1:].split()[0] for line in out.splitlines() if line.startswith(":" + PREFIX)}


def ensure_jumps():
    for hook in ("FORWARD", "INPUT"):
        listing = run(["iptables", "-w", "-S", hook]).stdout.splitlines()
        rules = [l for l in listing if l.startswith("-A ")]
        jump = f"-A {hook} -j {TOP}"
        if rules and rules[0] == jump and rules.count(jump) == 1:
            continue
        while run(["iptables", "-w", "-D", hook, "-j", TOP]).returncode == 0:
            pass
        r = run(["iptables", "-w", "-I", hook, "1", "-j", TOP])
        if r.returncode != 0:
            raise RuntimeError(f"iptables -I {hook}: {r.stderr.strip()}")


def apply(rules, last):
    text = "\n".join(rules.lines)
    if text == last:
        ensure_jumps()
        return last
    stale = existing_chains() - set(rules.chains)
    body = ["*filter"] + [f":{c} - [0:0]" for c in rules.chains] + rules.lines
    body += [f"-F {c}" for c in sorted(stale)] + [f"-X {c}" for c in sorted(stale)] + ["COMMIT", ""]
    r = run(["iptables-restore", "-w", "--noflush"], "\n".join(body))
    if r.returncode != 0:
        raise RuntimeError(f"iptables-restore: {r.stderr.strip()}")
    ensure_jumps()
    isolated = sum(1 for c in rules.chains if c != TOP and c.count("-") == 3)
    log(f"applied {len(rules.lines)} rules ({isolated} isolated pod directions)")
    return text


def fetch(args):
    r = run([args.kubectl, "--kubeconfig", args.kubeconfig, "--request-timeout=10s", "get",
             "pods,namespaces,networkpolicies.networking.k8s.io", "-A", "-o", "json"])
    if r.returncode != 0:
        raise RuntimeError(f"kubectl get: {r.stderr.strip()}")
    items = json.loads(r.stdout).get("items", [])
    return {
        "pods": [i for i in items if i.get("kind") == "Pod"],
        "namespaces": [i for i in items if i.get("kind") == "Namespace"],
        "policies": [i for i in items if i.get("kind") == "NetworkPolicy"],
    }


WATCHERS = []


def die_with_parent():
    """In a watcher child: SIGTERM when this process dies, however it dies."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def watch(args, kind, changed, stop):
    """Sets changed whenever `kubectl get KIND --watch` prints a line; restarts it when it ends."""
    while not stop.is_set():
        proc = subprocess.Popen([args.kubectl, "--kubeconfig", args.kubeconfig, "get", kind, "-A",
                                 "--watch-only", "-o", "name"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, preexec_fn=die_with_parent)
        WATCHERS.append(proc)
        for _ in proc.stdout:
            changed.set()
        proc.wait()
        changed.set()
        stop.wait(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kubectl", required=True)
    ap.add_argument("--kubeconfig", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--resync", type=float, default=30)
    args = ap.parse_args()
    os.makedirs(args.state_dir, exist_ok=True)

    def terminate(*_):
        for proc in WATCHERS:
            proc.terminate()
        log("stopped (the rules stay until down.sh removes them)")
        os._exit(0)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    changed, stop = threading.Event(), threading.Event()
    for kind in ("pods", "namespaces", "networkpolicies.networking.k8s.io"):
        threading.Thread(target=watch, args=(args, kind, changed, stop), daemon=True).start()
    last = None
    log("NetworkPolicy enforcement started")
    while True:
        try:
            changed.clear()
            last = apply(build(fetch(args)), last)
            with open(os.path.join(args.state_dir, "synced"), "w", encoding="utf-8") as f:
                f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))
        except (RuntimeError, ValueError, OSError) as e:
            log(f"sync failed: {e}")
            changed.wait(2)
        changed.wait(args.resync)
        time.sleep(0.2)  # let a burst of changes arrive before the next sync


if __name__ == "__main__":
    sys.exit(main())
