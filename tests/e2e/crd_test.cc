// End-to-end tests of the droid.dev CRDs against a real kube-apiserver (SPEC §3, §4, §8).
//
// Needs KUBECONFIG (required) and optionally DROID_KUBECTL (default "kubectl"). The tests
// install the CRDs with server-side apply, create a namespace of their own for the
// DroidSessions and delete it at the end. OrgPolicies are cluster-scoped: the samples are
// applied with --dry-run=server (so that a test run never changes which policies govern
// the cluster), and the few real ones the tests create carry the label
// droid.dev/e2e=<run id>, govern no namespace, and are deleted at the end.
//
// Tests that only read the CRD files (CrdFiles.*) need no cluster.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "yaml/yaml_json.h"

#include "kubectl.h"

#ifndef DROID_SOURCE_DIR
#error "DROID_SOURCE_DIR must be defined (the repository root)"
#endif

namespace droid::e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr char kFieldManager[] = "droid-e2e";

fs::path SourceDir() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
  if (const char* env = std::getenv("DROID_SOURCE_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return DROID_SOURCE_DIR;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> YamlFilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Collapses every run of whitespace to one space (kubectl wraps long text).
std::string Squash(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
    } else {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

// Splits a multi-document YAML text on "---" lines.
std::vector<std::string> SplitDocuments(const std::string& text) {
  std::vector<std::string> docs;
  std::istringstream in(text);
  std::string line, current;
  auto flush = [&] {
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) docs.push_back(current);
    current.clear();
  };
  while (std::getline(in, line)) {
    if (line == "---" || line.rfind("--- ", 0) == 0) {
      flush();
    } else {
      current += line + "\n";
    }
  }
  flush();
  return docs;
}

// Values of "# <key>: value" comment lines.
std::vector<std::string> CommentValues(const std::string& text, const std::string& key) {
  std::vector<std::string> values;
  std::istringstream in(text);
  std::string line;
  const std::string prefix = "# " + key + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::string v = line.substr(prefix.size());
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t\r") + 1);
    if (!v.empty()) values.push_back(v);
  }
  return values;
}

fs::path CrdPath(const std::string& plural) { return SourceDir() / "crds" / ("droid.dev_" + plural + ".yaml"); }

YAML::Node OpenApiSchema(const YAML::Node& crd) { return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]; }

// The text of the "settings:" block of a CRD file, from its key line to the next key of
// the same or lower indentation.
std::string SettingsBlockText(const std::string& crd_text) {
  std::istringstream in(crd_text);
  std::string line, block;
  size_t indent = std::string::npos;
  while (std::getline(in, line)) {
    size_t first = line.find_first_not_of(' ');
    if (indent == std::string::npos) {
      if (first != std::string::npos && line.compare(first, 9, "settings:") == 0 && first == 16) {
        indent = first;
        block += line + "\n";
      }
      continue;
    }
    if (first != std::string::npos && first <= indent) break;
    block += line + "\n";
  }
  return block;
}

// ---------------------------------------------------------------------------------------
// The cluster shared by the tests that need one.

struct Cluster {
  Kubectl kubectl;
  std::string run_id;      // unique per test run
  std::string namespace_;  // created for this run

  CommandResult Run(const std::vector<std::string>& args, const std::string& input = {}) const {
    return kubectl.Run(args, input);
  }

  // Server-side apply of a manifest in the test namespace.
  CommandResult Apply(const std::string& manifest, bool dry_run = false,
                      const std::string& field_manager = kFieldManager) const {
    std::vector<std::string> args = {
        "apply", "--server-side", "--validate=strict", "--field-manager=" + field_manager, "-n", namespace_, "-f", "-"};
    if (dry_run) args.push_back("--dry-run=server");
    return kubectl.Run(args, manifest);
  }

  std::optional<json> GetJson(const std::vector<std::string>& what) const {
    std::vector<std::string> args = {"get"};
    args.insert(args.end(), what.begin(), what.end());
    args.push_back("-o");
    args.push_back("json");
    auto r = kubectl.Run(args);
    if (!r.ok()) return std::nullopt;
    return json::parse(r.out);
  }
};

Cluster* g_cluster = nullptr;
std::string g_cluster_error;

class ClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::optional<Kubectl> kubectl;
    try {
      kubectl = Kubectl::FromEnvironment();
    } catch (const std::exception& e) {
      g_cluster_error = e.what();
      std::cerr << "crd_e2e_test: " << g_cluster_error << "\n";
      return;
    }
    auto ready = kubectl->Run({"get", "--raw", "/readyz"});
    if (!ready.ok()) {
      g_cluster_error = "the API server is not ready (is the cluster up?): " + ready.describe();
      return;
    }

    auto crds =
        kubectl->Run({"apply", "--server-side", "--force-conflicts", std::string("--field-manager=") + kFieldManager,
                      "-f", CrdPath("droidsessions").string(), "-f", CrdPath("orgpolicies").string()});
    if (!crds.ok()) {
      g_cluster_error = "applying the CRDs failed: " + crds.describe();
      return;
    }
    for (const char* condition : {"Established", "NamesAccepted"}) {
      auto wait = kubectl->Run({"wait", std::string("--for=condition=") + condition, "--timeout=90s",
                                "crd/droidsessions.droid.dev", "crd/orgpolicies.droid.dev"},
                               {}, 120s);
      if (!wait.ok()) {
        g_cluster_error = std::string("CRDs not ") + condition + ": " + wait.describe();
        return;
      }
    }

    // Unique, DNS-label-safe id of this run.
    auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string run_id = "crd-" + std::to_string(now % 1000000) + "-" + std::to_string(getpid());
    std::string ns = "droid-e2e-" + run_id;

    // Discovery can lag behind Established: wait until the resources are usable.
    bool served = false;
    for (int i = 0; i < 60 && !served; ++i) {
      served = kubectl->Run({"get", "droidsessions.droid.dev", "-A", "-o", "name"}).ok() &&
               kubectl->Run({"get", "orgpolicies.droid.dev", "-o", "name"}).ok();
      if (!served) std::this_thread::sleep_for(1s);
    }
    if (!served) {
      g_cluster_error = "the droid.dev resources never became available";
      return;
    }

    std::string ns_manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns +
                              "\n  labels:\n    droid.dev/e2e: " + run_id + "\n";
    auto created = kubectl->Run({"create", "-f", "-"}, ns_manifest);
    if (!created.ok()) {
      g_cluster_error = "creating namespace " + ns + " failed: " + created.describe();
      return;
    }
    cluster_ = std::make_unique<Cluster>(Cluster{*kubectl, run_id, ns});
    g_cluster = cluster_.get();
  }

  void TearDown() override {
    if (!cluster_) return;
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
    if (std::getenv("DROID_E2E_KEEP") != nullptr) {
      std::cerr << "DROID_E2E_KEEP set: keeping namespace " << cluster_->namespace_ << "\n";
      return;
    }
    auto ns = cluster_->Run({"delete", "namespace", cluster_->namespace_, "--wait=false", "--ignore-not-found"});
    if (!ns.ok()) std::cerr << "deleting the test namespace failed: " << ns.describe() << "\n";
    auto pol = cluster_->Run(
        {"delete", "orgpolicies.droid.dev", "-l", "droid.dev/e2e=" + cluster_->run_id, "--ignore-not-found"});
    if (!pol.ok()) std::cerr << "deleting test OrgPolicies failed: " << pol.describe() << "\n";
    g_cluster = nullptr;
    cluster_.reset();
  }

 private:
  std::unique_ptr<Cluster> cluster_;
};

#define REQUIRE_CLUSTER()                                                      \
  do {                                                                         \
    ASSERT_NE(g_cluster, nullptr) << "no usable cluster: " << g_cluster_error; \
  } while (0)

// ---------------------------------------------------------------------------------------
// Checks of the CRD files themselves (no cluster needed).

