// The Helm chart (charts/droid-operator) and the plain manifests (deploy/manifests) end to
// end (SPEC §7): helm lint --strict, values.schema.json refusing bad values by name, the
// rendered objects, server-side dry runs on a real API server (defaults, every option,
// the plain manifests), and helm install / upgrade / uninstall on the local control plane
// (no node: pods are created, never run). The webhook's certificate: the chart's own (its
// CA verifies the Secret's certificate and survives an upgrade) and the external one made
// by deploy/webhook-cert.sh.
//
// Everything a test creates is scoped so that other tests on the same cluster are not
// touched: namespaces and releases carry the run's id, the webhooks only see objects
// labelled droid.dev/chart-e2e=<id>, the default OrgPolicy only governs namespaces with
// that label. KUBECONFIG, DROID_HELM and (optionally) DROID_KUBECTL come from the
// environment; ChartFiles cases need no cluster.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "helm.h"
#include "kubectl.h"
#include "process/subprocess.h"

#ifdef DROID_CHART_TEST_WEBHOOK_SERVER
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "webhook/https_json_server.h"
#include "webhook/webhook_server.h"
#endif

namespace droid::e2e {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kId = std::to_string(getpid());
const std::string kSelectorLabel = "droid.dev/chart-e2e";
const fs::path kSource = DROID_SOURCE_DIR;
const fs::path kChart = kSource / "charts" / "droid-operator";
const std::string kDigest = "sha256:" + std::string(64, 'b');

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_dir() {
  static const std::string dir = [] {
    std::string d = (fs::temp_directory_path() / ("droid-chart-e2e-" + kId)).string();
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// Removes the run's temp dir (rendered certificates and keys, values files) at the end.
class TempDirCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(fs::temp_directory_path() / ("droid-chart-e2e-" + kId), ignored);
  }
};
// NOLINTNEXTLINE(cert-err58-cpp): gtest owns the environment; registering cannot throw in practice
[[maybe_unused]] ::testing::Environment* const kCleanup = ::testing::AddGlobalTestEnvironment(new TempDirCleanup);

// Writes `text` to a file of the run's temp dir and returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string project_version() {
  static const std::regex kProject(R"(project\(droid-operator\s+VERSION\s+([0-9.]+))");
  const std::string cmake = read_file(kSource / "CMakeLists.txt");
  std::smatch m;
  return std::regex_search(cmake, m, kProject) ? m[1].str() : "";
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return done();
}

bool contains(const json& array, const std::string& value) {
  return array.is_array() && std::find(array.begin(), array.end(), value) != array.end();
}

// Values that scope a release's webhooks and default OrgPolicy to this run's objects.
// The egress gateway's token key Secret: made once by the chart, kept on uninstall.
const std::string kEgressTokenKey = "droid-egress-token-key";

std::string scoped_values() {
  return "webhook:\n"
         "  objectSelector:\n"
         "    matchLabels: {" +
         kSelectorLabel + ": \"" + kId +
         "\"}\n"
         "defaultOrgPolicy:\n"
         "  namespaceSelector:\n"
         "    matchLabels: {" +
         kSelectorLabel + ": \"" + kId + "\"}\n";
}

// Every optional part of the chart switched on (ServiceMonitor, cert-manager, pull
// secrets, proxy, CA bundle, registry override, digests, pinned API server, a complete
// default OrgPolicy, the seccomp profile DaemonSet). `secret_ns` is a second namespace for
// rbac.extraSecretNamespaces, `nodes_ns` a Pod Security `privileged` one for the DaemonSet.
std::string everything_values(const std::string& secret_ns, const std::string& nodes_ns) {
  return R"(global:
  imageRegistry: registry.example.internal:5000/mirror
image:
  digest: )" +
         kDigest +
         R"(
runnerImage:
  tag: "0.1.0-rc1"
imagePullSecrets: [{name: mirror-pull}]
rbac:
  extraSecretNamespaces: [")" +
         secret_ns + R"("]
logLevel: debug
extraArgs: ["--image-pull-grace=300s"]
extraEnv: [{name: DROID_EXTRA, value: "1"}]
proxy:
  httpsProxy: http://proxy.corp.example:3128
  httpProxy: http://proxy.corp.example:3128
  noProxy: kubernetes.default.svc,10.0.0.0/8
caBundle:
  configMapName: corp-ca
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Equal, value: platform, effect: NoSchedule}]
podAnnotations: {example.com/team: platform}
podLabels: {example.com/cost-center: "42"}
webhook:
  timeoutSeconds: 10
  namespaceSelector:
    matchLabels: {droid.dev/enabled: "true"}
  objectSelector:
    matchLabels: {)" +
         kSelectorLabel + ": \"" + kId + R"("}
  certManager:
    enabled: true
metrics:
  serviceMonitor:
    enabled: true
    labels: {release: prometheus}
networkPolicy:
  apiServer:
    cidrs: [10.0.0.1/32, 192.168.10.0/24]
    ports: [6443]
seccompProfile:
  install: true
  namespace: ")" +
         nodes_ns + R"("
  tolerations: [{operator: Exists}]
defaultOrgPolicy:
  name: chart-e2e-everything-)" +
         kId + R"(
  priority: 5
  namespaceSelector:
    matchLabels: {)" +
         kSelectorLabel + ": \"" + kId + R"("}
  settings:
    maxAutonomyLevel: low
    models: {allowed: [qwen2.5-coder-32b-instruct]}
    shield: {enabled: true, mode: block}
  runner:
    image: registry.example.internal:5000/mirror/runner:0.1.0
    runtimeClassName: gvisor
    seccompProfile: {type: RuntimeDefault}
    maxTimeoutSeconds: 3600
  network:
    allowDNS: true
    egress:
      - name: vllm
        namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: llm}}
        ports: [{port: 8000}]
  gateways:
    - name: vllm
      provider: openai
      baseURL: http://vllm.llm.svc:8000/v1
      models: [qwen2.5-coder-32b-instruct]
  telemetry:
    otlpEndpoint: http://otel-collector.observability.svc:4318
    protocol: http/protobuf
  limits:
    maxConcurrentSessionsPerNamespace: 2
    tokenBudgetPerSession: 100000
)";
}

// Minimal CRDs for the third-party kinds the options render (Prometheus Operator,
// cert-manager), so that the dry run reaches them: they accept any spec.
std::string third_party_crd(const std::string& group, const std::string& kind, const std::string& plural) {
  return "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: " + plural + "." +
         group + "\nspec:\n  group: " + group + "\n  scope: Namespaced\n  names: {kind: " + kind +
         ", plural: " + plural + ", singular: " + plural.substr(0, plural.size() - 1) +
         "}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n"
         "    schema:\n      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n";
}

class ChartTest : public ::testing::Test {
 protected:
  static Helm& helm() {
    static Helm h = Helm::FromEnvironment();
    return h;
  }

  static const Kubectl& kubectl() {
    static const Kubectl k = Kubectl::FromEnvironment();
    return k;
  }

  // helm template RELEASE chart --namespace NS [extra...]; fails the test on error.
  static std::vector<json> render(const std::string& release, const std::string& ns,
                                  const std::vector<std::string>& extra = {}, std::string* raw = nullptr) {
    std::vector<std::string> args = {"template", release, kChart.string(), "--namespace", ns};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = helm().Run(args);
    EXPECT_TRUE(r.ok()) << r.describe();
    if (raw != nullptr) *raw = r.out;
    return r.ok() ? parse_manifests(r.out) : std::vector<json>{};
  }

  static std::optional<json> get_json(const std::vector<std::string>& what) {
    std::vector<std::string> args = {"get"};
    args.insert(args.end(), what.begin(), what.end());
    args.insert(args.end(), {"-o", "json"});
    auto r = kubectl().Run(args);
    if (!r.ok()) return std::nullopt;
    return json::parse(r.out);
  }

