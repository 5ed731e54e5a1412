// The egress proxy on loopback with real sockets: a scripted upstream (injection,
// SSE pass-through, refusals), the scripted LLM gateway over TLS with mTLS and the
// runner's own LLM client, the test bed's git server (clone, push to the session's
// branch, push elsewhere refused), CONNECT with the SNI check, and the metrics.
#include "proxy.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "contract/egress_token.h"
#include "credential.h"
#include "llm/client.h"
#include "llm/testing/scripted_gateway.h"
#include "llm/testing/test_pki.h"
#include "process/subprocess.h"
#include "session_table.h"
#include "test_upstream.h"

namespace droid::egress {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;
using testing::TestUpstream;

// A proxy with its registry, an audit log kept in memory, and metrics.
class Gateway {
 public:
  explicit Gateway(std::vector<Destination> destinations) : destinations_(std::move(destinations)) {
    audit_ = std::make_shared<AuditLog>([this](const std::string& line) {
      std::lock_guard lock(mu_);
      lines_.push_back(nlohmann::json::parse(line));
    });
    ProxyOptions options;
    options.ops_port = 0;
    options.idle_timeout = 30s;
    options.on_refusal = [this](const AuditRecord& r, const std::string& uid) {
      std::lock_guard lock(mu_);
      refusals_.emplace_back(r.session, uid);
    };
    proxy_ = std::make_unique<Proxy>(options, sessions, audit_, metrics);
  }
  // Registers a session from `pod_ip` allowed the named `destinations`; returns its token.
  std::string session(const std::string& id, const std::string& pod_ip, const std::vector<std::string>& destinations,
                      const std::string& push_branch = "") {
    Session s;
    s.id = id;
    s.uid = "uid-" + id;
    s.pod_ip = pod_ip;
    s.expires_at = Clock::now() + 1h;
    for (const auto& name : destinations) {
      for (const auto& d : destinations_) {
        if (d.name == name) s.destinations.push_back(d);
      }
    }
    s.push_branch = push_branch;
    const std::string token = make_token();
    sessions->put(token, s);
    return token;
  }
  int port() const { return proxy_->port(); }
  int ops_port() const { return proxy_->ops_port(); }
  std::vector<nlohmann::json> audit() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  // What the refusal hook was given: (audit session, session uid) per refused request.
  std::vector<std::pair<std::string, std::string>> refusals() const {
    std::lock_guard lock(mu_);
    return refusals_;
  }
  // The audit line whose path is `path` (the last one), waiting briefly: the line is
  // written when the response ends, which the client may see first.
  nlohmann::json audit_of(const std::string& path) const {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu_);
        for (auto it = lines_.rbegin(); it != lines_.rend(); ++it) {
          if ((*it)["path"] == path) return *it;
        }
      }
      std::this_thread::sleep_for(10ms);
    }
    return nullptr;
  }

  std::shared_ptr<SessionRegistry> sessions = std::make_shared<SessionRegistry>();
  std::shared_ptr<Metrics> metrics = std::make_shared<Metrics>();

 private:
  std::vector<Destination> destinations_;
  mutable std::mutex mu_;
  std::vector<nlohmann::json> lines_;
  std::vector<std::pair<std::string, std::string>> refusals_;
  std::shared_ptr<AuditLog> audit_;
  std::unique_ptr<Proxy> proxy_;
};

Destination http_destination(const std::string& name, const std::string& host, int port) {
  Destination d;
  d.name = name;
  d.hosts = {HostPattern(host)};
  d.ports = {port};
  d.address = "127.0.0.1";
  return d;
}

std::string proxy_auth(const std::string& token) {
  return "Proxy-Authorization: Basic " + base64("s:" + token) + "\r\n";
}