TEST(CrdFiles, SettingsSchemasAreIdentical) {
  const std::string ds_text = ReadFile(CrdPath("droidsessions"));
  const std::string op_text = ReadFile(CrdPath("orgpolicies"));

  YAML::Node ds = YAML::Load(ds_text);
  YAML::Node op = YAML::Load(op_text);
  YAML::Node ds_settings = OpenApiSchema(ds)["properties"]["spec"]["properties"]["settings"];
  YAML::Node op_settings = OpenApiSchema(op)["properties"]["spec"]["properties"]["settings"];
  ASSERT_TRUE(ds_settings.IsMap()) << "DroidSession spec.settings missing";
  ASSERT_TRUE(op_settings.IsMap()) << "OrgPolicy spec.settings missing";
  const auto settings_of = [](const json& crd) {
    return crd.at("spec")
        .at("versions")
        .at(0)
        .at("schema")
        .at("openAPIV3Schema")
        .at("properties")
        .at("spec")
        .at("properties")
        .at("settings");
  };
  EXPECT_EQ(settings_of(yaml::parse_document(ds_text, "droidsessions CRD")),
            settings_of(yaml::parse_document(op_text, "orgpolicies CRD")));

  // Byte-identical text too, so that the two copies can be diffed and updated together.
  std::string ds_block = SettingsBlockText(ds_text);
  std::string op_block = SettingsBlockText(op_text);
  ASSERT_FALSE(ds_block.empty());
  EXPECT_EQ(ds_block, op_block);

  // The fields of SPEC §4, and no others.
  std::vector<std::string> keys;
  for (const auto& kv : ds_settings["properties"]) keys.push_back(kv.first.as<std::string>());
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> expected = {
      "byokAllowed",     "commandAllowlist", "commandBlocklist", "commandDenylist", "customModels",
      "hooks",           "maxAutonomyLevel", "mcpServers",       "models",          "rules",
      "sessionDefaults", "shield",           "telemetry"};
  EXPECT_EQ(keys, expected);
  std::vector<std::string> events;
  for (const auto& kv : ds_settings["properties"]["hooks"]["properties"]) {
    events.push_back(kv.first.as<std::string>());
  }
  std::vector<std::string> expected_events = {"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
                                              "Stop",         "SessionEnd"};
  EXPECT_EQ(events, expected_events);
}

// Walks a schema and reports every property without a description, and every use of
// x-kubernetes-preserve-unknown-fields.
void CheckSchema(const YAML::Node& node, const std::string& path, std::vector<std::string>& undocumented,
                 std::vector<std::string>& preserve) {
  if (!node.IsMap()) return;
  if (node["x-kubernetes-preserve-unknown-fields"]) preserve.push_back(path);
  if (node["properties"]) {
    for (const auto& kv : node["properties"]) {
      std::string child = path + "." + kv.first.as<std::string>();
      // The apiserver forbids anything but "type" on the root metadata.
      if (child == ".metadata") continue;
      if (!kv.second["description"] ||
          kv.second["description"].as<std::string>().find_first_not_of(' ') == std::string::npos) {
        undocumented.push_back(child);
      }
      CheckSchema(kv.second, child, undocumented, preserve);
    }
  }
  for (const char* nested : {"items", "additionalProperties"}) {
    YAML::Node sub = node[nested];
    if (!sub || !sub.IsMap()) continue;
    std::string child = path + (std::string(nested) == "items" ? "[]" : "{}");
    if (sub["type"] && sub["type"].as<std::string>() == "object" && !sub["description"]) {
      undocumented.push_back(child);
    }
    CheckSchema(sub, child, undocumented, preserve);
  }
}

TEST(CrdFiles, EveryFieldIsDescribedAndNothingIsFreeForm) {
  for (const char* plural : {"droidsessions", "orgpolicies"}) {
    SCOPED_TRACE(plural);
    YAML::Node crd = YAML::LoadFile(CrdPath(plural).string());
    std::vector<std::string> undocumented, preserve;
    YAML::Node schema = OpenApiSchema(crd);
    ASSERT_TRUE(schema["description"]) << "the root schema has no description";
    CheckSchema(schema, "", undocumented, preserve);
    EXPECT_TRUE(undocumented.empty()) << "fields without description: " << [&] {
      std::string s;
      for (const auto& u : undocumented) s += u + " ";
      return s;
    }();
    EXPECT_TRUE(preserve.empty()) << "x-kubernetes-preserve-unknown-fields at " << [&] {
      std::string s;
      for (const auto& u : preserve) s += u + " ";
      return s;
    }();
  }
}

TEST(CrdFiles, InvalidManifestsDeclareTheirExpectedError) {
  auto files = YamlFilesIn(SourceDir() / "tests" / "e2e" / "invalid");
  EXPECT_GE(files.size(), 25u);
  for (const auto& f : files) {
    std::string text = ReadFile(f);
    EXPECT_EQ(text.rfind("# expect:", 0), 0u) << f.filename() << " must start with a '# expect: <substring>' line";
    EXPECT_FALSE(CommentValues(text, "expect").empty()) << f.filename();
  }
}

// ---------------------------------------------------------------------------------------
// Against the API server.