  // A namespace of this run, labelled for the webhooks' selectors and a Pod Security
  // level (enforced, and warned about on workloads). Deleted at the end.
  static std::string make_namespace(const std::string& suffix, const std::string& level = "restricted") {
    const std::string ns = "droid-chart-e2e-" + kId + "-" + suffix;
    const std::string manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n    " +
                                 kSelectorLabel + ": \"" + kId +
                                 "\"\n    droid.dev/enabled: \"true\"\n"
                                 "    pod-security.kubernetes.io/enforce: " +
                                 level + "\n    pod-security.kubernetes.io/warn: " + level + "\n";
    auto r = kubectl().Run({"apply", "--server-side", "--field-manager=chart-e2e", "-f", "-"}, manifest);
    EXPECT_TRUE(r.ok()) << r.describe();
    namespaces().push_back(ns);
    return ns;
  }

  static std::vector<std::string>& namespaces() {
    static std::vector<std::string> v;
    return v;
  }
  static std::vector<std::pair<std::string, std::string>>& releases() {
    static std::vector<std::pair<std::string, std::string>> v;
    return v;
  }
  static std::vector<std::string>& created_crds() {
    static std::vector<std::string> v;
    return v;
  }

  static void ensure_droid_crds() {
    auto r = kubectl().Run({"apply", "--server-side", "--force-conflicts", "--field-manager=chart-e2e", "-f",
                            (kSource / "crds").string()});
    ASSERT_TRUE(r.ok()) << r.describe();
    auto w = kubectl().Run({"wait", "--for", "condition=Established", "--timeout=60s", "crd/droidsessions.droid.dev",
                            "crd/orgpolicies.droid.dev"});
    ASSERT_TRUE(w.ok()) << w.describe();
  }

  // Creates a third-party CRD unless the cluster has one already (then it is left alone).
  static void ensure_crd(const std::string& group, const std::string& kind, const std::string& plural) {
    const std::string name = plural + "." + group;
    if (kubectl().Run({"get", "crd", name, "-o", "name"}).ok()) return;
    auto r = kubectl().Run({"create", "-f", "-"}, third_party_crd(group, kind, plural));
    ASSERT_TRUE(r.ok()) << r.describe();
    created_crds().push_back(name);
    auto w = kubectl().Run({"wait", "--for", "condition=Established", "--timeout=60s", "crd/" + name});
    ASSERT_TRUE(w.ok()) << w.describe();
  }

  // kubectl apply --server-side --dry-run=server of `manifests`; returns the output.
  static std::string dry_run(const std::string& manifests) {
    auto r = kubectl().Run({"apply", "--server-side", "--dry-run=server", "--field-manager=chart-e2e", "-f", "-"},
                           manifests);
    EXPECT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(r.err.find("Warning"), std::string::npos) << r.err;
    return r.out;
  }

  static void TearDownTestSuite() {
    if (!kubectl_available()) return;
    for (const auto& [release, ns] : releases()) helm().Run({"uninstall", release, "--namespace", ns, "--wait"});
    for (const auto& ns : namespaces())
      kubectl().Run({"delete", "namespace", ns, "--ignore-not-found", "--wait=false"});
    for (const auto& crd : created_crds()) kubectl().Run({"delete", "crd", crd, "--ignore-not-found"});
    releases().clear();
    namespaces().clear();
    created_crds().clear();
  }

  static bool kubectl_available() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
    const char* kc = std::getenv("KUBECONFIG");
    return kc != nullptr && *kc != '\0';
  }
};

// The PEM text of a base64 field.
std::string unbase64(const std::string& b64) {
  auto r = process::run({"base64", "-d"}, b64);
  EXPECT_TRUE(r.ok()) << r.describe();
  return r.out;
}

// `openssl verify` of the serving certificate against the CA bundle, as a TLS server
// certificate; its key matches; its names include the Service's.
void expect_certificate_verifies(const std::string& ca_pem, const std::string& crt_pem, const std::string& key_pem,
                                 const std::string& service_dns, const std::string& tag) {
  const std::string ca = write_temp(tag + "-ca.crt", ca_pem);
  const std::string crt = write_temp(tag + "-tls.crt", crt_pem);
  const std::string key = write_temp(tag + "-tls.key", key_pem);
  auto verify = process::run({"openssl", "verify", "-purpose", "sslserver", "-CAfile", ca, crt});
  EXPECT_TRUE(verify.ok()) << verify.describe();
  EXPECT_NE(verify.out.find(": OK"), std::string::npos) << verify.out;
  auto names = process::run({"openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", crt});
  EXPECT_TRUE(names.ok()) << names.describe();
  EXPECT_NE(names.out.find("DNS:" + service_dns), std::string::npos) << names.out;
  auto cert_key = process::run({"openssl", "x509", "-noout", "-pubkey", "-in", crt});
  auto private_key = process::run({"openssl", "pkey", "-pubout", "-in", key});
  EXPECT_TRUE(cert_key.ok() && private_key.ok()) << cert_key.describe() << private_key.describe();
  EXPECT_EQ(cert_key.out, private_key.out) << "tls.key does not belong to tls.crt";
}

// ---------------------------------------------------------------------------------------
// The chart's files (no cluster needed).

using ChartFiles = ChartTest;

TEST_F(ChartFiles, CrdsAreByteCopiesOfTheTopLevelCrds) {
  std::set<std::string> top;
  std::set<std::string> chart;
  for (const auto& e : fs::directory_iterator(kSource / "crds"))
    if (e.path().extension() == ".yaml") top.insert(e.path().filename().string());
  for (const auto& e : fs::directory_iterator(kChart / "crds")) chart.insert(e.path().filename().string());
  EXPECT_EQ(top, chart) << "charts/droid-operator/crds/ must hold exactly the CRDs of crds/";
  EXPECT_EQ(top.size(), 2U);
  for (const auto& name : top) {
    EXPECT_FALSE(fs::is_symlink(kChart / "crds" / name)) << name << ": a copy, not a symlink (helm warns on those)";
    EXPECT_TRUE(read_file(kSource / "crds" / name) == read_file(kChart / "crds" / name))
        << "charts/droid-operator/crds/" << name << " differs from crds/" << name
        << ": run scripts/render-manifests.sh (it copies the CRDs into the chart and renders deploy/manifests)";
  }
  auto shown = helm().Run({"show", "crds", kChart.string()});
  ASSERT_TRUE(shown.ok()) << shown.describe();
  EXPECT_NE(shown.out.find("name: droidsessions.droid.dev"), std::string::npos);
  EXPECT_NE(shown.out.find("name: orgpolicies.droid.dev"), std::string::npos);
}

TEST_F(ChartFiles, PackageCarriesTheCrdsAndTheSchema) {
  const std::string out = temp_dir() + "/package";
  fs::create_directories(out);
  auto r = helm().Run({"package", kChart.string(), "--destination", out});
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.err.find("symbolic link"), std::string::npos) << r.err;
  auto list = process::run({"tar", "tzf", out + "/droid-operator-0.1.0.tgz"});
  ASSERT_TRUE(list.ok()) << list.describe();
  for (const char* f :
       {"droid-operator/crds/droid.dev_droidsessions.yaml", "droid-operator/crds/droid.dev_orgpolicies.yaml",
        "droid-operator/values.schema.json", "droid-operator/templates/NOTES.txt"})
    EXPECT_NE(list.out.find(f), std::string::npos) << f << " not in the package:\n" << list.out;
}

