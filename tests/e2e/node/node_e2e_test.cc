// The node tier of the local cluster (scripts/cluster/up.sh: containerd, kubelet,
// kube-proxy, kube-router, CoreDNS) with real pods: a pod runs with an address from the
// node's podCIDR, a ClusterIP Service reaches a pod through kube-proxy and its name
// resolves through the cluster DNS, and NetworkPolicies, enforced by kube-router, do
// what the API says: denying a pod's egress makes its connections fail (a Service, the
// API server) while a pod without the policy still connects; an ipBlock's except
// carves addresses out of its cidr; named ports resolve to the selected pods' container
// ports (ingress and egress); a policy applied while a pod runs refuses the pod's next
// connection within a bound the test measures and prints.
//
// Images come from the node (imported by up.sh from build/images): the pause image
// (localhost/droid/pause:*) for the plain pod, and for the network checks an image
// with a shell and python3 or busybox nc: $DROID_NODE_TEST_IMAGE, else the runner
// image (localhost/droid/runner:*). Without it those tests fail, naming it.
// Needs KUBECONFIG (and DROID_KUBECTL) of a cluster with the node tier; label: node.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <initializer_list>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kubectl.h"

namespace droid::e2e {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Starts a TCP server on port 8080 with whichever of python3 and busybox the image has.
constexpr const char* kServer =
    "if command -v python3 >/dev/null 2>&1; then cd /tmp && exec python3 -m http.server 8080; "
    "else mkdir -p /tmp/www && exec busybox httpd -f -p 8080 -h /tmp/www; fi";
// Connects to $0:$1 over TCP (5s timeout); exit status 0 when the connection opens.
constexpr const char* kConnect =
    "if command -v python3 >/dev/null 2>&1; then "
    "python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)' \"$0\" "
    "\"$1\"; else nc -w 5 \"$0\" \"$1\" </dev/null; fi";

// parse_ipv4 returns the address in host byte order, or nothing.
std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

// in_cidr tells whether ip lies in cidr ("10.244.0.0/24").
bool in_cidr(const std::string& ip, const std::string& cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  const auto address = parse_ipv4(ip);
  const auto network = parse_ipv4(cidr.substr(0, slash));
  const int bits = std::stoi(cidr.substr(slash + 1));
  if (!address || !network || bits < 0 || bits > 32) return false;
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (*address & mask) == (*network & mask);
}

// format_ipv4 prints an address given in host byte order.
std::string format_ipv4(uint32_t address) {
  in_addr addr{};
  addr.s_addr = htonl(address);
  char text[INET_ADDRSTRLEN] = {};
  return inet_ntop(AF_INET, &addr, text, sizeof text) != nullptr ? text : "";
}

// Milliseconds since the epoch (CLOCK_REALTIME, which the pods share with the host).
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Run in a pod with python3 as `python3 -c kConnectLoop HOST PORT READY_FILE`: connects to
// HOST:PORT every 50 ms (1 s timeout); after the first success it creates READY_FILE; at the
// first failure it prints "<ms since the epoch when that attempt started> <ms of the last
// success>" and exits 0. Exits 1 when no attempt fails within 120 s, 2 when none succeeds.
constexpr const char* kConnectLoop = R"(import socket, sys, time
host, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
end = time.time() + 120
last_ok = None
while time.time() < end:
    started = time.time()
    try:
        socket.create_connection((host, port), timeout=1).close()
        last_ok = started
        if not ready.startswith('-'):
            open(ready, 'w').close()
            ready = '-'
    except OSError:
        if last_ok is None:
            sys.exit(2)
        print(int(started * 1000), int(last_ok * 1000))
        sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
)";