TEST(Crds, AreServedWithNamesCategoriesAndTheSameSettingsSchema) {
  REQUIRE_CLUSTER();
  auto ds = g_cluster->GetJson({"crd", "droidsessions.droid.dev"});
  auto op = g_cluster->GetJson({"crd", "orgpolicies.droid.dev"});
  ASSERT_TRUE(ds && op);

  EXPECT_EQ((*ds)["spec"]["scope"], "Namespaced");
  EXPECT_EQ((*op)["spec"]["scope"], "Cluster");
  EXPECT_EQ((*ds)["spec"]["names"]["shortNames"], json::array({"dsession", "dsess"}));
  EXPECT_EQ((*ds)["spec"]["names"]["categories"], json::array({"droid", "all"}));
  EXPECT_EQ((*op)["spec"]["names"]["shortNames"], json::array({"orgpol", "op"}));
  EXPECT_EQ((*op)["spec"]["names"]["categories"], json::array({"droid"}));
  for (const auto* crd : {&*ds, &*op}) {
    const auto& v = (*crd)["spec"]["versions"][0];
    EXPECT_EQ(v["name"], "v1alpha1");
    EXPECT_EQ(v["served"], true);
    EXPECT_EQ(v["storage"], true);
    EXPECT_TRUE(v["subresources"].contains("status"));
  }
  // The apiserver stores both copies of the settings schema identically.
  const auto& ds_settings =
      (*ds)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["settings"];
  const auto& op_settings =
      (*op)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["settings"];
  EXPECT_FALSE(ds_settings.is_null());
  EXPECT_EQ(ds_settings, op_settings);
}