TEST_F(ChartFiles, AppVersionIsTheProjectVersion) {
  const std::string version = project_version();
  ASSERT_FALSE(version.empty()) << "no project(droid-operator VERSION x.y.z) in CMakeLists.txt";
  auto chart = parse_manifests(read_file(kChart / "Chart.yaml"));
  ASSERT_EQ(chart.size(), 1U);
  EXPECT_EQ(chart[0]["appVersion"], version);
  auto docs = render("droid-operator", "droid-system");
  const json* d = find_object(docs, "Deployment", "droid-operator");
  ASSERT_NE(d, nullptr);
  const json& c = (*d)["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "localhost/droid/operator:" + version);
  EXPECT_TRUE(contains(c["args"], "--runner-image=localhost/droid/runner:" + version)) << c["args"];
}

TEST_F(ChartFiles, LintStrictIsClean) {
  const std::string values = write_temp("everything.yaml", everything_values("extra-secrets", "droid-nodes"));
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{{}, {"-f", values}}) {
    std::vector<std::string> args = {"lint", "--strict", kChart.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = helm().Run(args);
    EXPECT_TRUE(r.ok()) << r.describe();
    EXPECT_NE(r.out.find("1 chart(s) linted, 0 chart(s) failed"), std::string::npos) << r.out;
    for (const char* noise : {"[WARNING]", "[ERROR]", "[INFO]", "symbolic link"})
      EXPECT_EQ((r.out + r.err).find(noise), std::string::npos) << noise << " in:\n" << r.out << r.err;
  }
}

TEST_F(ChartFiles, SchemaRefusesBadValuesNamingTheField) {
  struct Case {
    std::vector<std::string> set;
    std::string names;  // what the error must name
  };
  const std::vector<Case> cases = {
      {{"--set", "replicaCount=two"}, "/replicaCount"},                     // wrong type
      {{"--set", "imagee.tag=1.0"}, "'imagee'"},                            // unknown key
      {{"--set", "webhook.certmanager.enabled=true"}, "'certmanager'"},     // nested typo
      {{"--set", "logLevel=verbose"}, "/logLevel"},                         // enum
      {{"--set", "image.pullPolicy=Sometimes"}, "/image/pullPolicy"},       // enum
      {{"--set", "webhook.timeoutSeconds=60"}, "/webhook/timeoutSeconds"},  // maximum
      {{"--set", "image.digest=latest"}, "/image/digest"},                  // pattern
      {{"--set", "leaderElection.leaseDuration=15 seconds"}, "/leaderElection/leaseDuration"},
      {{"--set", "defaultOrgPolicy.settings.maxAutonomyLevel=full"}, "/defaultOrgPolicy/settings/maxAutonomyLevel"},
      {{"--set", "defaultOrgPolicy.gateways[0].name=x", "--set", "defaultOrgPolicy.gateways[0].provider=azure", "--set",
        "defaultOrgPolicy.gateways[0].baseURL=http://x"},
       "/defaultOrgPolicy/gateways/0/provider"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"template", "t", kChart.string()};
    args.insert(args.end(), c.set.begin(), c.set.end());
    auto r = helm().Run(args);
    EXPECT_FALSE(r.ok()) << c.set.back() << " was accepted";
    EXPECT_NE(r.err.find("values don't meet the specifications of the schema"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << "the error should name " << c.names << ":\n" << r.err;
  }
  // Both CA bundle sources at once is refused by the template with a message.
  auto both = helm().Run(
      {"template", "t", kChart.string(), "--set", "caBundle.configMapName=a", "--set", "caBundle.secretName=b"});
  EXPECT_FALSE(both.ok());
  EXPECT_NE(both.err.find("caBundle: set configMapName or secretName, not both"), std::string::npos) << both.err;
}

TEST_F(ChartFiles, DefaultsRenderTheOperatorTheWebhookAndTheirPolicies) {
  const std::string ns = "droid-system";
  auto docs = render("droid-operator", ns);
  std::multiset<std::string> kinds;  // the operator's (the egress gateway's: EgressGatewayIsLockedDown)
  for (const auto& d : docs)
    if (d["metadata"]["labels"].value("app.kubernetes.io/name", "") == "droid-operator")
      kinds.insert(d["kind"].get<std::string>());
  for (const char* k : {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment",
                        "PodDisruptionBudget", "Secret", "MutatingWebhookConfiguration",
                        "ValidatingWebhookConfiguration", "NetworkPolicy", "OrgPolicy"})
    EXPECT_EQ(kinds.count(k), 1U) << k;
  EXPECT_EQ(kinds.count("Service"), 2U);
  EXPECT_EQ(kinds.count("ServiceMonitor"), 0U) << "off by default (needs the Prometheus Operator's CRD)";
  for (const auto& d : docs) {
    EXPECT_EQ(d["metadata"]["labels"]["app.kubernetes.io/instance"], "droid-operator") << d["kind"];
    const bool cluster_scoped = d["kind"] == "ClusterRole" || d["kind"] == "ClusterRoleBinding" ||
                                d["kind"] == "OrgPolicy" ||
                                d["kind"].get<std::string>().find("Webhook") != std::string::npos;
    if (!cluster_scoped) {
      EXPECT_EQ(d["metadata"]["namespace"], ns) << d["kind"];
    }
  }

  const json* dep = find_object(docs, "Deployment", "droid-operator");
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ((*dep)["spec"]["replicas"], 2);
  const json& pod = (*dep)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"], "droid-operator");
  EXPECT_EQ(pod["automountServiceAccountToken"], true);
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(pod["terminationGracePeriodSeconds"], 30);
  EXPECT_TRUE(pod["affinity"]["podAntiAffinity"].contains("preferredDuringSchedulingIgnoredDuringExecution"));
  EXPECT_EQ(pod["topologySpreadConstraints"][0]["whenUnsatisfiable"], "ScheduleAnyway");
  const json& c = pod["containers"][0];
  for (const std::string a :
       {"--leader-elect=true", "--lease-name=droid-operator", "--namespace=droid-system", "--ops-bind-address=:8080",
        "--webhook-bind-address=:9443", "--webhook-cert-dir=/etc/droid/webhook-certs"})
    EXPECT_TRUE(contains(c["args"], a)) << a << " not in " << c["args"];
  for (const auto& a : c["args"])
    EXPECT_EQ(a.get<std::string>().rfind("--max-approval-rounds", 0), std::string::npos) << "the operator's default";
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"], "ops");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_TRUE(c["resources"]["limits"].contains("memory"));
  EXPECT_TRUE(c["resources"]["requests"].contains("cpu"));
  const json& sc = c["securityContext"];
  EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc["runAsNonRoot"], true);
  EXPECT_EQ(sc["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault");
  std::set<std::string> env;
  for (const auto& e : c["env"]) env.insert(e["name"].get<std::string>());
  EXPECT_EQ(env, (std::set<std::string>{"POD_NAME", "POD_NAMESPACE"})) << "no proxy or CA variables by default";

  const json* pdb = find_object(docs, "PodDisruptionBudget", "droid-operator");
  ASSERT_NE(pdb, nullptr);
  EXPECT_EQ((*pdb)["spec"]["minAvailable"], 1);
  EXPECT_EQ((*pdb)["spec"]["selector"]["matchLabels"], (*dep)["spec"]["selector"]["matchLabels"]);

  const json* svc = find_object(docs, "Service", "droid-operator-webhook");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ((*svc)["spec"]["ports"][0]["port"], 443);
  EXPECT_EQ((*svc)["spec"]["ports"][0]["targetPort"], "webhook");
  const json* metrics = find_object(docs, "Service", "droid-operator-metrics");
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ((*metrics)["spec"]["ports"][0]["targetPort"], "ops");

  // The three webhooks: the operator's routes, Fail, None, the chart's CA.
  const json* secret = find_object(docs, "Secret", "droid-operator-webhook-tls");
  ASSERT_NE(secret, nullptr);
  const json* mutating = find_object(docs, "MutatingWebhookConfiguration", "droid-operator");
  const json* validating = find_object(docs, "ValidatingWebhookConfiguration", "droid-operator");
  ASSERT_TRUE(mutating != nullptr && validating != nullptr);
  ASSERT_EQ((*mutating)["webhooks"].size(), 1U);
  ASSERT_EQ((*validating)["webhooks"].size(), 2U);
  const std::vector<std::tuple<const json*, std::string, std::string, json>> hooks = {
      {&(*mutating)["webhooks"][0], "/mutate-droidsession", "droidsessions", json::array({"CREATE", "UPDATE"})},
      {&(*validating)["webhooks"][0], "/validate-droidsession", "droidsessions", json::array({"CREATE", "UPDATE"})},
      {&(*validating)["webhooks"][1], "/validate-orgpolicy", "orgpolicies", json::array({"CREATE", "UPDATE"})}};
  for (const auto& [w, path, resource, operations] : hooks) {
    SCOPED_TRACE(path);
    EXPECT_EQ((*w)["clientConfig"]["service"]["name"], "droid-operator-webhook");
    EXPECT_EQ((*w)["clientConfig"]["service"]["namespace"], ns);
    EXPECT_EQ((*w)["clientConfig"]["service"]["port"], 443);
    EXPECT_EQ((*w)["clientConfig"]["service"]["path"], path);
    EXPECT_EQ((*w)["clientConfig"]["caBundle"], (*secret)["data"]["ca.crt"]);
    EXPECT_EQ((*w)["rules"][0]["resources"], json::array({resource}));
    EXPECT_EQ((*w)["rules"][0]["operations"], operations);
    EXPECT_EQ((*w)["failurePolicy"], "Fail");
    EXPECT_EQ((*w)["sideEffects"], "None");
    EXPECT_EQ((*w)["timeoutSeconds"], 5);
    EXPECT_EQ((*w)["admissionReviewVersions"], json::array({"v1"}));
  }
  for (const json* w : {&(*mutating)["webhooks"][0], &(*validating)["webhooks"][0]})
    EXPECT_EQ((*w)["namespaceSelector"]["matchExpressions"][0]["values"], json::array({"kube-system", ns}));
  // The chart's own OrgPolicy is exempt from the webhook that cannot serve yet.
  EXPECT_EQ((*validating)["webhooks"][1]["objectSelector"]["matchExpressions"][0]["key"],
            "droid.dev/chart-default-policy");
  const json* policy = find_object(docs, "OrgPolicy", "droid-operator-default");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ((*policy)["metadata"]["labels"]["droid.dev/chart-default-policy"], "true");
  EXPECT_EQ((*policy)["spec"]["settings"]["maxAutonomyLevel"], "medium");
  EXPECT_FALSE((*policy)["spec"].contains("gateways")) << "empty values are left out";

  // NetworkPolicy: webhook from anywhere, ops from the monitoring namespace, egress API server + DNS.
  const json* np = find_object(docs, "NetworkPolicy", "droid-operator-operator");
  ASSERT_NE(np, nullptr);
  EXPECT_EQ((*np)["spec"]["policyTypes"], json::array({"Ingress", "Egress"}));
  EXPECT_EQ((*np)["spec"]["ingress"][0]["ports"][0]["port"], "webhook");
  EXPECT_FALSE((*np)["spec"]["ingress"][0].contains("from"));
  EXPECT_EQ((*np)["spec"]["ingress"][1]["ports"][0]["port"], "ops");
  EXPECT_TRUE((*np)["spec"]["ingress"][1]["from"][0].contains("namespaceSelector"));
  EXPECT_EQ((*np)["spec"]["egress"].size(), 2U);
  EXPECT_EQ((*np)["spec"]["egress"][1]["ports"][0]["port"], 53);
}

// The egress gateway (issue 15), on by default: two restricted replicas of the operator
// image's second entrypoint behind a Service, a PDB, RBAC of exactly the contract's
// rights, its token key made once, a NetworkPolicy of its own; the operator points at it.
TEST_F(ChartFiles, EgressGatewayIsLockedDown) {
  const std::string ns = "droid-system";
  auto docs = render("droid-operator", ns);
  std::multiset<std::string> kinds;
  for (const auto& d : docs)
    if (d["metadata"]["labels"].value("app.kubernetes.io/name", "") == "droid-egress")
      kinds.insert(d["kind"].get<std::string>());
  EXPECT_EQ(kinds, (std::multiset<std::string>{"ClusterRole", "ClusterRoleBinding", "Deployment", "NetworkPolicy",
                                               "PodDisruptionBudget", "Role", "RoleBinding", "Secret", "Service",
                                               "ServiceAccount"}));

  const json* dep = find_object(docs, "Deployment", "droid-egress");
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ((*dep)["spec"]["replicas"], 2);
  const json& pod = (*dep)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"], "droid-egress");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["command"], json::array({"/usr/local/bin/droid-egress"}));
  EXPECT_EQ(c["image"],
            (*find_object(docs, "Deployment", "droid-operator"))["spec"]["template"]["spec"]["containers"][0]["image"])
      << "the operator image, second entrypoint";
  for (const std::string a : {"--namespace=droid-system", "--listen=0.0.0.0:3128", "--ops-listen=0.0.0.0:9464"})
    EXPECT_TRUE(contains(c["args"], a)) << a << " not in " << c["args"];
  const json& sc = c["securityContext"];
  EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc["runAsNonRoot"], true);
  EXPECT_EQ(sc["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"], "metrics");
  EXPECT_TRUE(c["resources"]["limits"].contains("memory"));
  for (const auto& v : pod.value("volumes", json::array())) EXPECT_FALSE(v.contains("secret")) << v;

  const json* svc = find_object(docs, "Service", "droid-egress");
  ASSERT_NE(svc, nullptr);
  std::map<std::string, int> ports;
  for (const auto& p : (*svc)["spec"]["ports"]) ports[p["name"]] = p["port"];
  EXPECT_EQ(ports, (std::map<std::string, int>{{"proxy", 3128}, {"metrics", 9464}}));
  EXPECT_EQ((*svc)["spec"]["selector"], (*dep)["spec"]["selector"]["matchLabels"]);
  const json* pdb = find_object(docs, "PodDisruptionBudget", "droid-egress");
  ASSERT_NE(pdb, nullptr);
  EXPECT_EQ((*pdb)["spec"]["minAvailable"], 1);
  EXPECT_EQ((*pdb)["spec"]["selector"]["matchLabels"], (*dep)["spec"]["selector"]["matchLabels"]);
  EXPECT_EQ((*dep)["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"], "droid-egress")
      << "the label the operator's per-session NetworkPolicies select";

  // RBAC: exactly the contract's rights.
  const json* role = find_object(docs, "Role", "droid-egress");
  const json* cluster_role = find_object(docs, "ClusterRole", "droid-operator-egress");
  ASSERT_TRUE(role != nullptr && cluster_role != nullptr);
  EXPECT_EQ((*role)["rules"], json::parse(R"([{"apiGroups": [""], "resources": ["configmaps", "secrets"],
                                               "verbs": ["get", "list", "watch"]}])"));
  EXPECT_EQ((*cluster_role)["rules"], json::parse(R"([
      {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
      {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]}])"));
  for (const char* kind : {"RoleBinding", "ClusterRoleBinding"}) {
    const json* b =
        find_object(docs, kind, kind == std::string("RoleBinding") ? "droid-egress" : "droid-operator-egress");
    ASSERT_NE(b, nullptr) << kind;
    EXPECT_EQ((*b)["subjects"], json::parse(R"([{"kind": "ServiceAccount", "name": "droid-egress",
                                                 "namespace": "droid-system"}])"));
  }
  // The operator may list and delete the grants in its namespace, nothing more than before elsewhere.
  const json* op_role = find_object(docs, "Role", "droid-operator-operator");
  ASSERT_NE(op_role, nullptr);
  bool grants = false;
  for (const auto& r : (*op_role)["rules"])
    grants = grants || (r["resources"] == json::array({"configmaps"}) && r["verbs"] == json::array({"list", "delete"}));
  EXPECT_TRUE(grants) << (*op_role)["rules"];

  // The token key: random, at least 32 bytes, kept on uninstall.
  const json* key = find_object(docs, "Secret", "droid-egress-token-key");
  ASSERT_NE(key, nullptr);
  EXPECT_GE(unbase64((*key)["data"]["key"]).size(), 32U);
  EXPECT_EQ((*key)["metadata"]["annotations"]["helm.sh/resource-policy"], "keep");
  EXPECT_NE(unbase64((*find_object(render("droid-operator", ns), "Secret", "droid-egress-token-key"))["data"]["key"]),
            unbase64((*key)["data"]["key"]))
      << "a fresh install gets a fresh key";

  // Its NetworkPolicy: runner pods in, the API server, DNS and upstreams out.
  const json* np = find_object(docs, "NetworkPolicy", "droid-egress");
  ASSERT_NE(np, nullptr);
  EXPECT_EQ((*np)["spec"]["podSelector"]["matchLabels"], (*dep)["spec"]["selector"]["matchLabels"]);
  EXPECT_EQ((*np)["spec"]["ingress"][0]["ports"][0]["port"], "proxy");
  EXPECT_EQ((*np)["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"],
            "runner");
  EXPECT_EQ((*np)["spec"]["ingress"][1]["ports"][0]["port"], "metrics");
  EXPECT_EQ((*np)["spec"]["egress"].size(), 3U);

  // The operator is told where it is.
  const json& op = (*find_object(docs, "Deployment", "droid-operator"))["spec"]["template"]["spec"]["containers"][0];
  EXPECT_TRUE(contains(op["args"], "--egress-gateway=droid-egress.droid-system.svc:3128")) << op["args"];

  // Pinned upstreams and direct mode.
  auto pinned = render("droid-operator", ns,
                       {"--set", "egress.networkPolicy.upstreams[0].ports[0].port=443", "--set",
                        "egress.networkPolicy.upstreams[0].to[0].ipBlock.cidr=10.20.0.0/16"});
  const json& upstream = (*find_object(pinned, "NetworkPolicy", "droid-egress"))["spec"]["egress"][2];
  EXPECT_EQ(upstream["to"][0]["ipBlock"]["cidr"], "10.20.0.0/16");
  auto direct = render("droid-operator", ns, {"--set", "egress.enabled=false"});
  for (const auto& d : direct)
    EXPECT_NE(d["metadata"]["labels"].value("app.kubernetes.io/name", ""), "droid-egress") << d["kind"];
  const json& direct_op =
      (*find_object(direct, "Deployment", "droid-operator"))["spec"]["template"]["spec"]["containers"][0];
  for (const auto& a : direct_op["args"]) EXPECT_EQ(a.get<std::string>().rfind("--egress", 0), std::string::npos);
}