class Node : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kubectl_.emplace(Kubectl::FromEnvironment());
    auto nodes = kubectl_->Run({"get", "nodes", "-o", "json"});
    ASSERT_TRUE(nodes.ok()) << nodes.describe();
    for (const auto& node : json::parse(nodes.out).value("items", json::array())) {
      for (const auto& c : node["status"].value("conditions", json::array())) {
        if (c.value("type", "") == "Ready" && c.value("status", "") == "True") node_ = node;
      }
    }
    ASSERT_FALSE(node_.is_null()) << "no Ready node: start the cluster with its node tier (scripts/cluster/up.sh)";
    for (const auto& image : node_["status"].value("images", json::array())) {
      for (const auto& name : image.value("names", json::array())) {
        const auto n = name.get<std::string>();
        if (n.starts_with("localhost/droid/pause:")) pause_image_ = n;
        if (n.starts_with("localhost/droid/runner:")) runner_image_ = n;
      }
    }
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
    const char* test_image = std::getenv("DROID_NODE_TEST_IMAGE");
    shell_image_ = test_image != nullptr && *test_image != '\0' ? test_image : runner_image_;

    namespace_ = "droid-e2e-node-" + std::to_string(getpid());
    auto created = kubectl_->Run({"create", "namespace", namespace_});
    ASSERT_TRUE(created.ok()) << created.describe();
    ASSERT_TRUE(kubectl_->WaitForDefaultServiceAccount(namespace_)) << "no default ServiceAccount in " << namespace_;
  }

  static void TearDownTestSuite() {
    if (kubectl_ && !namespace_.empty()) kubectl_->Run({"delete", "namespace", namespace_, "--wait=false"});
  }

  static process::Result apply(const json& obj) {
    return kubectl_->Run({"apply", "-n", namespace_, "-f", "-"}, obj.dump());
  }

  // Creates a pod running command (sh -c) in image, with labels, and waits until it is Ready.
  static json run_pod(const std::string& name, const std::string& image, const json& labels,
                      const std::vector<std::string>& command) {
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"labels", labels}}},
                {"spec",
                 {{"terminationGracePeriodSeconds", 1},
                  {"automountServiceAccountToken", false},
                  {"containers", {{{"name", "main"}, {"image", image}, {"imagePullPolicy", "Never"}}}}}}};
    if (!command.empty()) pod["spec"]["containers"][0]["command"] = command;
    auto created = apply(pod);
    EXPECT_TRUE(created.ok()) << created.describe();
    auto ready =
        kubectl_->Run({"wait", "-n", namespace_, "--for=condition=Ready", "--timeout=120s", "pod/" + name}, {}, 150s);
    EXPECT_TRUE(ready.ok()) << ready.describe() << describe_pod(name);
    auto got = kubectl_->Run({"get", "pod", "-n", namespace_, name, "-o", "json"});
    return got.ok() ? json::parse(got.out) : json::object();
  }

  static std::string describe_pod(const std::string& name) {
    return "\n" + kubectl_->Run({"describe", "pod", "-n", namespace_, name}).out;
  }

  // Whether pod `from` opens a TCP connection to host:port.
  static bool connects(const std::string& from, const std::string& host, int port) {
    auto r = kubectl_->Run({"exec", "-n", namespace_, from, "--", "sh", "-c", kConnect, host, std::to_string(port)}, {},
                           30s);
    return r.ok();
  }

  // Polls connects() for up to `within` until it equals `want`; returns the last answer.
  static bool eventually_connects(const std::string& from, const std::string& host, int port, bool want,
                                  std::chrono::seconds within = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    bool got = connects(from, host, port);
    while (got != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1s);
      got = connects(from, host, port);
    }
    return got;
  }

  // The server pod "web", its ClusterIP Service, and two client pods: made once.
  static void ensure_service() {
    if (!service_ip_.empty()) return;
    ASSERT_FALSE(shell_image_.empty())
        << "no image with a shell on the node: the network checks need localhost/droid/runner (build it with "
           "scripts/images/build.sh runner, then scripts/cluster/up.sh imports it) or DROID_NODE_TEST_IMAGE";
    run_pod("web", shell_image_, {{"app", "web"}}, {"sh", "-c", kServer});
    const json service = {
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", {{"name", "web"}}},
        {"spec", {{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}, {"targetPort", 8080}}}}}}};
    auto created = apply(service);
    ASSERT_TRUE(created.ok()) << created.describe();
    run_pod("client", shell_image_, {{"role", "client"}}, {"sleep", "3600"});
    run_pod("bystander", shell_image_, {{"role", "bystander"}}, {"sleep", "3600"});
    auto ip = kubectl_->Run({"get", "service", "-n", namespace_, "web", "-o", "jsonpath={.spec.clusterIP}"});
    ASSERT_TRUE(ip.ok()) << ip.describe();
    service_ip_ = ip.out;
  }

  static std::string pod_ip(const std::string& name) {
    auto r = kubectl_->Run({"get", "pod", "-n", namespace_, name, "-o", "jsonpath={.status.podIP}"});
    return r.ok() ? r.out : "";
  }

  static void delete_policies(std::initializer_list<std::string> names) {
    std::vector<std::string> args = {"delete", "networkpolicy", "-n", namespace_, "--ignore-not-found"};
    args.insert(args.end(), names.begin(), names.end());
    auto deleted = kubectl_->Run(args);
    EXPECT_TRUE(deleted.ok()) << deleted.describe();
  }

  // A NetworkPolicy selecting the pods labelled key=value, with the given types and rules.
  static json policy(const std::string& name, const std::string& key, const std::string& value, const json& types) {
    return {{"apiVersion", "networking.k8s.io/v1"},
            {"kind", "NetworkPolicy"},
            {"metadata", {{"name", name}}},
            {"spec", {{"podSelector", {{"matchLabels", {{key, value}}}}}, {"policyTypes", types}}}};
  }

  // The server pod "named": port 8080 is its container port "http", 8081 "alt".
  static void ensure_named_ports_server() {
    if (!named_ip_.empty()) return;
    json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", "named"}, {"labels", {{"app", "named"}}}}},
        {"spec",
         {{"terminationGracePeriodSeconds", 1},
          {"automountServiceAccountToken", false},
          {"containers",
           {{{"name", "main"},
             {"image", shell_image_},
             {"imagePullPolicy", "Never"},
             {"command",
              {"sh", "-c", "cd /tmp && python3 -m http.server 8081 & cd /tmp && exec python3 -m http.server 8080"}},
             {"ports", {{{"name", "http"}, {"containerPort", 8080}}, {{"name", "alt"}, {"containerPort", 8081}}}}}}}}}};
    auto created = apply(pod);
    ASSERT_TRUE(created.ok()) << created.describe();
    auto ready =
        kubectl_->Run({"wait", "-n", namespace_, "--for=condition=Ready", "--timeout=120s", "pod/named"}, {}, 150s);
    ASSERT_TRUE(ready.ok()) << ready.describe() << describe_pod("named");
    named_ip_ = pod_ip("named");
    ASSERT_FALSE(named_ip_.empty());
    ASSERT_TRUE(eventually_connects("bystander", named_ip_, 8081, true)) << "the server on 8081 does not answer";
  }

  static inline std::optional<Kubectl> kubectl_;
  static inline std::string named_ip_;
  static inline json node_;
  static inline std::string namespace_, pause_image_, runner_image_, shell_image_, service_ip_;
};