TEST(Crds, AllSamplesApply) {
  REQUIRE_CLUSTER();
  auto sessions = YamlFilesIn(SourceDir() / "deploy" / "samples");
  auto policies = YamlFilesIn(SourceDir() / "policies");
  EXPECT_GE(sessions.size(), 4u);
  EXPECT_GE(policies.size(), 3u);

  size_t droid_sessions = 0;
  for (const auto& f : sessions) {
    SCOPED_TRACE(f.string());
    std::string text = ReadFile(f);
    EXPECT_EQ(text.rfind('#', 0), 0u) << "samples start with a comment saying what they show";
    auto r = g_cluster->Apply(text);
    EXPECT_TRUE(r.ok()) << r.describe();
    for (const auto& doc : SplitDocuments(text)) {
      if (YAML::Load(doc)["kind"].as<std::string>() == "DroidSession") ++droid_sessions;
    }
  }
  EXPECT_GE(droid_sessions, 4u);

  size_t org_policies = 0;
  for (const auto& f : policies) {
    SCOPED_TRACE(f.string());
    std::string text = ReadFile(f);
    EXPECT_EQ(text.rfind('#', 0), 0u) << "policies start with a comment saying what they show";
    for (const auto& doc : SplitDocuments(text)) {
      EXPECT_EQ(YAML::Load(doc)["kind"].as<std::string>(), "OrgPolicy");
      ++org_policies;
    }
    auto r = g_cluster->Apply(text, /*dry_run=*/true);
    EXPECT_TRUE(r.ok()) << r.describe();
    EXPECT_NE(r.out.find("serverside-applied (server dry run)"), std::string::npos) << r.out;
  }
  EXPECT_GE(org_policies, 3u);

  auto list = g_cluster->GetJson({"droidsessions.droid.dev", "-n", g_cluster->namespace_});
  ASSERT_TRUE(list);
  std::vector<std::string> names;
  for (const auto& item : (*list)["items"]) names.push_back(item["metadata"]["name"]);
  for (const char* expected :
       {"ci-fix-flaky-test", "sandbox-upgrade-deps", "runbook-from-configmap", "refactor-with-settings"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

// One test per file in tests/e2e/invalid. A file is either one manifest that must be
// refused on creation, or ("# mode: update") two documents: the first is created, the
// second, an update of it, must be refused. Every "# expect: S" line names a substring
// (the field path, usually) that must appear in the error.
class InvalidManifest : public ::testing::TestWithParam<fs::path> {};

TEST_P(InvalidManifest, IsRefusedNamingTheField) {
  REQUIRE_CLUSTER();
  const std::string text = ReadFile(GetParam());
  const auto expects = CommentValues(text, "expect");
  ASSERT_FALSE(expects.empty()) << "no '# expect:' line";
  const auto modes = CommentValues(text, "mode");
  const bool update = !modes.empty() && modes.front() == "update";
  auto docs = SplitDocuments(text);

  CommandResult refused;
  if (update) {
    ASSERT_EQ(docs.size(), 2u) << "an update case has exactly two documents";
    auto created = g_cluster->Apply(docs[0]);
    ASSERT_TRUE(created.ok()) << "the original object must be valid: " << created.describe();
    refused = g_cluster->Apply(docs[1]);
  } else {
    refused = g_cluster->Apply(text, /*dry_run=*/true);
  }
  EXPECT_FALSE(refused.ok()) << "accepted although invalid: " << refused.describe();
  EXPECT_FALSE(refused.timed_out);
  const std::string output = refused.err + refused.out;
  for (const auto& e : expects) {
    EXPECT_NE(output.find(e), std::string::npos) << "error does not mention \"" << e << "\":\n" << output;
  }
}

std::vector<fs::path> InvalidFiles() { return YamlFilesIn(SourceDir() / "tests" / "e2e" / "invalid"); }

INSTANTIATE_TEST_SUITE_P(Files, InvalidManifest, ::testing::ValuesIn(InvalidFiles()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(Crds, DroidSessionDefaults) {
  REQUIRE_CLUSTER();
  auto r = g_cluster->Apply(R"(apiVersion: droid.dev/v1alpha1
kind: DroidSession
metadata:
  name: defaults
spec:
  prompt: say hello
  settings:
    mcpServers:
      local:
        command: /usr/bin/mcp-local
)");
  ASSERT_TRUE(r.ok()) << r.describe();
  auto obj = g_cluster->GetJson({"droidsession", "defaults", "-n", g_cluster->namespace_});
  ASSERT_TRUE(obj);
  const auto& spec = (*obj)["spec"];
  EXPECT_EQ(spec["environment"], "sandbox");
  EXPECT_EQ(spec["cancel"], false);
  EXPECT_EQ(spec["settings"]["mcpServers"]["local"]["type"], "stdio");
  // Nothing the policy should decide is defaulted by the CRD.
  for (const char* unset : {"model", "autonomyLevel", "reasoningEffort", "maxTurns", "timeoutSeconds",
                            "ttlSecondsAfterFinished", "resources", "approvals"}) {
    EXPECT_FALSE(spec.contains(unset)) << unset << " must not be defaulted";
  }
}

// Creates a real OrgPolicy that governs no namespace (deleted at the end of the run).
std::string TestPolicyManifest(const std::string& name) {
  return "apiVersion: droid.dev/v1alpha1\nkind: OrgPolicy\nmetadata:\n  name: " + name +
         "\n  labels:\n    droid.dev/e2e: " + g_cluster->run_id + R"(
spec:
  namespaceSelector:
    matchLabels:
      droid.dev/e2e-governs-nothing: "true"
  gateways:
    - name: gw
      provider: openai
      baseURL: http://gw.example.svc:8000/v1
      credentialsSecretRef:
        name: gw-key
  telemetry:
    otlpEndpoint: http://otel.example.svc:4318
  network:
    egress:
      - name: gw
        podSelector:
          matchLabels:
            app: gw
        ports:
          - port: 8000
)";
}

TEST(Crds, OrgPolicyDefaults) {
  REQUIRE_CLUSTER();
  const std::string name = "e2e-defaults-" + g_cluster->run_id;
  auto r = g_cluster->Apply(TestPolicyManifest(name));
  ASSERT_TRUE(r.ok()) << r.describe();
  auto obj = g_cluster->GetJson({"orgpolicy", name});
  ASSERT_TRUE(obj);
  const auto& spec = (*obj)["spec"];
  EXPECT_EQ(spec["priority"], 0);
  EXPECT_EQ(spec["network"]["allowDNS"], true);
  EXPECT_EQ(spec["network"]["egress"][0]["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(spec["telemetry"]["protocol"], "http/protobuf");
  EXPECT_EQ(spec["gateways"][0]["credentialsSecretRef"]["key"], "api-key");
}

TEST(Crds, MutableFieldsCanChange) {
  REQUIRE_CLUSTER();
  const std::string base = R"(apiVersion: droid.dev/v1alpha1
kind: DroidSession
metadata:
  name: mutable
spec:
  prompt: refactor the parser
  model: some-model
  autonomyLevel: low
)";
  auto created = g_cluster->Apply(base);
  ASSERT_TRUE(created.ok()) << created.describe();
  auto updated = g_cluster->Apply(base + R"(  ttlSecondsAfterFinished: 600
  approvals:
    - command: make test
      approvedBy: bob
  cancel: true
)");
  ASSERT_TRUE(updated.ok()) << updated.describe();
  // A second approver adds an approval with a field manager of its own.
  auto approve = g_cluster->Apply(R"(apiVersion: droid.dev/v1alpha1
kind: DroidSession
metadata:
  name: mutable
spec:
  approvals:
    - command: make lint
      approvedBy: carol
)",
                                  false, "kubectl-droid-approve");
  ASSERT_TRUE(approve.ok()) << approve.describe();
  auto obj = g_cluster->GetJson({"droidsession", "mutable", "-n", g_cluster->namespace_});
  ASSERT_TRUE(obj);
  EXPECT_EQ((*obj)["spec"]["ttlSecondsAfterFinished"], 600);
  EXPECT_EQ((*obj)["spec"]["cancel"], true);
  EXPECT_EQ((*obj)["spec"]["approvals"].size(), 2u) << (*obj)["spec"].dump();
}

TEST(Crds, StatusSubresourceAndPrinterColumns) {
  REQUIRE_CLUSTER();
  const std::string& ns = g_cluster->namespace_;
  auto created = g_cluster->Apply(R"(apiVersion: droid.dev/v1alpha1
kind: DroidSession
metadata:
  name: columns
spec:
  prompt: count the TODOs
  model: col-model
  autonomyLevel: medium
)");
  ASSERT_TRUE(created.ok()) << created.describe();
  const std::string status = R"({"status":{
    "phase":"AwaitingApproval","podName":"columns-runner","observedGeneration":1,
    "requester":{"username":"alice@example.com","uid":"42","groups":["devs"]},
    "policy":{"names":["baseline"],"hash":"sha256:abc"},
    "usage":{"inputTokens":10,"outputTokens":5,"llmRequests":1,"toolCalls":2,"commandsBlocked":0},
    "pendingApproval":{"command":"make deploy","risk":"high","reasons":["deploys"]},
    "traceId":"4bf92f3577b34da6a3ce929d0e0e4736",
    "conditions":[{"type":"Ready","status":"False","reason":"WaitingForApproval",
      "message":"make deploy needs an approval","lastTransitionTime":"2025-01-01T00:00:00Z"}]}})";
  auto patched = g_cluster->Run(
      {"patch", "droidsession", "columns", "-n", ns, "--subresource=status", "--type=merge", "-p", status});
  ASSERT_TRUE(patched.ok()) << patched.describe();

  auto table = g_cluster->Run({"get", "droidsessions", "columns", "-n", ns});
  ASSERT_TRUE(table.ok()) << table.describe();
  std::string header = table.out.substr(0, table.out.find('\n'));
  EXPECT_EQ(Squash(header), "NAME PHASE MODEL AUTONOMY REQUESTER POD AGE");
  EXPECT_NE(Squash(table.out).find("columns AwaitingApproval col-model medium alice@example.com "
                                   "columns-runner"),
            std::string::npos)
      << table.out;
  auto wide = g_cluster->Run({"get", "droidsessions", "columns", "-n", ns, "-o", "wide"});
  ASSERT_TRUE(wide.ok()) << wide.describe();
  EXPECT_NE(Squash(wide.out).find("AGE REASON"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("WaitingForApproval"), std::string::npos) << wide.out;

  // The status schema is enforced as well.
  auto bad = g_cluster->Run({"patch", "droidsession", "columns", "-n", ns, "--subresource=status", "--type=merge", "-p",
                             R"({"status":{"phase":"Exploded"}})"});
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.err.find("status.phase"), std::string::npos) << bad.describe();
  // Status cannot be changed through the main resource.
  auto sneaky = g_cluster->Run(
      {"patch", "droidsession", "columns", "-n", ns, "--type=merge", "-p", R"({"status":{"phase":"Succeeded"}})"});
  EXPECT_TRUE(sneaky.ok()) << sneaky.describe();
  auto obj = g_cluster->GetJson({"droidsession", "columns", "-n", ns});
  ASSERT_TRUE(obj);
  EXPECT_EQ((*obj)["status"]["phase"], "AwaitingApproval");

  // OrgPolicy columns.
  const std::string name = "e2e-columns-" + g_cluster->run_id;
  auto pol = g_cluster->Apply(TestPolicyManifest(name));
  ASSERT_TRUE(pol.ok()) << pol.describe();
  auto pol_status =
      g_cluster->Run({"patch", "orgpolicy", name, "--subresource=status", "--type=merge", "-p",
                      R"({"status":{"observedGeneration":1,"governedNamespaces":[],"conditions":[{"type":"Valid",
          "status":"True","reason":"Accepted","message":"ok",
          "lastTransitionTime":"2025-01-01T00:00:00Z"}]}})"});
  ASSERT_TRUE(pol_status.ok()) << pol_status.describe();
  auto pol_table = g_cluster->Run({"get", "orgpolicies", name});
  ASSERT_TRUE(pol_table.ok()) << pol_table.describe();
  EXPECT_EQ(Squash(pol_table.out.substr(0, pol_table.out.find('\n'))), "NAME PRIORITY VALID AGE");
  EXPECT_NE(Squash(pol_table.out).find(name + " 0 True"), std::string::npos) << pol_table.out;
}