TEST_F(ChartFiles, ImagesFollowTheRegistryOverrideTagsAndDigests) {
  auto docs = render("r", "ns",
                     {"--set", "global.imageRegistry=mirror.corp:5000/droid/", "--set", "image.digest=" + kDigest,
                      "--set", "runnerImage.tag=2.0.1", "--set", "imagePullSecrets[0].name=mirror-pull", "--set",
                      "runnerImage.pullPolicy=Always"});
  const json* d = find_object(docs, "Deployment", "r");
  ASSERT_NE(d, nullptr);
  const json& pod = (*d)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["containers"][0]["image"], "mirror.corp:5000/droid/operator@" + kDigest);
  EXPECT_TRUE(contains(pod["containers"][0]["args"], "--runner-image=mirror.corp:5000/droid/runner:2.0.1"));
  EXPECT_TRUE(contains(pod["containers"][0]["args"], "--runner-image-pull-policy=Always"));
  EXPECT_EQ(pod["imagePullSecrets"], json::parse(R"([{"name":"mirror-pull"}])"));

  docs = render("r", "ns", {"--set", "image.registry=", "--set", "image.repository=droid-operator"});
  d = find_object(docs, "Deployment", "r");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ((*d)["spec"]["template"]["spec"]["containers"][0]["image"], "droid-operator:" + project_version());
}

