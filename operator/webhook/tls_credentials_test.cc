#include "webhook/tls_credentials.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include "log/log.h"
#include "webhook/tls_testing.h"

namespace droid::op {
namespace {

namespace fs = std::filesystem;
using testing::IssuedCert;
using testing::TestCa;

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class TlsCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tls-credentials-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    log::set_sink([this](const std::string& line) {
      const std::lock_guard lock(mu_);
      lines_.push_back(line);
    });
  }
  void TearDown() override {
    log::set_sink(nullptr);
    fs::remove_all(dir_);
  }
  void install(const IssuedCert& c) {
    write(cert(), c.cert_pem);
    write(key(), c.key_pem);
  }
  std::string cert() const { return (dir_ / "tls.crt").string(); }
  std::string key() const { return (dir_ / "tls.key").string(); }
  std::size_t errors_logged() {
    const std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& l : lines_) n += nlohmann::json::parse(l).value("level", "") == "error" ? 1 : 0;
    return n;
  }

  fs::path dir_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(TlsCredentialsTest, LoadsAPairAndDescribesTheLeaf) {
  TestCa ca("ca-one");
  install(ca.issue("webhook-a", {.ip_sans = {"127.0.0.1"}, .serial = 0x1234}));
  ReloadingCredentials creds(cert(), key());
  EXPECT_EQ(creds.current()->serial(), "1234");
  EXPECT_EQ(creds.current()->subject(), "CN=webhook-a");
  EXPECT_FALSE(creds.current()->not_after().empty());
}

TEST_F(TlsCredentialsTest, RefusesAKeyThatDoesNotMatchAtStart) {
  TestCa ca("ca-one");
  const IssuedCert a = ca.issue("a", {.serial = 1});
  const IssuedCert b = ca.issue("b", {.serial = 2});
  write(cert(), a.cert_pem);
  write(key(), b.key_pem);
  try {
    ReloadingCredentials creds(cert(), key());
    FAIL() << "a mismatched key was accepted";
  } catch (const TlsCredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("does not match"), std::string::npos) << e.what();
  }
}

TEST_F(TlsCredentialsTest, RefusesMissingAndGarbageFilesAtStart) {
  EXPECT_THROW(ReloadingCredentials(cert(), key()), TlsCredentialsError);
  write(cert(), "not a certificate");
  write(key(), "not a key");
  EXPECT_THROW(ReloadingCredentials(cert(), key()), TlsCredentialsError);
}

TEST_F(TlsCredentialsTest, ReloadTakesAChangedPairOnlyOnce) {
  TestCa ca("ca-one");
  install(ca.issue("a", {.serial = 1}));
  ReloadingCredentials creds(cert(), key());
  EXPECT_FALSE(creds.reload()) << "unchanged files are not a new pair";
  install(ca.issue("b", {.serial = 2}));
  EXPECT_TRUE(creds.reload());
  EXPECT_EQ(creds.current()->serial(), "02");
  EXPECT_EQ(creds.current()->subject(), "CN=b");
  EXPECT_FALSE(creds.reload());
}

TEST_F(TlsCredentialsTest, ABadReplacementKeepsThePairInUseAndIsLoggedOnce) {
  TestCa ca("ca-one");
  install(ca.issue("a", {.serial = 1}));
  ReloadingCredentials creds(cert(), key());
  const auto before = creds.current();

  write(cert(), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
  EXPECT_FALSE(creds.reload());
  EXPECT_EQ(creds.current(), before);
  EXPECT_EQ(errors_logged(), 1U);
  EXPECT_FALSE(creds.reload());
  EXPECT_EQ(errors_logged(), 1U) << "the same bad content is reported once";

  // Half a rotation: the new certificate, the old key.
  const IssuedCert next = ca.issue("c", {.serial = 3});
  write(cert(), next.cert_pem);
  EXPECT_FALSE(creds.reload());
  EXPECT_EQ(creds.current(), before);
  EXPECT_EQ(errors_logged(), 2U);
  // The rest of the rotation arrives: taken.
  write(key(), next.key_pem);
  EXPECT_TRUE(creds.reload());
  EXPECT_EQ(creds.current()->serial(), "03");
}

TEST_F(TlsCredentialsTest, AMissingFileDuringASwapKeepsThePairInUse) {
  TestCa ca("ca-one");
  install(ca.issue("a", {.serial = 1}));
  ReloadingCredentials creds(cert(), key());
  fs::remove(key());
  EXPECT_FALSE(creds.reload());
  EXPECT_EQ(creds.current()->serial(), "01");
}

TEST_F(TlsCredentialsTest, InstallSetsTls12MinimumAndTheCertificate) {
  TestCa ca("ca-one");
  install(ca.issue("a", {.serial = 9}));
  ReloadingCredentials creds(cert(), key());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_NE(ctx, nullptr);
  EXPECT_TRUE(creds.install(ctx));
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(leaf)), 9);
  SSL_CTX_free(ctx);
}

TEST_F(TlsCredentialsTest, KeepsAChainAfterTheLeaf) {
  TestCa ca("ca-one");
  const IssuedCert leaf = ca.issue("a", {.serial = 5});
  write(cert(), leaf.cert_pem + ca.cert_pem());
  write(key(), leaf.key_pem);
  ReloadingCredentials creds(cert(), key());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_TRUE(creds.install(ctx));
  STACK_OF(X509)* chain = nullptr;
  ASSERT_EQ(SSL_CTX_get0_chain_certs(ctx, &chain), 1);
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(sk_X509_num(chain), 1);
  SSL_CTX_free(ctx);
}

}  // namespace
}  // namespace droid::op