TEST(Crds, ShortNamesAndCategories) {
  REQUIRE_CLUSTER();
  const std::string& ns = g_cluster->namespace_;
  auto created = g_cluster->Apply(R"(apiVersion: droid.dev/v1alpha1
kind: DroidSession
metadata:
  name: short-names
spec:
  prompt: list files
)");
  ASSERT_TRUE(created.ok()) << created.describe();
  for (const char* resource : {"dsession", "dsess", "droid", "all"}) {
    auto r = g_cluster->Run({"get", resource, "-n", ns, "-o", "name"});
    EXPECT_TRUE(r.ok()) << resource << ": " << r.describe();
    EXPECT_NE(r.out.find("droidsession.droid.dev/short-names"), std::string::npos) << resource << ": " << r.out;
  }
  for (const char* resource : {"orgpol", "op"}) {
    auto r = g_cluster->Run({"get", resource, "-o", "name"});
    EXPECT_TRUE(r.ok()) << resource << ": " << r.describe();
  }
  // "all" and "droid" list sessions, never cluster-scoped policies.
  auto droid = g_cluster->Run({"get", "droid", "-n", ns, "-o", "name"});
  EXPECT_TRUE(droid.ok()) << droid.describe();
}

TEST(Crds, ExplainShowsDescriptions) {
  REQUIRE_CLUSTER();
  auto spec = g_cluster->Run({"explain", "droidsession.spec"});
  ASSERT_TRUE(spec.ok()) << spec.describe();
  std::string s = Squash(spec.out);
  EXPECT_NE(s.find("GROUP: droid.dev"), std::string::npos) << spec.out;
  for (const char* text : {"Only cancel, approvals, rejections and ttlSecondsAfterFinished may change after creation",
                           "The task for the agent, as text", "Reads the task for the agent from a ConfigMap key",
                           "How much the agent may do without an approval", "Set to true to cancel the session"}) {
    EXPECT_NE(s.find(text), std::string::npos) << text << "\n" << spec.out;
  }

  auto settings = g_cluster->Run({"explain", "orgpolicy.spec.settings"});
  ASSERT_TRUE(settings.ok()) << settings.describe();
  s = Squash(settings.out);
  for (const char* text : {"extension-only semantics", "sessionDefaults", "maxAutonomyLevel", "customModels",
                           "mcpServers", "Highest autonomy level a session may use"}) {
    EXPECT_NE(s.find(text), std::string::npos) << text << "\n" << settings.out;
  }

  auto deep = g_cluster->Run({"explain", "orgpolicy.spec.settings.hooks.PreToolUse.hooks.type"});
  ASSERT_TRUE(deep.ok()) << deep.describe();
  s = Squash(deep.out);
  EXPECT_NE(s.find("runs a program in the sandbox"), std::string::npos) << deep.out;
  EXPECT_NE(s.find("command"), std::string::npos);
  EXPECT_NE(s.find("http"), std::string::npos);

  auto status = g_cluster->Run({"explain", "droidsession.status.usage"});
  ASSERT_TRUE(status.ok()) << status.describe();
  EXPECT_NE(Squash(status.out).find("Tokens sent to the model"), std::string::npos) << status.out;
}

// Registered before main (GTest::gtest_main) runs the tests; gtest owns it.
[[maybe_unused]] ::testing::Environment* const kClusterEnvironment =
    ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

}  // namespace
}  // namespace droid::e2e