TEST_F(ChartFiles, ProxyAndCaBundleReachTheOperatorContainer) {
  auto docs = render("r", "ns",
                     {"--set", "proxy.httpsProxy=http://proxy:3128", "--set", "proxy.noProxy=kubernetes.default.svc",
                      "--set", "caBundle.secretName=corp-ca", "--set", "caBundle.key=bundle.pem"});
  const json* d = find_object(docs, "Deployment", "r");
  ASSERT_NE(d, nullptr);
  const json& pod = (*d)["spec"]["template"]["spec"];
  std::map<std::string, std::string> env;
  for (const auto& e : pod["containers"][0]["env"])
    if (e.contains("value")) env[e["name"]] = e["value"];
  EXPECT_EQ(env["HTTPS_PROXY"], "http://proxy:3128");
  EXPECT_EQ(env["NO_PROXY"], "kubernetes.default.svc");
  EXPECT_EQ(env.count("HTTP_PROXY"), 0U);
  EXPECT_EQ(env["SSL_CERT_FILE"], "/etc/droid/ca/bundle.pem");
  bool mounted = false;
  for (const auto& v : pod["volumes"])
    if (v["name"] == "ca-bundle") mounted = v["secret"]["secretName"] == "corp-ca";
  EXPECT_TRUE(mounted) << pod["volumes"];
}

TEST_F(ChartFiles, CertificateOptions) {
  // cert-manager: Issuer/Certificate, the cainjector annotation, no CA bundle or Secret of the chart's.
  auto docs = render("r", "ns", {"--set", "webhook.certManager.enabled=true"});
  EXPECT_EQ(find_object(docs, "Secret", "r-webhook-tls"), nullptr);
  const json* cert = find_object(docs, "Certificate", "r-webhook");
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ((*cert)["spec"]["secretName"], "r-webhook-tls");
  EXPECT_TRUE(contains((*cert)["spec"]["dnsNames"], "r-webhook.ns.svc"));
  EXPECT_EQ((*cert)["spec"]["issuerRef"]["name"], "r-webhook-ca");
  EXPECT_NE(find_object(docs, "Issuer", "r-selfsigned"), nullptr);
  EXPECT_NE(find_object(docs, "Issuer", "r-webhook-ca"), nullptr);
  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    const json* w = find_object(docs, kind, "r");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ((*w)["metadata"]["annotations"]["cert-manager.io/inject-ca-from"], "ns/r-webhook");
    EXPECT_FALSE((*w)["webhooks"][0]["clientConfig"].contains("caBundle"));
  }
  // cert-manager with the platform's issuer: no issuers of the chart's.
  docs = render("r", "ns",
                {"--set", "webhook.certManager.enabled=true", "--set", "webhook.certManager.issuerRef.name=corp",
                 "--set", "webhook.certManager.issuerRef.kind=ClusterIssuer"});
  EXPECT_EQ(find_object(docs, "Issuer", "r-selfsigned"), nullptr);
  cert = find_object(docs, "Certificate", "r-webhook");
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ((*cert)["spec"]["issuerRef"], json::parse(R"({"name":"corp","kind":"ClusterIssuer"})"));
  // External: no Secret; the CA bundle from values, or none (deploy/webhook-cert.sh patches it).
  docs = render("r", "ns", {"--set", "webhook.certificate.generate=false"});
  EXPECT_EQ(find_object(docs, "Secret", "r-webhook-tls"), nullptr);
  const json* v = find_object(docs, "ValidatingWebhookConfiguration", "r");
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE((*v)["webhooks"][0]["clientConfig"].contains("caBundle"));
  docs =
      render("r", "ns", {"--set", "webhook.certificate.generate=false", "--set", "webhook.certificate.caBundle=Q0E="});
  v = find_object(docs, "ValidatingWebhookConfiguration", "r");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["webhooks"][1]["clientConfig"]["caBundle"], "Q0E=");
  // The generated certificate is valid for the Service and signed by the CA in the bundle.
  docs = render("r", "ns");
  const json* secret = find_object(docs, "Secret", "r-webhook-tls");
  ASSERT_NE(secret, nullptr);
  expect_certificate_verifies(unbase64((*secret)["data"]["ca.crt"]), unbase64((*secret)["data"]["tls.crt"]),
                              unbase64((*secret)["data"]["tls.key"]), "r-webhook.ns.svc", "rendered");
  // No webhook: no certificate, no configurations, no flags.
  docs = render("r", "ns", {"--set", "webhook.enabled=false"});
  for (const auto& d : docs) {
    EXPECT_EQ(d["kind"].get<std::string>().find("Webhook"), std::string::npos);
    if (d["kind"] == "Secret") {
      EXPECT_EQ(d["metadata"]["name"], "droid-egress-token-key") << "the only Secret left";
    }
  }
}

