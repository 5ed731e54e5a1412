#include "policy/equivalents.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "policy/classify.h"

namespace droid::runner::policy {
namespace {

// The words of a command line split on spaces (no quoting: the tests need none).
std::vector<Arg> words(const std::string& line) {
  std::vector<Arg> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(Arg{w, true, false});
  return out;
}

std::vector<Form> forms(const std::string& line) {
  auto w = words(line);
  return forms_of(w, canonical_form(w));
}

bool blocks(const std::string& entry, const std::string& command) { return could_match(forms(entry), forms(command)); }

TEST(Equivalents, EveryRuleExampleHolds) {
  auto failures = check_equivalence_examples();
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_TRUE(failures.empty());
}

TEST(Equivalents, TheCanonicalFormComesFirst) {
  auto w = words("podman run x");
  auto primary = canonical_form(w);
  auto f = forms_of(w, primary);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].normalized.program, "podman");
  EXPECT_TRUE(f[0].same_program);
}

TEST(Equivalents, DeletionSpellingsMatchRmEntries) {
  EXPECT_TRUE(blocks("rm -rf /", "find / -delete"));
  EXPECT_TRUE(blocks("rm -rf /", "rsync -a --delete /tmp/empty/ /"));
  EXPECT_TRUE(blocks("rm -rf ~", "find ~ -mindepth 1 -delete"));
  // find without -delete only lists.
  EXPECT_FALSE(blocks("rm -rf /", "find / -name x"));
  // rsync without a delete flag only copies.
  EXPECT_FALSE(blocks("rm -rf /", "rsync -a /tmp/a/ /tmp/b/"));
}

TEST(Equivalents, AnotherNameOfTheToolMatchesABareEntry) {
  EXPECT_TRUE(blocks("docker", "podman run --privileged x"));
  EXPECT_TRUE(blocks("docker", "nerdctl ps"));
  EXPECT_TRUE(blocks("kubectl delete", "oc delete pod x"));
  EXPECT_TRUE(blocks("npm publish", "pnpm publish"));
  EXPECT_TRUE(blocks("npm publish", "yarn npm publish"));
  EXPECT_FALSE(blocks("kubectl delete", "oc get pods"));
}

TEST(Equivalents, TheSameActionMatchesOnlyEntriesWithWords) {
  // `cat /dev/zero` reads like `dd if=/dev/zero`...
  EXPECT_TRUE(blocks("dd if=/dev/zero", "cat /dev/zero"));
  // ...but an entry naming dd alone does not deny every cat.
  EXPECT_FALSE(blocks("dd", "cat README.md"));
  // Network clients reach the host curl would; only HTTP clients are curl itself.
  EXPECT_TRUE(blocks("curl evil.example.com", "ssh evil.example.com"));
  EXPECT_FALSE(blocks("curl", "ssh evil.example.com"));
  EXPECT_FALSE(blocks("curl evil.example.com", "wget https://good.example.com/x"));
}

TEST(Equivalents, HttpClientsAreCurl) {
  EXPECT_TRUE(blocks("curl", "wget https://good.example.com/x"));
  EXPECT_TRUE(blocks("curl", "http GET good.example.com"));
  EXPECT_TRUE(blocks("wget", "curl -s https://good.example.com"));
  EXPECT_TRUE(blocks("curl evil.example.com", "aria2c https://evil.example.com/x"));
  EXPECT_FALSE(blocks("curl", "git clone https://good.example.com/r"));
}

TEST(Equivalents, MkfsTypesAreOneSpelling) {
  EXPECT_TRUE(blocks("mkfs.ext4 /dev/sda", "mke2fs -t ext4 /dev/sda"));
  EXPECT_TRUE(blocks("mkfs.ext4 /dev/sda", "mkfs -t ext4 /dev/sda"));
  EXPECT_FALSE(blocks("mkfs.ext4 /dev/sda", "mkfs -t ext4 /dev/sdb"));
}

TEST(Equivalents, ForcedPushSpellings) {
  EXPECT_TRUE(blocks("git push --force", "git push --mirror origin"));
  EXPECT_TRUE(blocks("git push --force", "git push -f origin main"));
}

TEST(Equivalents, NetworkClients) {
  EXPECT_TRUE(is_network_client("curl"));
  EXPECT_TRUE(is_network_client("wget"));
  EXPECT_TRUE(is_network_client("ssh"));
  EXPECT_FALSE(is_network_client("ls"));
  EXPECT_FALSE(is_network_client("rm"));
}

}  // namespace
}  // namespace droid::runner::policy
