#include "credential.h"

#include <gtest/gtest.h>

namespace droid::egress {
namespace {

namespace http = boost::beast::http;

http::fields runner_headers() {
  http::fields f;
  f.set(http::field::authorization, "Bearer placeholder-from-runner");
  f.set("X-Api-Key", "runner-key");
  f.set("api-key", "azure-style");
  f.set(http::field::cookie, "session=1");
  f.set(http::field::proxy_authorization, "Basic c2Vzc2lvbjp0b2tlbg==");
  f.set(http::field::connection, "keep-alive, X-Secret-Hop");
  f.set("X-Secret-Hop", "1");
  f.set("Proxy-Connection", "keep-alive");
  f.set(http::field::te, "trailers");
  f.set(http::field::upgrade, "h2c");
  f.set(http::field::content_type, "application/json");
  f.set(http::field::content_length, "12");
  f.set("anthropic-version", "2023-06-01");
  return f;
}

TEST(RewriteRequestHeaders, StripsTheRunnersCredentialsAndAddsTheRealOne) {
  auto f = runner_headers();
  rewrite_request_headers(f, {CredentialType::Bearer, "real-key"});
  EXPECT_EQ(f[http::field::authorization], "Bearer real-key");
  EXPECT_EQ(f.count("x-api-key"), 0u);
  EXPECT_EQ(f.count("api-key"), 0u);
  EXPECT_EQ(f.count(http::field::cookie), 0u);
  EXPECT_EQ(f.count(http::field::proxy_authorization), 0u);
  EXPECT_EQ(f.count(http::field::connection), 0u);
  EXPECT_EQ(f.count("X-Secret-Hop"), 0u);  // named by Connection
  EXPECT_EQ(f.count("Proxy-Connection"), 0u);
  EXPECT_EQ(f.count(http::field::te), 0u);
  EXPECT_EQ(f.count(http::field::upgrade), 0u);
  EXPECT_EQ(f[http::field::content_type], "application/json");
  EXPECT_EQ(f[http::field::content_length], "12");
  EXPECT_EQ(f["anthropic-version"], "2023-06-01");
}

TEST(RewriteRequestHeaders, EachCredentialType) {
  auto f = runner_headers();
  rewrite_request_headers(f, {CredentialType::XApiKey, "k"});
  EXPECT_EQ(f["x-api-key"], "k");
  EXPECT_EQ(f.count(http::field::authorization), 0u);

  f = runner_headers();
  rewrite_request_headers(f, {CredentialType::Basic, "droid:s3cret"});
  EXPECT_EQ(f[http::field::authorization], "Basic " + base64("droid:s3cret"));
  EXPECT_EQ(base64("droid:s3cret"), "ZHJvaWQ6czNjcmV0");

  f = runner_headers();
  rewrite_request_headers(f, {CredentialType::None, ""});
  EXPECT_EQ(f.count(http::field::authorization), 0u);
  EXPECT_EQ(f.count("x-api-key"), 0u);
}

TEST(RewriteRequestHeaders, RepeatedCredentialHeadersAreAllRemoved) {
  http::fields f;
  f.insert(http::field::authorization, "Bearer a");
  f.insert(http::field::authorization, "Bearer b");
  f.insert("x-api-key", "c");
  f.insert("X-API-KEY", "d");
  rewrite_request_headers(f, {CredentialType::Bearer, "real"});
  EXPECT_EQ(f.count(http::field::authorization), 1u);
  EXPECT_EQ(f[http::field::authorization], "Bearer real");
  EXPECT_EQ(f.count("x-api-key"), 0u);
}

TEST(RemoveHopByHop, KeepsCredentialsOfResponses) {
  http::fields f;
  f.set(http::field::connection, "close");
  f.set(http::field::transfer_encoding, "chunked");
  f.set(http::field::content_type, "text/event-stream");
  remove_hop_by_hop(f);
  EXPECT_EQ(f.count(http::field::connection), 0u);
  EXPECT_EQ(f.count(http::field::transfer_encoding), 0u);
  EXPECT_EQ(f[http::field::content_type], "text/event-stream");
}

}  // namespace
}  // namespace droid::egress