TEST_F(ChartFiles, SeccompProfileDaemonSetInstallsTheProjectsProfile) {
  const std::string profile = read_file(kSource / "policies" / "seccomp" / "droid-runner.json");
  ASSERT_FALSE(profile.empty());
  EXPECT_TRUE(profile == read_file(kChart / "files" / "seccomp" / "droid-runner.json"))
      << "charts/droid-operator/files/seccomp/droid-runner.json differs from policies/seccomp/droid-runner.json: "
         "run scripts/render-manifests.sh";
  for (const auto& d : render("r", "ns")) EXPECT_NE(d["kind"], "DaemonSet") << "off by default";
  auto docs = render("r", "ns",
                     {"--set", "seccompProfile.install=true", "--set", "seccompProfile.namespace=droid-nodes", "--set",
                      "seccompProfile.kubeletRootDir=/var/lib/k8s/kubelet/"});
  const json* cm = find_object(docs, "ConfigMap", "r-seccomp-profile");
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ((*cm)["metadata"]["namespace"], "droid-nodes");
  EXPECT_TRUE((*cm)["data"]["droid-runner.json"] == profile) << "the ConfigMap carries the profile byte for byte";
  const json* ds = find_object(docs, "DaemonSet", "r-seccomp-profile");
  ASSERT_NE(ds, nullptr);
  const json& pod = (*ds)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["automountServiceAccountToken"], false);
  EXPECT_EQ(pod["volumes"][1]["hostPath"]["path"], "/var/lib/k8s/kubelet/seccomp/profiles");
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["image"], "localhost/droid/runner:" + project_version());
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(c["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_NE(c["args"][0].get<std::string>().find("mv /var/lib/k8s/kubelet/seccomp/profiles/.droid-runner.json.tmp "
                                                 "/var/lib/k8s/kubelet/seccomp/profiles/droid-runner.json"),
            std::string::npos)
      << c["args"][0];
}

#ifdef DROID_CHART_TEST_WEBHOOK_SERVER
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

// The operator's own webhook server (operator/webhook) serves the certificate and key the
// chart generates, and a client that checks them as the API server does (the CA bundle of
// the webhook configurations, the Service's DNS name) gets the admission answers.
TEST_F(ChartFiles, TheOperatorsWebhookServesTheChartsCertificate) {
  auto docs = render("r", "ns");
  const json* secret = find_object(docs, "Secret", "r-webhook-tls");
  const json* validating = find_object(docs, "ValidatingWebhookConfiguration", "r");
  ASSERT_TRUE(secret != nullptr && validating != nullptr);
  const std::string dir = temp_dir() + "/served";
  fs::create_directories(dir);
  std::ofstream(dir + "/tls.crt") << unbase64((*secret)["data"]["tls.crt"]);
  std::ofstream(dir + "/tls.key") << unbase64((*secret)["data"]["tls.key"]);
  std::ofstream(dir + "/ca.crt") << unbase64((*validating)["webhooks"][1]["clientConfig"]["caBundle"]);
  const int port = free_port();
  ASSERT_GT(port, 0);
  op::HttpsJsonServer server(
      {.address = "127.0.0.1", .port = port, .cert_file = dir + "/tls.crt", .key_file = dir + "/tls.key"},
      op::webhook_routes([] { return op::AdmissionContext{}; }));
  ASSERT_NO_THROW(server.start());
  const std::string host = "r-webhook.ns.svc";
  auto post = [&](const json& settings) {
    const json review = {{"apiVersion", "admission.k8s.io/v1"},
                         {"kind", "AdmissionReview"},
                         {"request",
                          {{"uid", "chart-e2e"},
                           {"kind", {{"group", "droid.dev"}, {"version", "v1alpha1"}, {"kind", "OrgPolicy"}}},
                           {"operation", "CREATE"},
                           {"name", "p"},
                           {"object", {{"spec", {{"settings", settings}}}}}}}};
    return process::run({"curl", "--silent", "--show-error", "--fail", "--cacert", dir + "/ca.crt", "--resolve",
                         host + ":" + std::to_string(port) + ":127.0.0.1", "-H", "Content-Type: application/json",
                         "--data-binary", "@-", "https://" + host + ":" + std::to_string(port) + "/validate-orgpolicy"},
                        review.dump());
  };
  auto allowed = post({{"maxAutonomyLevel", "low"}});
  ASSERT_TRUE(allowed.ok()) << allowed.describe();
  EXPECT_EQ(json::parse(allowed.out)["response"]["allowed"], true) << allowed.out;
  auto refused = post({{"maxAutonomyLevel", "full"}});
  ASSERT_TRUE(refused.ok()) << refused.describe();
  EXPECT_EQ(json::parse(refused.out)["response"]["allowed"], false) << refused.out;
  // Another name than the Service's is not in the certificate: the client refuses it.
  auto wrong_name = process::run({"curl", "--silent", "--cacert", dir + "/ca.crt", "--resolve",
                                  "other.ns.svc:" + std::to_string(port) + ":127.0.0.1",
                                  "https://other.ns.svc:" + std::to_string(port) + "/validate-orgpolicy"});
  EXPECT_FALSE(wrong_name.ok());
  server.stop();
}
#endif  // DROID_CHART_TEST_WEBHOOK_SERVER

