// The node tier of the local cluster (scripts/cluster/up.sh: containerd, kubelet,
// kube-proxy, netpol, CoreDNS) with real pods: a pod runs with an address from the
// node's podCIDR, a ClusterIP Service reaches a pod through kube-proxy and its name
// resolves through the cluster DNS, and a NetworkPolicy denying a pod's egress makes
// its connections fail (a Service, the API server) while a pod without the policy
// still connects.
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

  static inline std::optional<Kubectl> kubectl_;
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

}  // namespace
}  // namespace droid::e2e