std::string post(const std::string& url, const std::string& extra_headers, const std::string& body) {
  return "POST " + url + " HTTP/1.1\r\nHost: x\r\n" + extra_headers + "Content-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(EgressProxy, InjectsTheDestinationCredentialAndStripsTheRunners) {
  TestUpstream up({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"});
  Destination d = http_destination("llm", "llm.test", up.port());
  d.methods = {"POST"};
  d.path_prefixes = {"/v1/"};
  d.credential = {CredentialType::Bearer, "sk-real-key"};
  Gateway gw({d});
  const std::string token = gw.session("team-a/s1", "127.0.0.1", {"llm"});
  const std::string url = "http://llm.test:" + std::to_string(up.port()) + "/v1/chat/completions?beta=1";

  RawClient client(gw.port());
  client.send(post(url,
                   proxy_auth(token) + "Authorization: Bearer placeholder-from-runner\r\n" +
                       "x-api-key: placeholder-from-runner\r\nCookie: a=b\r\nConnection: keep-alive, X-Hop\r\n" +
                       "X-Hop: 1\r\n",
                   R"({"model":"m"})"));
  const std::string response = client.read_until("{\"ok\":true}", 10s);
  EXPECT_NE(response.find("HTTP/1.1 200 OK"), std::string::npos) << response;
  EXPECT_NE(response.find("{\"ok\":true}"), std::string::npos) << response;

  ASSERT_TRUE(up.wait_for_requests(1, 5s));
  const std::string received = up.requests()[0];
  EXPECT_TRUE(received.starts_with("POST /v1/chat/completions?beta=1 HTTP/1.1\r\n")) << received;
  EXPECT_NE(received.find("Authorization: Bearer sk-real-key\r\n"), std::string::npos) << received;
  EXPECT_EQ(received.find("placeholder"), std::string::npos) << received;
  EXPECT_EQ(received.find(token), std::string::npos) << received;
  EXPECT_EQ(received.find("Proxy-Authorization"), std::string::npos) << received;
  EXPECT_EQ(received.find("Cookie"), std::string::npos) << received;
  EXPECT_EQ(received.find("X-Hop"), std::string::npos) << received;
  EXPECT_NE(received.find("Host: llm.test:" + std::to_string(up.port()) + "\r\n"), std::string::npos) << received;
  EXPECT_TRUE(received.ends_with(R"({"model":"m"})")) << received;

  const auto line = gw.audit_of("/v1/chat/completions");
  ASSERT_FALSE(line.is_null());
  EXPECT_EQ(line["decision"], "allowed");
  EXPECT_EQ(line["session"], "team-a/s1");
  EXPECT_EQ(line["destination"], "llm");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["bytesUp"], 13);
  EXPECT_EQ(line["bytesDown"], 11);
  EXPECT_EQ(line.dump().find("sk-real-key"), std::string::npos);
  EXPECT_EQ(line.dump().find("beta=1"), std::string::npos);  // no query in the audit
}

std::string chunk(const std::string& data) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

TEST(EgressProxy, ServerSentEventsPassThroughOneByOne) {
  // Piece 1 is written only after the client has seen event one through the proxy.
  TestUpstream chunked({"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
                            chunk("data: one\n\n"),
                        chunk("data: two\n\n") + "0\r\n\r\n"});
  TestUpstream unframed({"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: one\n\n", "data: two\n\n"});
  for (TestUpstream* up : {&chunked, &unframed}) {
    Gateway gw({http_destination("llm", "llm.test", up->port())});
    const std::string token = gw.session("team-a/s1", "127.0.0.1", {"llm"});
    RawClient client(gw.port());
    client.send(post("http://llm.test:" + std::to_string(up->port()) + "/v1/messages", proxy_auth(token), "{}"));
    std::string seen = client.read_until("data: one", 10s);
    ASSERT_NE(seen.find("data: one"), std::string::npos)
        << "the first event did not arrive before the second was sent: " << seen;
    EXPECT_EQ(seen.find("data: two"), std::string::npos);
    EXPECT_NE(seen.find("Transfer-Encoding: chunked"), std::string::npos) << seen;  // framed for keep-alive
    up->release(1);
    seen = client.read_until("0\r\n\r\n", 10s);
    EXPECT_NE(seen.find("data: two"), std::string::npos) << seen;
    EXPECT_TRUE(seen.ends_with("0\r\n\r\n")) << seen;
  }
}

TEST(EgressProxy, RefusesWhatIdentityOrPolicyDoesNotAllow) {
  TestUpstream up({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"});
  Destination d = http_destination("llm", "llm.test", up.port());
  d.path_prefixes = {"/v1/"};
  Gateway gw({d, http_destination("other", "other.test", up.port())});
  const std::string token = gw.session("team-a/s1", "127.0.0.1", {"llm"});
  const std::string finished = gw.session("team-a/done", "127.0.0.1", {"llm"});
  gw.sessions->finish("team-a/done");
  const std::string port = std::to_string(up.port());

  struct Case {
    std::string name, source, target, headers, status, reason;
  };
  const std::vector<Case> cases = {
      {"no token", "127.0.0.1", "http://llm.test:" + port + "/v1/a", "", "407", "no session token"},
      {"unknown token", "127.0.0.1", "http://llm.test:" + port + "/v1/b", proxy_auth(make_token()), "403", "unknown"},
      {"token copied into another pod", "127.0.0.2", "http://llm.test:" + port + "/v1/c", proxy_auth(token), "403",
       "another address"},
      {"finished session", "127.0.0.1", "http://llm.test:" + port + "/v1/d", proxy_auth(finished), "403", "finished"},
      {"host not listed", "127.0.0.1", "http://evil.test:" + port + "/v1/e", proxy_auth(token), "403",
       "not a destination"},
      {"another session's destination", "127.0.0.1", "http://other.test:" + port + "/v1/f", proxy_auth(token), "403",
       "not a destination"},
      {"path outside the prefixes", "127.0.0.1", "http://llm.test:" + port + "/admin", proxy_auth(token), "403",
       "prefix"},
      {"dot segments", "127.0.0.1", "http://llm.test:" + port + "/v1/../admin", proxy_auth(token), "403",
       "plain absolute path"},
      {"wrong port", "127.0.0.1", "http://llm.test:1/v1/g", proxy_auth(token), "403", "port 1"},
      {"origin-form", "127.0.0.1", "/v1/h", proxy_auth(token), "400", "absolute"},
  };
  for (const auto& c : cases) {
    RawClient client(gw.port(), c.source);
    client.send(post(c.target, c.headers, "{}"));
    const std::string response = client.read_all(10s);
    EXPECT_TRUE(response.starts_with("HTTP/1.1 " + c.status)) << c.name << ": " << response;
    EXPECT_NE(response.find(c.reason), std::string::npos) << c.name << ": " << response;
  }
  EXPECT_TRUE(up.requests().empty()) << "a refused request reached the destination";
  const auto lines = gw.audit();
  ASSERT_EQ(lines.size(), cases.size());
  for (const auto& line : lines) EXPECT_EQ(line["decision"], "denied") << line.dump();
  EXPECT_EQ(lines[2]["session"], "team-a/s1");  // the copied token is attributed to its session
  // Every refusal reaches the hook (the events on the session), with the session's uid
  // when the token was one session's.
  const auto refusals = gw.refusals();
  ASSERT_EQ(refusals.size(), cases.size());
  EXPECT_EQ(refusals[0], std::make_pair(std::string(), std::string()));  // no token
  EXPECT_EQ(refusals[1], std::make_pair(std::string(), std::string()));  // unknown token
  EXPECT_EQ(refusals[2], std::make_pair(std::string("team-a/s1"), std::string("uid-team-a/s1")));
  EXPECT_EQ(refusals[3], std::make_pair(std::string("team-a/done"), std::string("uid-team-a/done")));
  EXPECT_EQ(refusals[4], std::make_pair(std::string("team-a/s1"), std::string("uid-team-a/s1")));
  const std::string metrics = gw.metrics->serialize();
  EXPECT_NE(metrics.find(R"(droid_egress_refusals_total{reason="wrong_source"} 1)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"(droid_egress_refusals_total{reason="policy"} 5)"), std::string::npos) << metrics;
}

// The whole path from what the operator publishes: a grant, the Secrets it names, the
// token key and, later than the runner's first request, the pod's address.
TEST(EgressProxy, ServesGrantsAndWaitsBrieflyForThePodsAddress) {
  TestUpstream up({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  const std::string key(40, 'k');
  const std::string uid = "0a1b2c3d-0000-4000-8000-000000000001";
  auto registry = std::make_shared<SessionRegistry>();
  SessionTable table(registry);
  table.set_keys(key, "");
  table.put_secret("llm-key", {{"api-key", "sk-from-grant"}});
  const auto grant = [&](const std::string& pod, const std::string& secret) {
    return nlohmann::json{
        {"version", 1},
        {"session", {{"namespace", "team-a"}, {"name", "s1"}, {"uid", uid}}},
        {"podName", pod},
        {"expiresAt", "2200-01-01T00:00:00Z"},
        {"destinations",
         {{{"name", "llm"},
           {"kind", "http"},
           {"hosts", {"llm.test"}},
           {"ports", {up.port()}},
           {"scheme", "http"},
           {"address", "127.0.0.1"},
           {"credential", {{"type", "bearer"}, {"secretRef", {{"name", secret}, {"key", "api-key"}}}}}}}}}
        .dump();
  };
  ASSERT_EQ(table.put_grant("droid-egress-" + uid, grant("s1-runner-1", "llm-key")), "");
  std::vector<nlohmann::json> lines;
  std::mutex mu;
  auto audit = std::make_shared<AuditLog>([&](const std::string& line) {
    std::lock_guard lock(mu);
    lines.push_back(nlohmann::json::parse(line));
  });
  ProxyOptions options;
  options.pod_wait = 1500ms;
  Proxy proxy(options, registry, audit, std::make_shared<Metrics>());
  const std::string url = "http://llm.test:" + std::to_string(up.port()) + "/v1/x";
  const std::string token = contract::egress_token(key, {"team-a", "s1", uid, "s1-runner-1"});

  // The request arrives first; the pod watch delivers the address 300 ms later.
  RawClient early(proxy.port());
  early.send(post(url, proxy_auth(token), "{}"));
  std::this_thread::sleep_for(300ms);
  table.put_pod("team-a", "s1-runner-1", "127.0.0.1");
  const std::string response = early.read_until("ok", 10s);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  ASSERT_TRUE(up.wait_for_requests(1, 5s));
  EXPECT_NE(up.requests()[0].find("Authorization: Bearer sk-from-grant\r\n"), std::string::npos);

  // A new run whose pod never gets an address: refused after the wait, nothing sent upstream.
  ASSERT_EQ(table.put_grant("droid-egress-" + uid, grant("s1-runner-2", "llm-key")), "");
  const auto start = std::chrono::steady_clock::now();
  RawClient late(proxy.port());
  late.send(post(url, proxy_auth(contract::egress_token(key, {"team-a", "s1", uid, "s1-runner-2"})), "{}"));
  const std::string refused = late.read_all(10s);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 403")) << refused;
  EXPECT_NE(refused.find("pod address is not known"), std::string::npos) << refused;
  EXPECT_GE(waited, 1400ms);
  EXPECT_LT(waited, 8s);
  RawClient old_run(proxy.port());
  old_run.send(post(url, proxy_auth(token), "{}"));
  EXPECT_NE(old_run.read_all(10s).find("unknown session token"), std::string::npos) << "the previous run's token";

  // A destination whose Secret is missing: 503 naming it, nothing sent upstream.
  ASSERT_EQ(table.put_grant("droid-egress-" + uid, grant("s1-runner-1", "absent-secret")), "");
  RawClient unavailable(proxy.port());
  unavailable.send(post(url, proxy_auth(token), "{}"));
  const std::string answer = unavailable.read_all(10s);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503")) << answer;
  EXPECT_NE(answer.find("Secret absent-secret not found"), std::string::npos) << answer;
  EXPECT_EQ(up.requests().size(), 1u);
  std::lock_guard lock(mu);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["decision"], "allowed");
  EXPECT_EQ(lines[0]["session"], "team-a/s1");
  EXPECT_EQ(lines[1]["reason"], "the session's pod address is not known");
  EXPECT_EQ(lines[3]["status"], 503);
}

// The runner's LLM client (cpprestsdk), configured as a runner pod would be: an
// http:// base URL, a placeholder key, the gateway as its proxy with the session
// token; the gateway speaks TLS with mTLS to the scripted gateway and injects the key.
TEST(EgressProxy, RunnerClientStreamsThroughTheGatewayToATlsGatewayWithMtls) {
  namespace lt = droid::llm::testing;
  const auto dir = std::filesystem::temp_directory_path() / ("egress-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto ca = lt::make_ca("egress test CA");
  const auto server = lt::make_certificate(ca, "llm.test", {"DNS:llm.test"}, true);
  const auto client_cert = lt::make_certificate(ca, "droid-egress", {"DNS:droid-egress"}, false);
  lt::write_file((dir / "server.crt").string(), server.cert_pem);
  lt::write_file((dir / "server.key").string(), server.key_pem);
  lt::write_file((dir / "ca.crt").string(), ca.cert_pem);
  lt::GatewayOptions options;
  options.listen_url = "https://127.0.0.1:0";
  options.api_key = "sk-gateway-key";
  options.tls_cert_file = (dir / "server.crt").string();
  options.tls_key_file = (dir / "server.key").string();
  options.client_ca_file = (dir / "ca.crt").string();
  lt::ScriptedGateway llm(
      lt::parse_script(nlohmann::json::parse(
          R"({"turns": [{"response": {"text": "Streamed through the egress gateway.", "chunkSize": 5}},
                        {"response": {"text": "Second answer."}}]})")),
      options);
  const int llm_port = std::stoi(llm.url().substr(llm.url().rfind(':') + 1));

  Destination d = http_destination("llm", "llm.test", llm_port);
  d.methods = {"POST"};
  d.path_prefixes = {"/v1/"};
  d.credential = {CredentialType::Bearer, "sk-gateway-key"};
  d.tls = {true, ca.cert_pem, client_cert.cert_pem, client_cert.key_pem};
  Gateway gw({d});
  const std::string token = gw.session("team-a/s1", "127.0.0.1", {"llm"});

  droid::llm::GatewayConfig config;
  config.base_url = "http://llm.test:" + std::to_string(llm_port) + "/v1";
  config.api_key = "placeholder-not-a-key";
  config.proxy.http_proxy = "http://s:" + token + "@127.0.0.1:" + std::to_string(gw.port());
  config.retry.max_attempts = 1;
  auto client = droid::llm::make_client(config);
  droid::llm::Request request;
  request.model = "m";
  request.messages = {droid::llm::Message::user("hello")};
  std::vector<std::string> deltas;
  const auto streamed = client->complete(request, [&](std::string_view t) { deltas.emplace_back(t); });
  EXPECT_EQ(streamed.message.text(), "Streamed through the egress gateway.");
  EXPECT_GT(deltas.size(), 3u);  // the stream arrived in pieces
  const auto plain = client->complete(request);
  EXPECT_EQ(plain.message.text(), "Second answer.");

  const auto received = llm.requests();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0]["status"], 200);
  EXPECT_EQ(received[0]["path"], "/v1/chat/completions");
  const auto line = gw.audit_of("/v1/chat/completions");
  EXPECT_EQ(line["decision"], "allowed");
  std::filesystem::remove_all(dir);
}

// The project's git server (tools/git-server) behind basic auth; the runner's git
// knows only the gateway and its session token.
class GitServer {
 public:
  GitServer(const std::filesystem::path& root, const std::string& user, const std::string& password) {
    port_ = testing::free_port();
    const auto password_file = root / "password";
    std::ofstream(password_file) << password << "\n";
    std::filesystem::create_directories(root / "seed");
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string script = std::string(DROID_SOURCE_DIR) + "/tools/git-server/git_http_server.py";
      const std::string root_dir = (root / "repos").string(), seed = (root / "seed").string();
      const std::string port = std::to_string(port_), pw = password_file.string();
      ::execlp("python3", "python3", script.c_str(), "--root", root_dir.c_str(), "--seed", seed.c_str(), "--port",
               port.c_str(), "--user", user.c_str(), "--password-file", pw.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      try {
        RawClient probe(port_);
        return;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(50ms);
      }
    }
    throw std::runtime_error("the git server did not start");
  }
  ~GitServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

droid::process::Result git(const std::filesystem::path& home, const std::vector<std::string>& args,
                           const std::string& cwd = "") {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  droid::process::Options options;
  options.cwd = cwd;
  options.env = {"HOME=" + home.string(),
                 "GIT_TERMINAL_PROMPT=0",
                 "GIT_CONFIG_NOSYSTEM=1",
                 "GIT_AUTHOR_NAME=droid",
                 "GIT_AUTHOR_EMAIL=droid@test",
                 "GIT_COMMITTER_NAME=droid",
                 "GIT_COMMITTER_EMAIL=droid@test",
                 "http_proxy=",
                 "HTTP_PROXY=",
                 "no_proxy=",
                 "NO_PROXY="};
  return droid::process::run_with(argv, options);
}

TEST(EgressProxy, GitClonesAndPushesOnlyTheSessionsBranch) {
  const auto dir = std::filesystem::temp_directory_path() / ("egress-git-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "repos");
  const auto bare = dir / "repos" / "app.git";
  ASSERT_TRUE(git(dir, {"init", "-q", "--bare", "-b", "main", bare.string()}).ok());
  ASSERT_TRUE(git(dir, {"init", "-q", "-b", "main", (dir / "seed-work").string()}).ok());
  std::ofstream(dir / "seed-work" / "README") << "seed\n";
  ASSERT_TRUE(git(dir, {"add", "README"}, (dir / "seed-work").string()).ok());
  ASSERT_TRUE(git(dir, {"commit", "-q", "-m", "seed"}, (dir / "seed-work").string()).ok());
  ASSERT_TRUE(git(dir, {"push", "-q", bare.string(), "main"}, (dir / "seed-work").string()).ok());

  GitServer server(dir, "droid", "git-s3cret");
  Destination d = http_destination("git", "git.test", server.port());
  d.git_repositories = {"/app.git"};
  d.credential = {CredentialType::Basic, "droid:git-s3cret"};
  Gateway gw({d});
  const std::string token = gw.session("team-a/s1", "127.0.0.1", {"git"}, "droid/fix");
  const std::string proxy = "http.proxy=http://s:" + token + "@127.0.0.1:" + std::to_string(gw.port());
  const std::string url = "http://git.test:" + std::to_string(server.port()) + "/app.git";
  const std::string work = (dir / "work").string();

  auto r = git(dir, {"-c", proxy, "clone", "-q", url, work});
  ASSERT_TRUE(r.ok()) << r.describe();
  std::ofstream(dir / "work" / "fix.txt") << "the fix\n";
  ASSERT_TRUE(git(dir, {"add", "fix.txt"}, work).ok());
  ASSERT_TRUE(git(dir, {"commit", "-q", "-m", "fix"}, work).ok());
  const std::string head = git(dir, {"rev-parse", "HEAD"}, work).out;

  r = git(dir, {"-c", proxy, "push", "origin", "HEAD:refs/heads/droid/fix"}, work);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(git(dir, {"--git-dir", bare.string(), "rev-parse", "refs/heads/droid/fix"}).out, head);

  const std::string main_before = git(dir, {"--git-dir", bare.string(), "rev-parse", "refs/heads/main"}).out;
  r = git(dir, {"-c", proxy, "push", "origin", "HEAD:refs/heads/main"}, work);
  EXPECT_FALSE(r.ok()) << r.describe();
  EXPECT_NE(r.err.find("403"), std::string::npos) << r.describe();
  r = git(dir, {"-c", proxy, "push", "origin", "HEAD:refs/heads/droid/fix", "HEAD:refs/tags/v9"}, work);
  EXPECT_FALSE(r.ok()) << r.describe();
  EXPECT_EQ(git(dir, {"--git-dir", bare.string(), "rev-parse", "refs/heads/main"}).out, main_before);
  EXPECT_FALSE(git(dir, {"--git-dir", bare.string(), "rev-parse", "--verify", "-q", "refs/tags/v9"}).ok());

  const auto refused = gw.audit_of("/app.git/git-receive-pack");
  EXPECT_EQ(refused["decision"], "denied");
  EXPECT_NE(refused["reason"].get<std::string>().find("refs/tags/v9"), std::string::npos) << refused.dump();
  for (const auto& line : gw.audit()) EXPECT_EQ(line.dump().find("git-s3cret"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// TLS over a raw socket already tunnelled; true when the handshake and a GET /healthz worked.
bool tls_get_healthz(int fd, const std::string& sni, const std::string& ca_pem, std::string& answer) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert);
  X509_free(cert);
  BIO_free(bio);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, sni.c_str());
  SSL_set1_host(ssl, sni.c_str());
  bool ok = SSL_connect(ssl) == 1;
  if (ok) {
    const std::string req = "GET /healthz HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n";
    SSL_write(ssl, req.data(), static_cast<int>(req.size()));
    char buf[4096];
    int n = 0;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) answer.append(buf, static_cast<std::size_t>(n));
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return ok;
}

TEST(EgressProxy, ConnectTunnelsOnlyToAllowedHostsWhoseTlsNamesMatch) {
  namespace lt = droid::llm::testing;
  const auto dir = std::filesystem::temp_directory_path() / ("egress-tunnel-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto ca = lt::make_ca("tunnel CA");
  const auto server = lt::make_certificate(ca, "mirror.test", {"DNS:mirror.test", "DNS:other.test"}, true);
  lt::write_file((dir / "server.crt").string(), server.cert_pem);
  lt::write_file((dir / "server.key").string(), server.key_pem);
  lt::GatewayOptions options;
  options.listen_url = "https://127.0.0.1:0";
  options.api_key = "k";
  options.tls_cert_file = (dir / "server.crt").string();
  options.tls_key_file = (dir / "server.key").string();
  lt::ScriptedGateway tls_server(lt::parse_script(nlohmann::json::parse(R"({"turns": []})")), options);
  const int port = std::stoi(tls_server.url().substr(tls_server.url().rfind(':') + 1));

  Destination d = http_destination("mirror", "mirror.test", port);
  d.tunnel = true;
  Gateway gw({d});
  const std::string token = gw.session("team-a/s1", "127.0.0.1", {"mirror"});
  const std::string connect = "CONNECT mirror.test:" + std::to_string(port) + " HTTP/1.1\r\nHost: mirror.test\r\n";

  {
    RawClient client(gw.port());
    client.send(connect + proxy_auth(token) + "\r\n");
    ASSERT_NE(client.read_until("\r\n\r\n", 10s).find("200 Connection established"), std::string::npos);
    std::string answer;
    EXPECT_TRUE(tls_get_healthz(client.fd(), "mirror.test", ca.cert_pem, answer));
    EXPECT_NE(answer.find("ok"), std::string::npos) << answer;
  }
  {  // the tunnel was opened to mirror.test, the TLS session asks for another name
    RawClient client(gw.port());
    client.send(connect + proxy_auth(token) + "\r\n");
    ASSERT_NE(client.read_until("\r\n\r\n", 10s).find("200"), std::string::npos);
    std::string answer;
    EXPECT_FALSE(tls_get_healthz(client.fd(), "other.test", ca.cert_pem, answer));
  }
  {  // not a tunnel destination
    RawClient client(gw.port());
    client.send("CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test\r\n" + proxy_auth(token) + "\r\n");
    EXPECT_TRUE(client.read_all(10s).starts_with("HTTP/1.1 403"));
  }
  std::this_thread::sleep_for(100ms);
  const auto lines = gw.audit();
  ASSERT_EQ(lines.size(), 3u);
  int allowed = 0, denied = 0;
  for (const auto& l : lines) (l["decision"] == "allowed" ? allowed : denied)++;
  EXPECT_EQ(allowed, 1);
  EXPECT_EQ(denied, 2);
  std::filesystem::remove_all(dir);
}

TEST(EgressProxy, ServesItsMetricsOnTheOpsPort) {
  TestUpstream up({"HTTP/1.1 204 No Content\r\n\r\n"});
  Gateway gw({http_destination("llm", "llm.test", up.port())});
  const std::string token = gw.session("team-a/s1", "127.0.0.1", {"llm"});
  {
    RawClient client(gw.port());
    client.send(post("http://llm.test:" + std::to_string(up.port()) + "/v1/x", proxy_auth(token), "{}"));
    EXPECT_TRUE(client.read_until("\r\n\r\n", 10s).starts_with("HTTP/1.1 204"));
  }
  ASSERT_FALSE(gw.audit_of("/v1/x").is_null());
  RawClient ops(gw.ops_port());
  ops.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string text = ops.read_all(10s);
  EXPECT_NE(text.find(R"(droid_egress_requests_total{decision="allowed",destination="llm"} 1)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("droid_egress_sessions 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace droid::egress