TEST_F(ChartFiles, PlainManifestsAreInSyncWithTheChart) {
  process::Options o;
  o.env = {"DROID_HELM=" + helm().binary()};
  o.timeout = 120s;
  auto r = process::run_with({(kSource / "scripts" / "render-manifests.sh").string(), "--check"}, o);
  EXPECT_TRUE(r.ok()) << "deploy/manifests is stale: run scripts/render-manifests.sh\n" << r.describe();
  const std::string operator_yaml = read_file(kSource / "deploy" / "manifests" / "droid-operator.yaml");
  EXPECT_EQ(operator_yaml.find("BEGIN CERTIFICATE"), std::string::npos) << "no key material in committed manifests";
  EXPECT_EQ(operator_yaml.find("caBundle"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// On the API server.

using ChartCluster = ChartTest;

TEST_F(ChartCluster, DefaultsPassAServerSideDryRun) {
  ensure_droid_crds();
  const std::string ns = make_namespace("dry");
  std::string raw;
  render("droid-operator", ns, {}, &raw);
  const std::string out = dry_run(raw);
  for (const std::string o :
       {"deployment.apps/droid-operator", "mutatingwebhookconfiguration.admissionregistration.k8s.io/droid-operator",
        "orgpolicy.droid.dev/droid-operator-default", "networkpolicy.networking.k8s.io/droid-operator-operator"})
    EXPECT_NE(out.find(o + " serverside-applied (server dry run)"), std::string::npos) << o << " in\n" << out;
}

TEST_F(ChartCluster, EveryOptionPassesAServerSideDryRun) {
  ensure_droid_crds();
  // The ServiceMonitor and cert-manager kinds need their CRDs: minimal stand-ins (any
  // spec) are created when the cluster has none, so the dry run reaches every object.
  ensure_crd("monitoring.coreos.com", "ServiceMonitor", "servicemonitors");
  ensure_crd("cert-manager.io", "Issuer", "issuers");
  ensure_crd("cert-manager.io", "Certificate", "certificates");
  const std::string ns = make_namespace("all");
  const std::string secrets_ns = make_namespace("all-secrets");
  const std::string nodes_ns = make_namespace("all-nodes", "privileged");
  const std::string values = write_temp("everything-" + ns + ".yaml", everything_values(secrets_ns, nodes_ns));
  std::string raw;
  auto docs = render("everything", ns, {"-f", values}, &raw);
  std::set<std::string> kinds;
  for (const auto& d : docs) kinds.insert(d["kind"].get<std::string>());
  for (const char* k : {"ServiceMonitor", "Certificate", "Issuer", "OrgPolicy", "NetworkPolicy", "DaemonSet"})
    EXPECT_EQ(kinds.count(k), 1U) << k;
  const std::string out = dry_run(raw);
  EXPECT_NE(out.find("servicemonitor.monitoring.coreos.com/everything serverside-applied (server dry run)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("daemonset.apps/everything-seccomp-profile serverside-applied (server dry run)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("role.rbac.authorization.k8s.io/everything-operator-secrets serverside-applied"),
            std::string::npos)
      << out;
  const json* d = find_object(docs, "Deployment", "everything");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ((*d)["spec"]["template"]["spec"]["containers"][0]["image"],
            "registry.example.internal:5000/mirror/operator@" + kDigest);
}

TEST_F(ChartCluster, PlainManifestsAndSamplesPassAServerSideDryRun) {
  ensure_droid_crds();
  // The manifests' namespace must exist for the dry run of its objects (a dry-run
  // Namespace is not stored). Created only when missing, and then deleted again.
  const bool had_namespace = kubectl().Run({"get", "namespace", "droid-system", "-o", "name"}).ok();
  if (!had_namespace) {
    auto r = kubectl().Run({"create", "namespace", "droid-system"});
    ASSERT_TRUE(r.ok()) << r.describe();
  }
  const std::string crds = read_file(kSource / "deploy" / "manifests" / "crds.yaml");
  const std::string manifests = read_file(kSource / "deploy" / "manifests" / "droid-operator.yaml");
  EXPECT_NE(dry_run(crds).find("customresourcedefinition.apiextensions.k8s.io/orgpolicies.droid.dev"),
            std::string::npos);
  const std::string out = dry_run(manifests);
  EXPECT_NE(out.find("deployment.apps/droid-operator serverside-applied (server dry run)"), std::string::npos) << out;
  EXPECT_NE(out.find("validatingwebhookconfiguration.admissionregistration.k8s.io/droid-operator"), std::string::npos);
  const std::string team = read_file(kSource / "deploy" / "samples" / "policies" / "team-policy.yaml");
  EXPECT_EQ(team.rfind('#', 0), 0U) << "samples start with a comment";
  EXPECT_NE(dry_run(team).find("orgpolicy.droid.dev/team-payments serverside-applied (server dry run)"),
            std::string::npos);
  if (!had_namespace) kubectl().Run({"delete", "namespace", "droid-system", "--wait=false"});
}

// What a release made, by kind (plural.group as kubectl names them) and name.
struct Created {
  std::string kind;
  std::string name;
  bool cluster_scoped;
};

std::vector<std::string> objects_labelled(const Kubectl& k, const std::string& release, const std::string& ns) {
  const std::string label = "app.kubernetes.io/instance=" + release;
  std::vector<std::string> names;
  for (const auto& [kinds, namespaced] : std::vector<std::pair<std::string, bool>>{
           {"deployments,services,secrets,serviceaccounts,roles.rbac.authorization.k8s.io,"
            "rolebindings.rbac.authorization.k8s.io,networkpolicies.networking.k8s.io,poddisruptionbudgets,configmaps",
            true},
           {"clusterroles.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io,"
            "mutatingwebhookconfigurations,validatingwebhookconfigurations,orgpolicies.droid.dev",
            false}}) {
    std::vector<std::string> args = {"get", kinds, "-l", label, "-o", "name"};
    if (namespaced) args.insert(args.end(), {"-n", ns});
    auto r = k.Run(args);
    EXPECT_TRUE(r.ok()) << r.describe();
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) names.push_back(line);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(ChartCluster, InstallUpgradeUninstall) {
  ensure_droid_crds();
  const std::string ns = make_namespace("install");
  const std::string release = "droid-e2e-" + kId;
  const std::string values = write_temp("scoped.yaml", scoped_values());
  auto install = helm().Run({"install", release, kChart.string(), "--namespace", ns, "-f", values, "--timeout", "2m"});
  ASSERT_TRUE(install.ok()) << install.describe();
  releases().emplace_back(release, ns);
  EXPECT_EQ(install.err.find("would violate PodSecurity"), std::string::npos) << install.err;
  EXPECT_NE(install.out.find("Create a first session"), std::string::npos) << "NOTES.txt is shown:\n" << install.out;

  // Every object, by kind and name.
  const std::vector<Created> expected = {
      {"serviceaccount", "droid-operator", false},
      {"role.rbac.authorization.k8s.io", release + "-operator", false},
      {"rolebinding.rbac.authorization.k8s.io", release + "-operator", false},
      {"service", release + "-webhook", false},
      {"service", release + "-metrics", false},
      {"secret", release + "-webhook-tls", false},
      {"deployment.apps", release, false},
      {"poddisruptionbudget.policy", release, false},
      {"networkpolicy.networking.k8s.io", release + "-operator", false},
      {"clusterrole.rbac.authorization.k8s.io", release + "-operator", true},
      {"clusterrolebinding.rbac.authorization.k8s.io", release + "-operator", true},
      {"mutatingwebhookconfiguration.admissionregistration.k8s.io", release, true},
      {"validatingwebhookconfiguration.admissionregistration.k8s.io", release, true},
      {"orgpolicy.droid.dev", release + "-default", true},
      // The egress gateway (on by default; issue 15).
      {"serviceaccount", "droid-egress", false},
      {"role.rbac.authorization.k8s.io", "droid-egress", false},
      {"rolebinding.rbac.authorization.k8s.io", "droid-egress", false},
      {"service", "droid-egress", false},
      {"deployment.apps", "droid-egress", false},
      {"poddisruptionbudget.policy", "droid-egress", false},
      {"networkpolicy.networking.k8s.io", "droid-egress", false},
      {"clusterrole.rbac.authorization.k8s.io", release + "-egress", true},
      {"clusterrolebinding.rbac.authorization.k8s.io", release + "-egress", true},
      {"secret", kEgressTokenKey, false},
  };
  std::vector<std::string> expected_names;
  for (const auto& c : expected) {
    std::vector<std::string> what = {c.kind, c.name};
    if (!c.cluster_scoped) what.insert(what.end(), {"-n", ns});
    EXPECT_TRUE(get_json(what).has_value()) << c.kind << "/" << c.name << " was not created";
    expected_names.push_back(c.kind + "/" + c.name);
  }
  std::sort(expected_names.begin(), expected_names.end());
  EXPECT_EQ(objects_labelled(kubectl(), release, ns), expected_names) << "the release label finds exactly these";

  // The Deployment wants two replicas; its pods pass Pod Security `restricted` (the
  // namespace enforces it), and stay Pending: this control plane has no node.
  auto dep = get_json({"deployment", release, "-n", ns});
  ASSERT_TRUE(dep);
  EXPECT_EQ((*dep)["spec"]["replicas"], 2);
  const std::string selector = "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/component=operator";
  EXPECT_TRUE(eventually([&] {
    auto pods = get_json({"pods", "-n", ns, "-l", selector});
    return pods && (*pods)["items"].size() == 2;
  })) << "the ReplicaSet did not create two pods (a Pod Security refusal shows in its events)";

  // The CA bundle of every webhook verifies the Secret's serving certificate.
  auto secret = get_json({"secret", release + "-webhook-tls", "-n", ns});
  auto mutating = get_json({"mutatingwebhookconfiguration", release});
  auto validating = get_json({"validatingwebhookconfiguration", release});
  ASSERT_TRUE(secret && mutating && validating);
  const std::string ca_b64 = (*mutating)["webhooks"][0]["clientConfig"]["caBundle"];
  EXPECT_EQ((*validating)["webhooks"][0]["clientConfig"]["caBundle"], ca_b64);
  EXPECT_EQ((*validating)["webhooks"][1]["clientConfig"]["caBundle"], ca_b64);
  expect_certificate_verifies(unbase64(ca_b64), unbase64((*secret)["data"]["tls.crt"]),
                              unbase64((*secret)["data"]["tls.key"]), release + "-webhook." + ns + ".svc", "install");

  // The registration is live: a session the webhooks select is sent to the (not running)
  // webhook and, failurePolicy Fail, refused; one they do not select is admitted.
  const std::string session =
      "apiVersion: droid.dev/v1alpha1\nkind: DroidSession\nmetadata:\n  name: NAME\n"
      "  namespace: " +
      ns + "\n  labels: LABELS\nspec:\n  prompt: hello\n";
  auto with = [&](const std::string& name, const std::string& labels) {
    return std::regex_replace(std::regex_replace(session, std::regex("NAME"), name), std::regex("LABELS"), labels);
  };
  // The release namespace is never intercepted: use another of this run's namespaces.
  const std::string user_ns = make_namespace("user");
  auto in_user_ns = [&](std::string m) {
    return std::regex_replace(m, std::regex("namespace: " + ns), "namespace: " + user_ns);
  };
  auto refused =
      kubectl().Run({"create", "-f", "-"}, in_user_ns(with("selected", "{" + kSelectorLabel + ": \"" + kId + "\"}")));
  EXPECT_FALSE(refused.ok()) << "the webhook is not running: a selected session must be refused";
  EXPECT_NE(refused.err.find("failed calling webhook"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(release + "-webhook"), std::string::npos) << refused.err;
  auto admitted = kubectl().Run({"create", "-f", "-"}, in_user_ns(with("not-selected", "{}")));
  EXPECT_TRUE(admitted.ok()) << admitted.describe();
  auto in_release_ns =
      kubectl().Run({"create", "-f", "-"}, with("in-release-ns", "{" + kSelectorLabel + ": \"" + kId + "\"}"));
  EXPECT_TRUE(in_release_ns.ok()) << "the release namespace is excluded\n" << in_release_ns.describe();

  // helm upgrade with a changed value: the Deployment changes, the certificate stays.
  const long generation = (*dep)["metadata"]["generation"];
  auto upgrade =
      helm().Run({"upgrade", release, kChart.string(), "--namespace", ns, "-f", values, "--set", "logLevel=debug",
                  "--set", "sessionWorkers=8", "--set", "maxApprovalRounds=3", "--timeout", "2m"});
  ASSERT_TRUE(upgrade.ok()) << upgrade.describe();
  auto dep2 = get_json({"deployment", release, "-n", ns});
  ASSERT_TRUE(dep2);
  EXPECT_GT((*dep2)["metadata"]["generation"].get<long>(), generation);
  const json& args = (*dep2)["spec"]["template"]["spec"]["containers"][0]["args"];
  EXPECT_TRUE(contains(args, "--log-level=debug")) << args;
  EXPECT_TRUE(contains(args, "--session-workers=8")) << args;
  EXPECT_TRUE(contains(args, "--max-approval-rounds=3")) << args;
  auto secret2 = get_json({"secret", release + "-webhook-tls", "-n", ns});
  auto validating2 = get_json({"validatingwebhookconfiguration", release});
  ASSERT_TRUE(secret2 && validating2);
  EXPECT_EQ((*secret2)["data"], (*secret)["data"]) << "helm upgrade must keep the certificate (lookup)";
  EXPECT_EQ((*validating2)["webhooks"][1]["clientConfig"]["caBundle"], ca_b64) << "the CA bundle must stay stable";

  // helm uninstall: nothing of the release is left but the CRDs (and the sessions), and
  // the egress token key (helm.sh/resource-policy: keep: a reinstall keeps the running
  // sessions' tokens valid).
  const auto token_key = get_json({"secret", kEgressTokenKey, "-n", ns});
  ASSERT_TRUE(token_key.has_value());
  auto uninstall = helm().Run({"uninstall", release, "--namespace", ns, "--wait", "--timeout", "2m"});
  ASSERT_TRUE(uninstall.ok()) << uninstall.describe();
  releases().clear();
  EXPECT_EQ(objects_labelled(kubectl(), release, ns), std::vector<std::string>{"secret/" + kEgressTokenKey});
  const auto kept = get_json({"secret", kEgressTokenKey, "-n", ns});
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ((*kept)["data"], (*token_key)["data"]) << "the token key is kept as it was";
  for (const auto& c : expected) {
    if (c.kind == "secret" && c.name == kEgressTokenKey) continue;
    std::vector<std::string> args2 = {"get", c.kind, c.name, "--ignore-not-found", "-o", "name"};
    if (!c.cluster_scoped) args2.insert(args2.end(), {"-n", ns});
    auto r = kubectl().Run(args2);
    EXPECT_TRUE(r.ok() && r.out.empty()) << c.kind << "/" << c.name << " is left: " << r.describe();
  }
  auto helm_records = kubectl().Run({"get", "secrets", "-n", ns, "-l", "owner=helm,name=" + release, "-o", "name"});
  EXPECT_TRUE(helm_records.ok() && helm_records.out.empty()) << helm_records.describe();
  EXPECT_TRUE(eventually([&] {
    auto left = kubectl().Run({"get", "replicasets,pods", "-n", ns, "-l", selector, "-o", "name"});
    return left.ok() && left.out.empty();
  })) << "the garbage collector removes the ReplicaSet and its pods";
  EXPECT_TRUE(kubectl().Run({"get", "crd", "droidsessions.droid.dev", "orgpolicies.droid.dev"}).ok())
      << "the CRDs stay (helm never deletes crds/)";
  auto sessions = kubectl().Run({"get", "droidsessions", "-n", user_ns, "-o", "name"});
  EXPECT_NE(sessions.out.find("droidsession.droid.dev/not-selected"), std::string::npos) << sessions.describe();
}

TEST_F(ChartCluster, ExternalCertificateFromTheScript) {
  ensure_droid_crds();
  const std::string ns = make_namespace("external");
  const std::string release = "droid-ext-" + kId;
  const std::string values = write_temp("scoped-external.yaml", scoped_values());
  auto install = helm().Run({"install", release, kChart.string(), "--namespace", ns, "-f", values, "--set",
                             "webhook.certificate.generate=false", "--timeout", "2m"});
  ASSERT_TRUE(install.ok()) << install.describe();
  releases().emplace_back(release, ns);
  EXPECT_NE(install.out.find("deploy/webhook-cert.sh --namespace " + ns + " --release " + release), std::string::npos)
      << "NOTES.txt names the step:\n"
      << install.out;
  EXPECT_FALSE(get_json({"secret", release + "-webhook-tls", "-n", ns}).has_value());

  process::Options o;
  o.env = {"KUBECTL=" + kubectl().binary(), "KUBECONFIG=" + kubectl().kubeconfig()};
  o.timeout = 120s;
  const std::string script = (kSource / "deploy" / "webhook-cert.sh").string();
  auto check = [&](const std::string& tag) -> std::string {
    auto secret = get_json({"secret", release + "-webhook-tls", "-n", ns});
    auto mutating = get_json({"mutatingwebhookconfiguration", release});
    auto validating = get_json({"validatingwebhookconfiguration", release});
    EXPECT_TRUE(secret && mutating && validating);
    if (!secret || !mutating || !validating) return "";
    const std::string ca = (*mutating)["webhooks"][0]["clientConfig"].value("caBundle", "");
    EXPECT_FALSE(ca.empty());
    for (const auto& w : (*validating)["webhooks"]) EXPECT_EQ(w["clientConfig"].value("caBundle", ""), ca);
    EXPECT_EQ(unbase64(ca), unbase64((*secret)["data"]["ca.crt"]));
    expect_certificate_verifies(unbase64(ca), unbase64((*secret)["data"]["tls.crt"]),
                                unbase64((*secret)["data"]["tls.key"]), release + "-webhook." + ns + ".svc", tag);
    return ca;
  };

  auto first = process::run_with({script, "--namespace", ns, "--release", release}, o);
  ASSERT_TRUE(first.ok()) << first.describe();
  const std::string ca = check("script-1");
  // Idempotent: a second run keeps the Secret and the bundle.
  auto second = process::run_with({script, "--namespace", ns, "--release", release}, o);
  ASSERT_TRUE(second.ok()) << second.describe();
  EXPECT_NE(second.err.find("keeping the existing Secret"), std::string::npos) << second.err;
  EXPECT_EQ(check("script-2"), ca);
  // helm upgrade leaves the patched bundle alone (the chart does not own the field).
  auto upgrade = helm().Run({"upgrade", release, kChart.string(), "--namespace", ns, "-f", values, "--set",
                             "webhook.certificate.generate=false", "--set", "logLevel=warn", "--timeout", "2m"});
  ASSERT_TRUE(upgrade.ok()) << upgrade.describe();
  EXPECT_EQ(check("script-upgraded"), ca);
  // --rotate: a new CA and certificate, consistent again.
  auto rotated = process::run_with({script, "--namespace", ns, "--release", release, "--rotate"}, o);
  ASSERT_TRUE(rotated.ok()) << rotated.describe();
  EXPECT_NE(check("script-rotated"), ca);

  auto uninstall = helm().Run({"uninstall", release, "--namespace", ns, "--wait", "--timeout", "2m"});
  ASSERT_TRUE(uninstall.ok()) << uninstall.describe();
  releases().clear();
  EXPECT_EQ(objects_labelled(kubectl(), release, ns), std::vector<std::string>{"secret/" + kEgressTokenKey})
      << "only the egress token key is kept";
  // The script's Secret is not the chart's: it stays, as deploy/README.md says.
  EXPECT_TRUE(get_json({"secret", release + "-webhook-tls", "-n", ns}).has_value());
}

}  // namespace
}  // namespace droid::e2e
