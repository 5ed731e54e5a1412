#include "manifest.h"

#include <gtest/gtest.h>

#include <map>

#include "args.h"
#include "exit_codes.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

// Files the tests "read": no disk needed.
std::map<std::string, std::string> files;
FileReader reader() {
  return [](const std::string& path, const std::string& flag) {
    auto it = files.find(path);
    if (it == files.end()) throw UsageError("--" + flag + ": cannot read " + path);
    return it->second;
  };
}

json build(const std::vector<std::string>& args, const std::string& ns = "team", bool ns_explicit = false) {
  const auto specs = with_global_flags(session_flag_specs());
  cli::Flags flags(specs);
  flags.parse(expand_short_flags(args, {{'f', "filename"}}, specs));
  return session_manifest(flags, ns, ns_explicit, reader());
}

std::string error_of(const std::vector<std::string>& args, const std::string& ns = "team", bool ns_explicit = false) {
  try {
    build(args, ns, ns_explicit);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Manifest, FromFlags) {
  files["settings.yaml"] = "commandDenylist: [\"git push\"]\nshield: {enabled: true}\n";
  const json s = build({"--prompt",
                        "fix the test",
                        "--repo",
                        "https://git.example/a.git",
                        "--ref",
                        "main",
                        "--sub-path",
                        "svc",
                        "--repo-secret",
                        "git-creds",
                        "--model",
                        "qwen",
                        "--auto",
                        "medium",
                        "--reasoning-effort",
                        "high",
                        "--environment",
                        "ci",
                        "--timeout",
                        "30m",
                        "--ttl",
                        "1h",
                        "--max-turns",
                        "40",
                        "--push-branch",
                        "droid/fix",
                        "--settings",
                        "settings.yaml",
                        "--approve",
                        "make test",
                        "--name",
                        "fix-1",
                        "--label",
                        "pipeline=p1"});
  EXPECT_EQ(s, json::parse(R"({
    "apiVersion": "droid.dev/v1alpha1", "kind": "DroidSession",
    "metadata": {"namespace": "team", "name": "fix-1", "labels": {"pipeline": "p1"}},
    "spec": {"prompt": "fix the test",
             "repository": {"url": "https://git.example/a.git", "ref": "main", "subPath": "svc",
                            "credentialsSecretRef": {"name": "git-creds"}},
             "model": "qwen", "autonomyLevel": "medium", "reasoningEffort": "high", "environment": "ci",
             "timeoutSeconds": 1800, "ttlSecondsAfterFinished": 3600, "maxTurns": 40,
             "output": {"pushBranch": "droid/fix"},
             "settings": {"commandDenylist": ["git push"], "shield": {"enabled": true}},
             "approvals": [{"command": "make test", "comment": "approved up front by kubectl droid run"}]}})"));
}

TEST(Manifest, MinimalGetsAGeneratedName) {
  files["prompt.txt"] = "do it\n";
  const json s = build({"--prompt-file", "prompt.txt", "--autonomy", "low"});
  EXPECT_EQ(s["metadata"], json::parse(R"({"namespace": "team", "generateName": "droid-"})"));
  EXPECT_EQ(s["spec"], json::parse(R"({"prompt": "do it\n", "autonomyLevel": "low"})"));
  EXPECT_EQ(build({"--prompt", "x", "--generate-name", "ci-"})["metadata"]["generateName"], "ci-");
}

TEST(Manifest, FromAFile) {
  files["s.yaml"] = R"(apiVersion: droid.dev/v1alpha1
kind: DroidSession
metadata:
  name: from-file
  namespace: other
  resourceVersion: "9"
spec:
  prompt: hello
  timeoutSeconds: 600
  approvals: [{command: "make deps-update"}]
status: {phase: Succeeded}
)";
  json s = build({"-f", "s.yaml"});
  EXPECT_EQ(s["metadata"], json::parse(R"({"name": "from-file", "namespace": "other"})"));
  EXPECT_EQ(s["spec"]["timeoutSeconds"], 600);
  EXPECT_FALSE(s.contains("status"));
  // --name overrides the file's name; -n agreeing with the file is fine.
  s = build({"-f", "s.yaml", "--name", "renamed"}, "other", true);
  EXPECT_EQ(s["metadata"]["name"], "renamed");
  files["s.json"] = R"({"apiVersion":"droid.dev/v1alpha1","kind":"DroidSession","spec":{"prompt":"p"}})";
  s = build({"-f", "s.json"});
  EXPECT_EQ(s["metadata"], json::parse(R"({"namespace": "team", "generateName": "droid-"})"));
}

TEST(Manifest, UsageErrorsNameTheFlag) {
  EXPECT_EQ(error_of({}), "a session needs a prompt: give --prompt TEXT, --prompt-file FILE or -f FILE");
  EXPECT_EQ(error_of({"--prompt", "x", "--auto", "max"}), "--auto: \"max\" is not one of off, low, medium, high");
  EXPECT_EQ(error_of({"--prompt", "x", "--environment", "prod"}),
            "--environment: \"prod\" is not one of ci, sandbox, local");
  EXPECT_EQ(error_of({"--prompt", "x", "--ref", "main"}), "--ref needs --repo URL");
  EXPECT_EQ(error_of({"--prompt", "x", "--timeout", "1h30"}),
            "--timeout: \"1h30\" is not a duration (examples: 600, 90s, 30m, 2h, 1h30m)");
  EXPECT_EQ(error_of({"--prompt", "x", "--name", "Bad_Name"}),
            "--name: \"Bad_Name\" is not a valid name (lower-case letters, digits and '-', at most 63 characters)");
  // Each case runs in a process of its own under ctest: the file is this test's.
  files["s.yaml"] =
      "apiVersion: droid.dev/v1alpha1\nkind: DroidSession\nmetadata: {name: s, namespace: other}\n"
      "spec: {prompt: hello}\n";
  EXPECT_EQ(error_of({"-f", "s.yaml", "--model", "m"}), "--model cannot be combined with -f; set it in the file");
  EXPECT_EQ(error_of({"-f", "s.yaml"}, "team", true),
            "s.yaml: metadata.namespace is \"other\" but --namespace is \"team\"; drop one of them");
  files["cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\n";
  EXPECT_EQ(error_of({"-f", "cm.yaml"}), "cm.yaml: kind is \"ConfigMap\", expected DroidSession");
  EXPECT_EQ(error_of({"-f", "absent.yaml"}), "--filename: cannot read absent.yaml");
  EXPECT_EQ(error_of({"--prompt", "x", "--label", "novalue"}), "--label: \"novalue\" is not KEY=VALUE");
  EXPECT_EQ(error_of({"--prompt", "x", "--auto", "low", "--autonomy", "low"}),
            "--auto and --autonomy are the same; give one");
}

TEST(Duration, Forms) {
  EXPECT_EQ(parse_duration_seconds("600", "t"), 600);
  EXPECT_EQ(parse_duration_seconds("90s", "t"), 90);
  EXPECT_EQ(parse_duration_seconds("30m", "t"), 1800);
  EXPECT_EQ(parse_duration_seconds("2h", "t"), 7200);
  EXPECT_EQ(parse_duration_seconds("1h30m15s", "t"), 5415);
  for (const char* bad : {"", "h", "1d", "-5", "1.5h", "99999999999"})
    EXPECT_THROW(parse_duration_seconds(bad, "t"), UsageError) << bad;
}

}  // namespace
}  // namespace droid::kubectl
