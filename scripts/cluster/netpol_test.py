#!/usr/bin/env python3
"""Unit tests of netpol.py's rules: the iptables lines it builds from pods, namespaces and
NetworkPolicies (no iptables, no cluster). The rules' effect on real traffic is tested by
tests/e2e/node. Run: python3 scripts/cluster/netpol_test.py"""

import importlib.util
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
_spec = importlib.util.spec_from_file_location("netpol", os.path.join(os.path.dirname(__file__), "netpol.py"))
netpol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(netpol)


def pod(name, ip, labels=None, ns="default", ports=None, host_network=False, phase="Running"):
    return {
        "metadata": {"name": name, "namespace": ns, "uid": f"uid-{ns}-{name}", "labels": labels or {}},
        "spec": {"hostNetwork": host_network, "containers": [{"name": "c", "ports": ports or []}]},
        "status": {"phase": phase, "podIP": ip},
    }


def namespace(name, labels=None):
    return {"metadata": {"name": name, "labels": labels or {}}}


def policy(name, spec, ns="default"):
    return {"metadata": {"name": name, "namespace": ns}, "spec": spec}


def rules_for(pods, policies, namespaces=None):
    state = {"pods": pods, "policies": policies,
             "namespaces": namespaces or [namespace("default"), namespace("other", {"team": "b"})]}
    return netpol.build(state).lines


def allows(lines):
    return [l for l in lines if l.endswith(f"-j MARK --set-xmark {netpol.MARK}/{netpol.MARK}")]


class NetpolRules(unittest.TestCase):
    def setUp(self):
        self.client = pod("client", "10.244.0.2", {"role": "client"})
        self.web = pod("web", "10.244.0.3", {"app": "web"}, ports=[{"name": "http", "containerPort": 8080}])
        self.other_web = pod("web", "10.244.0.4", {"app": "web"}, ns="other")

    def test_without_policies_nothing_is_isolated(self):
        lines = rules_for([self.client, self.web], [])
        self.assertEqual(lines, [
            "-A DROID-NP -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
            f"-A DROID-NP -j MARK --set-xmark 0x0/{netpol.MARK}",
        ])

    def test_egress_deny_all_rejects_everything_the_pod_sends(self):
        lines = rules_for([self.client, self.web],
                          [policy("deny", {"podSelector": {"matchLabels": {"role": "client"}}, "policyTypes": ["Egress"]})])
        jumps = [l for l in lines if l.startswith("-A DROID-NP -s") or l.startswith("-A DROID-NP -d")]
        self.assertEqual(len(jumps), 1)
        self.assertTrue(jumps[0].startswith("-A DROID-NP -s 10.244.0.2/32 -j DROID-NP-E-"))
        self.assertEqual(allows(lines), [])
        self.assertTrue(any("REJECT --reject-with tcp-reset" in l for l in lines))

    def test_egress_to_a_pod_selector_stays_in_the_policys_namespace(self):
        spec = {"podSelector": {"matchLabels": {"role": "client"}}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 8080}]}]}
        lines = rules_for([self.client, self.web, self.other_web], [policy("p", spec)])
        self.assertEqual(len(allows(lines)), 1)
        self.assertIn("-d 10.244.0.3/32 -p tcp -m tcp --dport 8080 -j MARK", allows(lines)[0])

    def test_namespace_selector_reaches_pods_of_matching_namespaces(self):
        spec = {"podSelector": {}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "b"}},
                                    "podSelector": {"matchLabels": {"app": "web"}}}]}]}
        lines = rules_for([self.client, self.web, self.other_web], [policy("p", spec)])
        # Both default pods are isolated; each may reach only other/web.
        self.assertTrue(allows(lines))
        self.assertTrue(all("-d 10.244.0.4/32" in l for l in allows(lines)))

    def test_ip_block_except_returns_before_allowing(self):
        spec = {"podSelector": {"matchLabels": {"role": "client"}}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
                            "ports": [{"protocol": "UDP", "port": 53}]}]}
        lines = rules_for([self.client], [policy("p", spec)])
        sub = [l for l in lines if l.startswith("-A DROID-NP-E-") and l.split()[1].endswith("-1")]
        self.assertTrue(any(l.endswith("-d 10.0.0.0/8 -j RETURN") for l in sub), lines)
        self.assertTrue(any("-p udp -m udp --dport 53 -j MARK" in l for l in sub), lines)
        self.assertTrue(any("-d 0.0.0.0/0 -j DROID-NP-E-" in l for l in lines), lines)

    def test_policy_without_types_isolates_ingress_only(self):
        lines = rules_for([self.client, self.web], [policy("p", {"podSelector": {"matchLabels": {"app": "web"}}})])
        jumps = [l for l in lines if l.startswith("-A DROID-NP -") and "-j DROID-NP-" in l]
        self.assertEqual(len(jumps), 1)
        self.assertTrue(jumps[0].startswith("-A DROID-NP -d 10.244.0.3/32 -j DROID-NP-I-"))

    def test_ingress_named_port_resolves_on_the_target_pod(self):
        spec = {"podSelector": {"matchLabels": {"app": "web"}},
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "client"}}}], "ports": [{"port": "http"}]}]}
        lines = rules_for([self.client, self.web], [policy("p", spec)])
        self.assertEqual(len(allows(lines)), 1)
        self.assertIn("-s 10.244.0.2/32 -p tcp -m tcp --dport 8080", allows(lines)[0])

    def test_end_port_makes_a_range(self):
        spec = {"podSelector": {"matchLabels": {"role": "client"}}, "policyTypes": ["Egress"],
                "egress": [{"ports": [{"port": 8000, "endPort": 8100}]}]}
        lines = rules_for([self.client], [policy("p", spec)])
        self.assertEqual(len(allows(lines)), 1)
        self.assertIn("-p tcp -m tcp --dport 8000:8100", allows(lines)[0])

    def test_match_expressions(self):
        labels = {"app": "web", "tier": "front"}
        self.assertTrue(netpol.selector_matches({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}, labels))
        self.assertFalse(netpol.selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, labels))
        self.assertTrue(netpol.selector_matches({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}, labels))
        self.assertFalse(netpol.selector_matches({"matchExpressions": [{"key": "x", "operator": "Exists"}]}, labels))
        self.assertTrue(netpol.selector_matches({}, labels))

    def test_pods_without_their_own_address_are_ignored(self):
        pods = [pod("pending", None, {"role": "client"}), pod("host", "192.0.2.2", {"role": "client"}, host_network=True),
                pod("done", "10.244.0.9", {"role": "client"}, phase="Succeeded")]
        lines = rules_for(pods, [policy("deny", {"podSelector": {}, "policyTypes": ["Egress", "Ingress"]})])
        self.assertEqual(len(lines), 2)


if __name__ == "__main__":
    unittest.main()