TEST_F(Node, PodRunsWithAnAddressFromTheNodesPodCidr) {
  ASSERT_FALSE(pause_image_.empty()) << "no localhost/droid/pause image on the node";
  const std::string cidr = node_["spec"].value("podCIDR", "");
  ASSERT_FALSE(cidr.empty()) << "the node has no podCIDR";
  json pod = run_pod("pause", pause_image_, {{"app", "pause"}}, {});
  ASSERT_TRUE(pod.contains("status")) << describe_pod("pause");
  EXPECT_EQ(pod["status"].value("phase", ""), "Running");
  const std::string ip = pod["status"].value("podIP", "");
  EXPECT_TRUE(in_cidr(ip, cidr)) << "pod IP " << ip << " is not in the node's podCIDR " << cidr;
}

TEST_F(Node, ClusterIpServiceReachesThePodThroughKubeProxy) {
  ensure_service();
  ASSERT_FALSE(service_ip_.empty());
  EXPECT_TRUE(eventually_connects("client", service_ip_, 80, true)) << "client cannot reach " << service_ip_ << ":80";
}

TEST_F(Node, ServiceNameResolvesThroughClusterDns) {
  ensure_service();
  ASSERT_FALSE(service_ip_.empty());
  // Prints the IPv4 address $0 resolves to, with python3 or busybox nslookup.
  const std::string resolve =
      "if command -v python3 >/dev/null 2>&1; then python3 -c 'import socket, sys; "
      "print(socket.gethostbyname(sys.argv[1]))' \"$0\"; else nslookup \"$0\" | awk '/^Address/ { a = $NF } END "
      "{ print a }'; fi";
  for (const std::string& name : {std::string("web"), "web." + namespace_ + ".svc.cluster.local"}) {
    auto r = kubectl_->Run({"exec", "-n", namespace_, "client", "--", "sh", "-c", resolve, name}, {}, 30s);
    ASSERT_TRUE(r.ok()) << "cannot resolve " << name << " (is CoreDNS running? scripts/build-tools.sh coredns)\n"
                        << r.describe();
    std::string ip = r.out;
    while (!ip.empty() && (ip.back() == '\n' || ip.back() == ' ')) ip.pop_back();
    EXPECT_EQ(ip, service_ip_) << name;
  }
}

TEST_F(Node, NetworkPolicyDenyingEgressMakesTheConnectionFail) {
  ensure_service();
  ASSERT_FALSE(service_ip_.empty());
  ASSERT_TRUE(eventually_connects("client", service_ip_, 80, true)) << "no connection even without a policy";

  const json deny = {{"apiVersion", "networking.k8s.io/v1"},
                     {"kind", "NetworkPolicy"},
                     {"metadata", {{"name", "client-no-egress"}}},
                     {"spec", {{"podSelector", {{"matchLabels", {{"role", "client"}}}}}, {"policyTypes", {"Egress"}}}}};
  auto applied = apply(deny);
  ASSERT_TRUE(applied.ok()) << applied.describe();
  EXPECT_FALSE(eventually_connects("client", service_ip_, 80, false)) << "the policy did not block the connection";
  EXPECT_FALSE(connects("client", service_ip_, 80)) << "blocked once, then let through";
  // The same connection from a pod the policy does not select still works: the policy is what blocks.
  EXPECT_TRUE(connects("bystander", service_ip_, 80)) << "a pod without the policy cannot connect either";
  // The API server too (the kubernetes Service, DNAT'ed to the node's address: the INPUT path).
  auto api = kubectl_->Run({"get", "service", "-n", "default", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"});
  ASSERT_TRUE(api.ok()) << api.describe();
  EXPECT_FALSE(connects("client", api.out, 443)) << "the policy did not block the API server";
  EXPECT_TRUE(connects("bystander", api.out, 443)) << "a pod without the policy cannot reach the API server";

  // An egress rule that allows the server pod's port lets the client through again.
  json allow = deny;
  allow["metadata"]["name"] = "client-to-web";
  allow["spec"]["egress"] = {
      {{"to", {{{"podSelector", {{"matchLabels", {{"app", "web"}}}}}}}}, {"ports", {{{"port", 8080}}}}}};
  applied = apply(allow);
  ASSERT_TRUE(applied.ok()) << applied.describe();
  EXPECT_TRUE(eventually_connects("client", service_ip_, 80, true)) << "the allowing rule did not let it through";

  auto deleted = kubectl_->Run({"delete", "networkpolicy", "-n", namespace_, "client-no-egress", "client-to-web"});
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  EXPECT_TRUE(eventually_connects("client", service_ip_, 80, true)) << "still blocked after the policies are gone";
}

// ipBlock with except: a client may reach everything but one address. The addresses are the
// node's own (the API server listens on all of them with the node tier): its address, which
// the except names, and the pod network's gateway (the cni0 bridge), which it does not.
// Cluster-external addresses, the kind the API means ipBlock for.
TEST_F(Node, IpBlockExceptCarvesAnAddressOutOfTheAllowedCidr) {
  ensure_service();
  ASSERT_FALSE(service_ip_.empty());
  auto endpoint = kubectl_->Run({"get", "endpoints", "-n", "default", "kubernetes", "-o",
                                 "jsonpath={.subsets[0].addresses[0].ip} {.subsets[0].ports[0].port}"});
  ASSERT_TRUE(endpoint.ok()) << endpoint.describe();
  const auto space = endpoint.out.find(' ');
  ASSERT_NE(space, std::string::npos) << endpoint.out;
  const std::string node_ip = endpoint.out.substr(0, space);
  const int api_port = std::stoi(endpoint.out.substr(space + 1));
  const std::string cidr = node_["spec"].value("podCIDR", "");
  const auto network = parse_ipv4(cidr.substr(0, cidr.find('/')));
  ASSERT_TRUE(network.has_value()) << "the node's podCIDR: " << cidr;
  const std::string gateway = format_ipv4(*network + 1);
  for (const auto& host : {node_ip, gateway}) {
    ASSERT_TRUE(eventually_connects("client", host, api_port, true))
        << "no connection to " << host << " without a policy";
  }

  json except = policy("client-all-but-node", "role", "client", {"Egress"});
  except["spec"]["egress"] = {{{"to", {{{"ipBlock", {{"cidr", "0.0.0.0/0"}, {"except", {node_ip + "/32"}}}}}}}}};
  auto applied = apply(except);
  ASSERT_TRUE(applied.ok()) << applied.describe();
  EXPECT_FALSE(eventually_connects("client", node_ip, api_port, false))
      << node_ip << " is in the except list but the client still connects";
  EXPECT_TRUE(connects("client", gateway, api_port)) << gateway << " is in the cidr, outside the except, but refused";
  EXPECT_TRUE(connects("bystander", node_ip, api_port)) << "a pod without the policy cannot reach " << node_ip;
  delete_policies({"client-all-but-node"});
  EXPECT_TRUE(eventually_connects("client", node_ip, api_port, true)) << "still blocked after the policy is gone";
}

// Named ports: "http" resolves to the selected pods' container port 8080, whatever the
// number; the other port of the same pod ("alt", 8081) is not allowed. Ingress, then egress.
TEST_F(Node, NamedPortsResolveToTheSelectedPodsContainerPorts) {
  ensure_service();
  ensure_named_ports_server();
  ASSERT_FALSE(named_ip_.empty());

  json ingress = policy("named-http-from-client", "app", "named", {"Ingress"});
  ingress["spec"]["ingress"] = {{{"from", {{{"podSelector", {{"matchLabels", {{"role", "client"}}}}}}}},
                                 {"ports", {{{"protocol", "TCP"}, {"port", "http"}}}}}};
  auto applied = apply(ingress);
  ASSERT_TRUE(applied.ok()) << applied.describe();
  EXPECT_FALSE(eventually_connects("bystander", named_ip_, 8080, false)) << "ingress: a pod not in from connects";
  EXPECT_TRUE(connects("client", named_ip_, 8080)) << "ingress: the named port http (8080) is refused";
  EXPECT_FALSE(connects("client", named_ip_, 8081)) << "ingress: port 8081 (alt) is not in the policy but open";
  delete_policies({"named-http-from-client"});
  ASSERT_TRUE(eventually_connects("bystander", named_ip_, 8080, true)) << "still blocked after the policy is gone";

  json egress = policy("client-to-named-http", "role", "client", {"Egress"});
  egress["spec"]["egress"] = {{{"to", {{{"podSelector", {{"matchLabels", {{"app", "named"}}}}}}}},
                               {"ports", {{{"protocol", "TCP"}, {"port", "http"}}}}}};
  applied = apply(egress);
  ASSERT_TRUE(applied.ok()) << applied.describe();
  EXPECT_FALSE(eventually_connects("client", named_ip_, 8081, false)) << "egress: port 8081 (alt) is open";
  EXPECT_TRUE(connects("client", named_ip_, 8080)) << "egress: the named port http (8080) is refused";
  EXPECT_FALSE(connects("client", pod_ip("web"), 8080)) << "egress: a pod the policy does not select is reachable";
  EXPECT_TRUE(connects("bystander", named_ip_, 8081)) << "egress: a pod without the policy cannot connect";
  delete_policies({"client-to-named-http"});
  EXPECT_TRUE(eventually_connects("client", named_ip_, 8081, true)) << "still blocked after the policy is gone";
}

// A policy applied while a pod runs and connects: its next connection is refused within a
// bound. The pod connects every 50 ms; the figure is from the start of `kubectl apply` to
// the first refused attempt (so it includes the API round trip and kube-router's sync).
// Asserted against 15 s, well under kube-router's periodic full sync (5 min): a policy
// that only took effect at the next periodic sync fails the test.
TEST_F(Node, PolicyTightenedWhileAPodRunsRefusesItsNextConnectionWithinABound) {
  ensure_service();
  const std::string web_ip = pod_ip("web");
  ASSERT_FALSE(web_ip.empty());
  ASSERT_TRUE(eventually_connects("client", web_ip, 8080, true)) << "no connection without a policy";
  const std::string ready_file = "/tmp/connect-loop-ready";
  kubectl_->Run({"exec", "-n", namespace_, "client", "--", "rm", "-f", ready_file});
  auto loop = std::async(std::launch::async, [&] {
    return kubectl_->Run(
        {"exec", "-n", namespace_, "client", "--", "python3", "-c", kConnectLoop, web_ip, "8080", ready_file}, {},
        150s);
  });
  const auto ready_deadline = std::chrono::steady_clock::now() + 30s;
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < ready_deadline) {
    ready = kubectl_->Run({"exec", "-n", namespace_, "client", "--", "test", "-e", ready_file}).ok();
    if (!ready) std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(ready) << "the connect loop in the client pod never connected (it needs python3 in the image)";

  const int64_t applied_at = now_ms();
  auto applied = apply(policy("client-tightened", "role", "client", {"Egress"}));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  const int64_t apply_returned = now_ms();
  auto result = loop.get();
  ASSERT_TRUE(result.ok()) << "the client's connections were not refused within 120 s of the policy\n"
                           << result.describe();
  const auto space = result.out.find(' ');
  ASSERT_NE(space, std::string::npos) << result.out;
  const int64_t refused_at = std::stoll(result.out.substr(0, space));
  const int64_t last_ok = std::stoll(result.out.substr(space + 1));
  const int64_t bound = refused_at - applied_at;
  std::cout << "policy tightened while the pod runs: kubectl apply took " << apply_returned - applied_at
            << " ms; the first refused connection started " << bound
            << " ms after the apply did (the last accepted one " << last_ok - applied_at << " ms after)\n";
  RecordProperty("refused_after_ms", static_cast<int>(bound));
  EXPECT_GE(bound, 0) << "refused before the policy was applied: something else refused it";
  EXPECT_LT(bound, 15000) << "the policy took " << bound << " ms to take effect";
  EXPECT_FALSE(connects("client", web_ip, 8080)) << "refused once, then let through";
  delete_policies({"client-tightened"});
  EXPECT_TRUE(eventually_connects("client", web_ip, 8080, true)) << "still blocked after the policy is gone";
}

}  // namespace
}  // namespace droid::e2e
