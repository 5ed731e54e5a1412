#include "shield/rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include "shield/entropy.h"
#include "shield/placeholder.h"
#include "text/base64.h"

namespace droid::runner::shield {
namespace {

// After a token: a character that cannot continue it, or the end of the text.
constexpr const char* kEnd = R"((?:[^\w-]|\z))";

// A token with a distinctive shape: `body` is the secret itself (group 1).
Rule token(std::string id, std::string description, const std::string& body, std::vector<std::string> keywords,
           double entropy = 3.0) {
  return Rule{std::move(id), std::move(description), R"(\b()" + body + ")" + kEnd, std::move(keywords), 1, entropy};
}

// How a value is tied to a name that gives it away (after NAME[\w.-]{0,20}), in
// every form code, config and shell write it; the value follows, maybe quoted:
//   NAME = v, NAME: v, NAME := v, "NAME" => v, make's ::= :::= ?=, PHP's .=, += ??= ||=
//   var NAME string = v, val NAME: String = v        (a type between name and operator)
//   define('NAME', v), System.setProperty("NAME", v)  (a call: quoted name, comma)
//   setPassword("v"), .withApiKey('v')                (a setter: the value is the argument)
//   <add key="NAME" value="v"/>                       (XML attributes)
//   <NAME>v</NAME>, <NAME>\n  v\n</NAME>              (an XML element; the value may sit on the next line)
constexpr const char* kBinding = R"((?:["'`]?\]?[ \t]{0,3}(?::[ \t]{0,3}[\w.<>\[\]?]{1,30}[ \t]{0,3})?)"
                                 R"((?:=|:=|::=|:::=|\?=|\.=|\+=|\?\?=|\|\|=|:|=>)[ \t]{0,5}["'`]?)"
                                 R"(|[ \t]{1,3}[\w.<>\[\]]{1,20}[ \t]{1,3}(?:=|:=)[ \t]{0,5}["'`]?)"
                                 R"(|["'`][ \t]{0,3},[ \t]{0,5}["'`])"
                                 R"(|[ \t]{0,3}\([ \t]{0,3}["'`])"
                                 R"(|["'][ \t]{1,5}value[ \t]{0,3}=[ \t]{0,3}["'])"
                                 R"(|>[ \t]{0,20}(?:\r?\n[ \t]{0,20})?))";

// A value assigned to a name that gives it away (see kBinding). `name` must
// contain a keyword.
Rule assigned(std::string id, std::string description, const std::string& name, const std::string& value,
              std::vector<std::string> keywords, double entropy = 3.0) {
  Rule r{std::move(id),
         std::move(description),
         "(?i)" + name + R"([\w.-]{0,20}(?:)" + kBinding + ")(" + value + ")" + R"((?:[^\w/+=*-]|\z))",
         std::move(keywords),
         1,
         entropy};
  r.extra_lines = 1;  // <NAME>\n  value
  r.continuation = ">";
  r.named = true;
  return r;
}

// A PEM-style block: from its BEGIN line to the matching END line.
Rule pem(std::string id, std::string description, const std::string& label, std::vector<std::string> keywords) {
  Rule r{std::move(id),
         std::move(description),
         "(-----BEGIN " + label + "-----[\\s\\S]{32,}?-----END " + label + "-----)",
         std::move(keywords),
         1,
         0.0,
         true};
  return r;
}

bool url_secret(std::string_view password);

// A URL with a password: SCHEME://USER:PASSWORD@HOST; group 1 is the password,
// which may hold an unencoded '@' (the host follows the last one).
Rule url_password(std::string id, std::string description, const std::string& scheme,
                  std::vector<std::string> keywords) {
  Rule r{std::move(id),
         std::move(description),
         "(?i)\\b" + scheme + R"(://[^\s:@/"'`<>]*:([^\s/"'`<>]{3,})@[\w-][^\s@"'`<>/]*)",
         std::move(keywords),
         1,
         0.0};
  r.generic = true;
  r.quoted_value = true;
  r.validate = url_secret;
  return r;
}

// --- Checks of a secret beyond its regex (Rule::validate) -------------------------------------

// Passwords that only stand in for one in commands and docs.
bool stand_in_password(std::string_view p);

// A URL's password that is not a stand-in ("user:password@", "user:my-secret@").
bool url_secret(std::string_view password) {
  std::string l(password);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return !stand_in_password(password) && l.find("password") == std::string::npos &&
         l.find("passwd") == std::string::npos && l.find("secret") == std::string::npos;
}

bool stand_in_password(std::string_view p) {
  static constexpr std::array<std::string_view, 14> kStandIns = {"pass",  "password", "passwd",     "pwd",      "test",
                                                                 "token", "secret",   "changeme",   "changeit", "admin",
                                                                 "user",  "root",     "mypassword", "value"};
  std::string l(p);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (std::find(kStandIns.begin(), kStandIns.end(), l) != kStandIns.end()) return true;
  return std::all_of(p.begin(), p.end(), [&](char c) { return c == p.front(); });  // xxx, ***
}

// A part of a credential that is an expansion or a template, not a literal.
bool expansion(std::string_view p) {
  return !p.empty() && (p.front() == '$' || p.front() == '<' || p.front() == '[' || p.find("{{") != p.npos);
}

// `curl -u USER:PASSWORD`: the credential as written (quotes included). A
// password, or a lone user that is an API key (`-u sk_live_...:`), that is
// literal and not a stand-in.
bool curl_credential(std::string_view secret) {
  std::string cred;
  for (char c : secret)
    if (c != '"' && c != '\'') cred += c;
  const auto colon = cred.find(':');
  if (colon == std::string::npos) return false;
  const std::string_view user = std::string_view(cred).substr(0, colon);
  const std::string_view pass = std::string_view(cred).substr(colon + 1);
  const std::string_view key = pass.empty() ? user : pass;
  if (key.size() < (pass.empty() ? 8u : 4u) || expansion(key)) return false;
  return !stand_in_password(key);
}

// A command-line password (`mysql -pPW`, `sshpass -p PW`, `--password PW`): quotes
// stripped, literal, not a stand-in.
bool cli_password(std::string_view secret) {
  if (secret.size() >= 2 && (secret.front() == '"' || secret.front() == '\'') && secret.back() == secret.front())
    secret = secret.substr(1, secret.size() - 2);
  while (!secret.empty() && std::string_view("),.;:").find(secret.back()) != std::string_view::npos)
    secret.remove_suffix(1);  // prose around a command: "(mysql -pPASSWORD)."
  if (secret.size() < 4 || expansion(secret) || secret.front() == '-' || secret.find("$(") != secret.npos) return false;
  // An upper-case word stands for the value in docs and usage lines: --token GITHUB_TOKEN.
  const bool upper_word = std::all_of(secret.begin(), secret.end(),
                                      [](unsigned char c) { return std::isupper(c) || c == '_' || c == '-'; });
  return !upper_word && !stand_in_password(secret) && !looks_like_reference(secret, false, true);
}

// A base64-encoded JSON Web Token: the text decodes to "eyJ" and more base64url
// up to a '.' (a JWT's header and its first separator). The text is decoded up to its
// first character outside both base64 alphabets.
bool base64_jwt(std::string_view secret) {
  secret = secret.substr(0, 8192);
  const auto end = std::find_if(secret.begin(), secret.end(), [](unsigned char c) {
    return std::isalnum(c) == 0 && c != '+' && c != '/' && c != '-' && c != '_';
  });
  const std::string decoded =
      text::base64_decode(secret.substr(0, static_cast<std::size_t>(end - secret.begin())), text::Base64::Lenient)
          .value_or(std::string());
  const auto dot = decoded.find('.');
  if (decoded.rfind("eyJ", 0) != 0 || dot == std::string::npos || dot < 10) return false;
  return std::all_of(decoded.begin(), decoded.begin() + static_cast<std::ptrdiff_t>(dot),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '='; });
}

// Services whose name in an assignment's name marks its value as their credential.
constexpr const char* kVendors[] = {
    "adafruit",  "adobe",       "algolia",      "alibaba",    "asana",      "atlassian",  "authress",    "beamer",
    "bitbucket", "bittrex",     "codecov",      "coinbase",   "confluent",  "contentful", "datadog",     "discord",
    "droneci",   "dropbox",     "dynatrace",    "easypost",   "etsy",       "facebook",   "fastly",      "finicity",
    "finnhub",   "flickr",      "flutterwave",  "freshbooks", "gitter",     "gocardless", "hubspot",     "intercom",
    "kraken",    "kucoin",      "launchdarkly", "linkedin",   "looker",     "mailgun",    "mattermost",  "maxmind",
    "meraki",    "messagebird", "netlify",      "newrelic",   "new_relic",  "nytimes",    "okta",        "pagerduty",
    "plaid",     "rapidapi",    "sendbird",     "settlemint", "snyk",       "sonar",      "squarespace", "sumo",
    "travis",    "trello",      "twitch",       "twitter",    "yandex",     "zendesk",    "sourcegraph", "telegram",
    "heroku",    "shopify",     "twilio",       "sendgrid",   "openai",     "anthropic",  "cohere",      "huggingface",
    "pinecone",  "supabase",    "vercel",       "firebase",   "jira",       "circleci",   "sentry",      "paypal",
    "braintree", "cloudflare",  "digitalocean", "linode",     "vultr",      "hetzner",    "scaleway",    "artifactory",
    "jfrog",     "mapbox",      "contribsys",   "clickhouse", "databricks", "snowflake",  "mongodb",     "auth0",
};

std::string join(const auto& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += '|';
    out += w;
  }
  return out;
}

// The value of a vendor-credential-assignment: long enough, mixing in digits
// (a service's name or a word is not a key), not an environment variable's
// name (ALGOLIA_KEY_2).
bool vendor_value(std::string_view v) {
  if (v.size() < 10 || shannon_entropy(v) < 2.0) return false;
  if (std::none_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) return false;
  const bool env_name =
      std::isupper(static_cast<unsigned char>(v.front())) != 0 &&
      std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isupper(c) || std::isdigit(c) || c == '_'; });
  return !env_name;
}

std::vector<Rule> build() {
  std::vector<Rule> r;
  // --- Cloud providers ---------------------------------------------------------------------------
  r.push_back(token("aws-access-key-id", "AWS access key ID", "(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
                    {"akia", "asia", "abia", "acca", "a3t"}));
  r.push_back(assigned("aws-secret-access-key", "AWS secret access key",
                       R"(aws[\w.-]{0,20}(?:secret|private)[\w.-]{0,20}(?:key)?)", "[A-Za-z0-9/+]{40}", {"aws"}, 3.5));
  r.push_back(token("aws-bedrock-api-key", "Amazon Bedrock API key", "ABSK[A-Za-z0-9+/]{109,}={0,2}", {"absk"}));
  r.push_back(token("gcp-api-key", "Google Cloud API key", "AIza[\\w-]{35}", {"aiza"}));
  r.push_back(Rule{
      "gcp-service-account-key",
      "Google Cloud service-account private key (JSON)",
      R"re("private_key"\s*:\s*"(-----BEGIN PRIVATE KEY-----\\n[A-Za-z0-9+/=\\]{64,}?-----END PRIVATE KEY-----(?:\\n)?)")re",
      {"\"private_key\""},
      1,
      0.0});
  r.push_back(token("gcp-oauth-client-secret", "Google OAuth client secret", "GOCSPX-[\\w-]{28}", {"gocspx-"}));
  r.push_back(token("google-oauth-access-token", "Google OAuth access token", "ya29\\.[\\w-]{30,}", {"ya29."}, 3.5));
  r.push_back(token("gcp-fcm-server-key", "Firebase Cloud Messaging server key",
                    "AAAA[A-Za-z0-9_-]{7}:[A-Za-z0-9_-]{140}", {"aaaa"}));
  r.push_back(Rule{"azure-storage-account-key",
                   "Azure storage account key (connection string)",
                   R"((?i)AccountKey=([A-Za-z0-9+/]{86}==))",
                   {"accountkey="},
                   1,
                   3.5});
  r.push_back(Rule{"azure-shared-access-key",
                   "Azure Service Bus / Event Hubs shared access key",
                   R"((?i)SharedAccessKey=([A-Za-z0-9+/]{43}=))",
                   {"sharedaccesskey="},
                   1,
                   3.5});
  r.push_back(Rule{"azure-sas-token",
                   "Azure shared access signature",
                   R"([?&;]sig=([A-Za-z0-9%+/]{40,}(?:%3D|=)?))",
                   {"sig="},
                   1,
                   3.5});
  r.push_back(Rule{"azure-ad-client-secret",
                   "Azure AD (Entra ID) client secret",
                   R"((?:(?m:^)|[\\'"` \t>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:[\\'"`\s<),]|\z))",
                   {"q~"},
                   1,
                   3.0});
  r.push_back(
      token("azure-devops-pat", "Azure DevOps personal access token", "[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}", {"azdo"}));
  r.push_back(assigned("azure-devops-pat-legacy", "Azure DevOps personal access token (52 characters)",
                       R"((?:azure[\w.-]{0,20}devops|devops|azdo|vsts|ado[_-]))", "[a-z2-7]{52}",
                       {"devops", "azdo", "vsts", "ado_", "ado-"}, 3.5));
  r.push_back(token("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", "LTAI[a-zA-Z0-9]{20}", {"ltai"}));
  r.push_back(token("digitalocean-pat", "DigitalOcean personal access token", "dop_v1_[a-f0-9]{64}", {"dop_v1_"}));
  r.push_back(
      token("digitalocean-access-token", "DigitalOcean OAuth access token", "doo_v1_[a-f0-9]{64}", {"doo_v1_"}));
  r.push_back(
      token("digitalocean-refresh-token", "DigitalOcean OAuth refresh token", "dor_v1_[a-f0-9]{64}", {"dor_v1_"}));
  r.push_back(token("heroku-api-key-v2", "Heroku API key", "HRKU-AA[0-9a-zA-Z_-]{58}", {"hrku-aa"}));
  r.push_back(assigned("heroku-api-key", "Heroku API key (legacy UUID)", "heroku",
                       "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", {"heroku"}));
  r.push_back(token("databricks-api-token", "Databricks API token", "dapi[a-f0-9]{32}(?:-\\d)?", {"dapi"}));
  r.push_back(token("vault-service-token", "HashiCorp Vault service token", "hvs\\.[\\w-]{90,120}", {"hvs."}));
  r.push_back(token("vault-batch-token", "HashiCorp Vault batch token", "hvb\\.[\\w-]{138,}", {"hvb."}));
  r.push_back(token("terraform-cloud-api-token", "Terraform Cloud / HCP API token",
                    "[a-z0-9]{14}\\.atlasv1\\.[a-z0-9_=-]{60,70}", {"atlasv1"}));
  r.push_back(
      token("cloudflare-origin-ca-key", "Cloudflare Origin CA key", "v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}", {"v1.0-"}));
  r.push_back(
      assigned("cloudflare-api-token", "Cloudflare API token", "cloudflare", "[A-Za-z0-9_-]{40}", {"cloudflare"}, 3.5));
  r.push_back(
      assigned("cloudflare-global-api-key", "Cloudflare global API key", "cloudflare", "[a-f0-9]{37}", {"cloudflare"}));
  r.push_back(token("tailscale-key", "Tailscale auth or API key",
                    "tskey-(?:auth|api|client|scim|webhook)-[a-zA-Z0-9]{10,}-[a-zA-Z0-9]{20,}", {"tskey-"}));
  r.push_back(token("openshift-user-token", "OpenShift user token", "sha256~[\\w-]{43}", {"sha256~"}));
  r.push_back(Rule{"kubernetes-service-account-token",
                   "Kubernetes service-account token (legacy secret)",
                   R"(\b(eyJ[\w-]{10,}\.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50[\w-]*\.[\w-]{20,}))",
                   {"eyjpc3mioijrdwjlcm5ldgvzl3nlcnzpy2vhy2nvdw50"},
                   1,
                   0.0});
  r.push_back(token("fly-io-access-token", "Fly.io access token",
                    "(?:fo1_[\\w-]{43}|fm1[ar]_[a-zA-Z0-9+/]{100,}={0,3}|fm2_[a-zA-Z0-9+/]{100,}={0,3})",
                    {"fo1_", "fm1a_", "fm1r_", "fm2_"}));
  r.push_back(token("render-api-key", "Render API key", "rnd_[a-zA-Z0-9]{32}", {"rnd_"}));
  r.push_back(token("supabase-access-token", "Supabase personal access token", "sbp_[a-f0-9]{40}", {"sbp_"}));
  r.push_back(token("planetscale-token", "PlanetScale password or token", "pscale_(?:pw|tkn|oauth)_[\\w=.-]{32,64}",
                    {"pscale_"}));
  r.push_back(token("pulumi-api-token", "Pulumi access token", "pul-[a-f0-9]{40}", {"pul-"}));
  r.push_back(token("doppler-api-token", "Doppler service token", "dp\\.pt\\.[a-zA-Z0-9]{43}", {"dp.pt."}));
  r.push_back(token("scalingo-api-token", "Scalingo API token", "tk-us-[\\w-]{48}", {"tk-us-"}));
  r.push_back(token("dynatrace-api-token", "Dynatrace API token", "dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}", {"dt0c01."}));
  r.push_back(token("onepassword-secret-key", "1Password account secret key",
                    "A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
                    {"a3-"}));
  r.push_back(token("onepassword-service-account-token", "1Password service-account token",
                    "ops_eyJ[a-zA-Z0-9+/]{250,}={0,3}", {"ops_eyj"}));
  r.push_back(token("age-secret-key", "age encryption secret key",
                    "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", {"age-secret-key-1"}));

  // --- Source hosting and CI ---------------------------------------------------------------------
  r.push_back(token("github-pat", "GitHub personal access token", "ghp_[0-9a-zA-Z]{36}", {"ghp_"}));
  r.push_back(token("github-oauth", "GitHub OAuth access token", "gho_[0-9a-zA-Z]{36}", {"gho_"}));
  r.push_back(token("github-app-token", "GitHub App token", "(?:ghu|ghs)_[0-9a-zA-Z]{36}", {"ghu_", "ghs_"}));
  r.push_back(token("github-refresh-token", "GitHub refresh token", "ghr_[0-9a-zA-Z]{36,76}", {"ghr_"}));
  r.push_back(token("github-fine-grained-pat", "GitHub fine-grained personal access token", "github_pat_\\w{82}",
                    {"github_pat_"}));
  r.push_back(
      token("gitlab-pat", "GitLab personal access token", "glpat-[\\w-]{20}(?:[\\w-]{7,}\\.[0-9a-z]{9})?", {"glpat-"}));
  r.push_back(
      token("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", "glptt-[0-9a-f]{40}", {"glptt-"}));
  r.push_back(token("gitlab-runner-token", "GitLab runner authentication token", "glrt-[\\w-]{20,}", {"glrt-"}));
  r.push_back(token("gitlab-runner-registration-token", "GitLab runner registration token", "GR1348941[\\w-]{20}",
                    {"gr1348941"}));
  r.push_back(token("gitlab-deploy-token", "GitLab deploy token", "gldt-[\\w-]{20}", {"gldt-"}));
  r.push_back(token("gitlab-feed-token", "GitLab feed token", "glft-[\\w-]{20}", {"glft-"}));
  r.push_back(token("gitlab-oauth-app-secret", "GitLab OAuth application secret", "gloas-[\\w-]{64}", {"gloas-"}));
  r.push_back(token("gitlab-scim-token", "GitLab SCIM token", "glsoat-[\\w-]{20}", {"glsoat-"}));
  r.push_back(token("gitlab-incoming-mail-token", "GitLab incoming mail token", "glimt-[\\w-]{25}", {"glimt-"}));
  r.push_back(token("gitlab-agent-token", "GitLab agent for Kubernetes token", "glagent-[\\w-]{50}", {"glagent-"}));
  r.push_back(
      token("gitlab-cicd-job-token", "GitLab CI/CD job token", "glcbt-[0-9a-zA-Z]{1,5}_[\\w-]{20}", {"glcbt-"}));
  r.push_back(token("atlassian-api-token", "Atlassian API token", "ATATT3[A-Za-z0-9_=-]{186}", {"atatt3"}));
  r.push_back(token("bitbucket-app-password", "Bitbucket app password", "ATBB[a-zA-Z0-9]{32}", {"atbb"}));
  r.push_back(token("sourcegraph-access-token", "Sourcegraph access token",
                    "sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}", {"sgp_"}));
  r.push_back(token("buildkite-api-token", "Buildkite API access token", "bkua_[a-f0-9]{40}", {"bkua_"}));
  r.push_back(token("harness-api-key", "Harness personal or service-account token",
                    "pat\\.[\\w-]{22}\\.[a-z0-9]{24}\\.[a-z0-9]{20}", {"pat."}));

  // --- Chat and collaboration --------------------------------------------------------------------
  r.push_back(token("slack-bot-token", "Slack bot token",
                    "xoxb-(?:[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*|[0-9]{8,14}-[a-zA-Z0-9]{18,26})", {"xoxb-"}));
  r.push_back(token("slack-legacy-workspace-token", "Slack legacy workspace or refresh token",
                    "xox[ar]-(?:\\d-)?[0-9a-zA-Z]{8,48}(?:-[0-9a-zA-Z]{1,48}){0,4}", {"xoxa-", "xoxr-"}, 1.5));
  r.push_back(token("slack-user-token", "Slack user token", "xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}",
                    {"xoxp-", "xoxe-"}));
  r.push_back(token("slack-app-token", "Slack app-level token", "xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+", {"xapp-"}));
  r.push_back(token("slack-config-access-token", "Slack configuration token", "xoxe\\.xox[bp]-\\d-[A-Z0-9]{163,166}",
                    {"xoxe.xox"}));
  r.push_back(
      token("slack-legacy-token", "Slack legacy token", "xox[os]-\\d+-\\d+-\\d+-[a-fA-F\\d]+", {"xoxo-", "xoxs-"}));
  r.push_back(Rule{"slack-webhook-url",
                   "Slack incoming webhook URL",
                   R"(hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/]{43,56}))",
                   {"hooks.slack.com/"},
                   1,
                   0.0});
  r.push_back(Rule{"discord-webhook-url",
                   "Discord webhook URL",
                   R"(discord(?:app)?\.com/api/webhooks/(\d{17,20}/[\w-]{60,68}))",
                   {"/api/webhooks/"},
                   1,
                   0.0});
  r.push_back(Rule{
      "telegram-bot-token", "Telegram bot token", R"(\b(\d{8,10}:AA[\w-]{33}))" + std::string(kEnd), {":aa"}, 1, 3.0});
  r.push_back(Rule{
      "microsoft-teams-webhook-url",
      "Microsoft Teams incoming webhook URL",
      R"(\.webhook\.office\.com/webhookb2/([a-z0-9-]{36}@[a-z0-9-]{36}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9-]{36}))",
      {".webhook.office.com/"},
      1,
      0.0});
  // "pat" alone would wake the rule on every "path": the token counts where the
  // line names Airtable (elsewhere the generic rules judge it).
  r.push_back(Rule{"airtable-pat",
                   "Airtable personal access token",
                   R"((?i:airtable)[^\r\n]*?\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64}))" + std::string(kEnd),
                   {"airtable"},
                   1,
                   3.0});
  r.push_back(Rule{"airtable-api-key",
                   "Airtable API key (legacy)",
                   std::string(R"((?i)airtable(?:[\w.-]{0,20}(?:)") + kBinding +
                       R"()|[^\r\n]{0,60}?api_?key["']?[ \t]{0,3}[:=][ \t]{0,5}["'`]))" +
                       R"(([A-Za-z0-9]{17})(?:[^\w/+=-]|\z))",
                   {"airtable"},
                   1,
                   3.0});
  r.back().extra_lines = 1;
  r.back().continuation = ">";
  r.back().named = true;
  r.push_back(token("launchdarkly-key", "LaunchDarkly SDK, mobile or API access key",
                    "(?:sdk|mob|api)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    {"sdk-", "mob-", "api-"}));
  r.push_back(assigned("launchdarkly-access-token", "LaunchDarkly access token", "launch_?darkly", "[\\w=-]{40}",
                       {"launchdarkly", "launch_darkly"}));
  r.push_back(token("intra42-client-secret", "42 Intra client secret", "s-s4t2(?:ud|af)-[a-f0-9]{64}", {"s-s4t2"}));
  r.push_back(token("facebook-page-access-token", "Facebook page access token", "EAA[MC][a-zA-Z0-9]{100,}",
                    {"eaam", "eaac"}, 3.5));
  r.push_back(assigned("sidekiq-secret", "Sidekiq Enterprise / Pro license credentials",
                       "bundle_(?:enterprise|gems)__contribsys__com", "[a-f0-9]{8}:[a-f0-9]{8}", {"contribsys__com"},
                       0.0));
  // "sumo" in lower or upper case only: sumObj, sumOfValues are sums.
  r.push_back(
      assigned("sumologic-access-id", "Sumo Logic access ID", "(?-i:sumo|SUMO|Sumo)", "su[a-zA-Z0-9]{12}", {"sumo"}));
  r.back().named = false;  // its name ends in "id" by design
  r.push_back(token("linear-api-key", "Linear API key", "lin_api_[a-zA-Z0-9]{40}", {"lin_api_"}));
  r.push_back(token("notion-api-token", "Notion integration token", "ntn_[0-9]{11}[A-Za-z0-9]{35}", {"ntn_"}));
  r.push_back(token("figma-pat", "Figma personal access token", "figd_[\\w-]{40}", {"figd_"}));
  r.push_back(token("postman-api-token", "Postman API key", "PMAK-[a-f0-9]{24}-[a-f0-9]{34}", {"pmak-"}));
  r.push_back(token("hubspot-private-app-token", "HubSpot private app token",
                    "pat-(?:na|eu)1-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
                    {"pat-na1-", "pat-eu1-"}));
  r.push_back(token("contentful-pat", "Contentful personal access token", "CFPAT-[\\w-]{43}", {"cfpat-"}));
  r.push_back(token("typeform-api-token", "Typeform personal access token", "tfp_[\\w.=-]{59}", {"tfp_"}));
  r.push_back(token("frameio-api-token", "Frame.io API token", "fio-u-[\\w=-]{64}", {"fio-u-"}));
  r.push_back(token("readme-api-token", "ReadMe API key", "rdme_[a-z0-9]{70}", {"rdme_"}));
  r.push_back(
      token("dropbox-access-token", "Dropbox short-lived access token", "sl\\.[A-Za-z0-9_-]{130,152}", {"sl."}, 3.5));
  r.push_back(token("adobe-client-secret", "Adobe client secret", "p8e-[a-zA-Z0-9]{32}", {"p8e-"}));

  // --- Payments and commerce ---------------------------------------------------------------------
  r.push_back(token("stripe-secret-key", "Stripe secret or restricted key",
                    "(?:sk|rk)_(?:live|test|prod)_[a-zA-Z0-9]{10,99}",
                    {"sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"}));
  r.push_back(token("stripe-webhook-secret", "Stripe webhook signing secret", "whsec_[a-zA-Z0-9]{32,}", {"whsec_"}));
  r.push_back(
      token("square-access-token", "Square access token", "(?:EAAA|sq0atp-)[\\w-]{22,60}", {"eaaa", "sq0atp-"}));
  r.push_back(token("square-oauth-secret", "Square OAuth secret", "sq0csp-[\\w-]{43}", {"sq0csp-"}));
  r.push_back(Rule{"paypal-braintree-access-token",
                   "PayPal Braintree access token",
                   R"((access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}))",
                   {"access_token$production$"},
                   1,
                   3.0});
  r.push_back(token("shopify-access-token", "Shopify access token", "shpat_[a-fA-F0-9]{32}", {"shpat_"}));
  r.push_back(
      token("shopify-custom-app-token", "Shopify custom app access token", "shpca_[a-fA-F0-9]{32}", {"shpca_"}));
  r.push_back(
      token("shopify-private-app-token", "Shopify private app access token", "shppa_[a-fA-F0-9]{32}", {"shppa_"}));
  r.push_back(token("shopify-shared-secret", "Shopify shared secret", "shpss_[a-fA-F0-9]{32}", {"shpss_"}));
  r.push_back(
      token("flutterwave-secret-key", "Flutterwave secret key", "FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X", {"flwseck"}));
  r.push_back(
      token("plaid-access-token", "Plaid access token",
            "access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            {"access-sandbox-", "access-development-", "access-production-"}));
  r.push_back(token("shippo-api-token", "Shippo API token", "shippo_(?:live|test)_[a-fA-F0-9]{40}", {"shippo_"}));
  r.push_back(token("easypost-api-token", "EasyPost API key", "EZ[AT]K[a-zA-Z0-9]{54}", {"ezak", "eztk"}));
  r.push_back(token("duffel-api-token", "Duffel API token", "duffel_(?:test|live)_[\\w=-]{43}", {"duffel_"}));

  // --- Messaging and e-mail ----------------------------------------------------------------------
  r.push_back(token("twilio-api-key", "Twilio API key", "SK[0-9a-fA-F]{32}", {"sk"}));
  r.push_back(assigned("twilio-auth-token", "Twilio auth token", "twilio[\\w.-]{0,20}(?:auth|token|secret)",
                       "[a-f0-9]{32}", {"twilio"}));
  r.push_back(token("sendgrid-api-token", "SendGrid API key", "SG\\.[\\w-]{22}\\.[\\w-]{43}", {"sg."}));
  r.push_back(token("mailgun-private-api-token", "Mailgun private API key", "key-[a-f0-9]{32}", {"key-"}));
  r.push_back(assigned("mailgun-signing-key", "Mailgun webhook signing key", "mailgun",
                       "[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}", {"mailgun"}));
  r.push_back(token("mailchimp-api-key", "Mailchimp API key", "[0-9a-f]{32}-us\\d{1,2}", {"-us"}));
  r.push_back(token("sendinblue-api-token", "Brevo (Sendinblue) API key", "xkeysib-[a-f0-9]{64}-[a-zA-Z0-9]{16}",
                    {"xkeysib-"}));

  // --- AI providers ------------------------------------------------------------------------------
  r.push_back(
      token("openai-api-key", "OpenAI API key (legacy)", "sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}", {"t3blbkfj"}));
  r.push_back(token("openai-project-key", "OpenAI project, service-account or admin key",
                    "sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}", {"sk-proj-", "sk-svcacct-", "sk-admin-"}, 3.5));
  r.push_back(token("anthropic-api-key", "Anthropic API key", "sk-ant-api03-[\\w-]{93}AA", {"sk-ant-api03-"}));
  r.push_back(
      token("anthropic-admin-key", "Anthropic admin API key", "sk-ant-admin01-[\\w-]{93}AA", {"sk-ant-admin01-"}));
  r.push_back(token("huggingface-access-token", "Hugging Face access token", "hf_[a-zA-Z]{34}", {"hf_"}));
  r.push_back(
      token("huggingface-org-token", "Hugging Face organization API token", "api_org_[a-zA-Z]{34}", {"api_org_"}));
  r.push_back(token("groq-api-key", "Groq API key", "gsk_[a-zA-Z0-9]{52}", {"gsk_"}));
  r.push_back(token("replicate-api-token", "Replicate API token", "r8_[A-Za-z0-9]{37}", {"r8_"}));
  r.push_back(token("perplexity-api-key", "Perplexity API key", "pplx-[a-zA-Z0-9]{48}", {"pplx-"}));
  r.push_back(token("xai-api-key", "xAI API key", "xai-[a-zA-Z0-9]{80}", {"xai-"}));
  r.push_back(token("langsmith-api-key", "LangSmith API key", "lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", {"lsv2_"}));

  // --- Package registries and artifact stores ----------------------------------------------------
  r.push_back(token("npm-access-token", "npm access token", "npm_[a-zA-Z0-9]{36}", {"npm_"}));
  r.push_back(Rule{"npmrc-auth-token",
                   "npm registry auth token (.npmrc)",
                   R"(_authToken[ \t]*=[ \t]*["']?([A-Za-z0-9_.+/=-]{16,}))",
                   {"_authtoken"},
                   1,
                   3.0});
  r.push_back(
      token("pypi-upload-token", "PyPI upload token", "pypi-AgEIcHlwaS5vcmc[\\w-]{50,}", {"pypi-ageichlwas5vcmc"}));
  r.push_back(token("dockerhub-pat", "Docker Hub personal access token", "dckr_pat_[\\w-]{27}", {"dckr_pat_"}));
  r.push_back(token("dockerhub-oat", "Docker Hub organization access token", "dckr_oat_[\\w-]{32}", {"dckr_oat_"}));
  r.push_back(Rule{"docker-config-auth",
                   "Registry credentials in a Docker config.json",
                   R"re("auth"\s*:\s*"([A-Za-z0-9+/]{16,}={0,2})")re",
                   {"\"auth\""},
                   1,
                   3.0});
  r.push_back(token("rubygems-api-token", "RubyGems API token", "rubygems_[a-f0-9]{48}", {"rubygems_"}));
  r.push_back(token("nuget-api-key", "NuGet API key", "oy2[a-z0-9]{43}", {"oy2"}));
  r.push_back(token("clojars-api-token", "Clojars deploy token", "CLOJARS_[a-z0-9]{60}", {"clojars_"}));
  r.push_back(token("jfrog-api-key", "JFrog Artifactory API key", "AKCp[A-Za-z0-9]{69}", {"akcp"}));
  r.push_back(
      token("jfrog-reference-token", "JFrog reference token", "cmVmdGtuOjAxOj[A-Za-z0-9]{40,60}", {"cmvmdgtu"}));
  r.push_back(token("prefect-api-token", "Prefect API key", "pnu_[a-zA-Z0-9]{36}", {"pnu_"}));
  // Not after a '.': "video_box.ico-<hash>.png" is a file name.
  r.push_back(Rule{"infracost-api-token",
                   "Infracost API key",
                   R"((?:(?m:^)|[^\w./\n-])(ico-[a-zA-Z0-9]{32}))" + std::string(kEnd),
                   {"ico-"},
                   1,
                   3.0});

  // --- Observability -----------------------------------------------------------------------------
  r.push_back(assigned("datadog-api-key", "Datadog API key", "(?:datadog[\\w.-]{0,20}api|dd[_-]?api)", "[a-f0-9]{32}",
                       {"datadog", "dd_api", "dd-api", "ddapi"}));
  r.push_back(assigned("datadog-app-key", "Datadog application key", "(?:datadog[\\w.-]{0,20}app|dd[_-]?app)",
                       "[a-f0-9]{40}", {"datadog", "dd_app", "dd-app", "ddapp"}));
  r.push_back(token("new-relic-user-api-key", "New Relic user API key", "NRAK-[A-Z0-9]{27}", {"nrak-"}));
  r.push_back(token("new-relic-insert-key", "New Relic insert key", "NRII-[\\w-]{32}", {"nrii-"}));
  r.push_back(token("new-relic-browser-api-token", "New Relic browser API token", "NRJS-[a-f0-9]{19}", {"nrjs-"}));
  r.push_back(token("sentry-user-token", "Sentry user auth token", "sntryu_[a-f0-9]{64}", {"sntryu_"}));
  r.push_back(
      token("sentry-org-token", "Sentry organization auth token", "sntrys_eyJpYXQiO[A-Za-z0-9+/=_]{50,}", {"sntrys_"}));
  r.push_back(token("grafana-api-key", "Grafana API key", "eyJrIjoi[A-Za-z0-9]{70,}={0,2}", {"eyjrijoi"}));
  r.push_back(token("grafana-cloud-api-token", "Grafana Cloud API token", "glc_[A-Za-z0-9+/]{32,}={0,2}", {"glc_"}));
  r.push_back(token("grafana-service-account-token", "Grafana service-account token",
                    "glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}", {"glsa_"}));

  // --- Private keys ------------------------------------------------------------------------------
  r.push_back(pem("private-key-rsa", "RSA private key (PEM)", "RSA PRIVATE KEY", {"begin rsa private key"}));
  r.push_back(pem("private-key-ec", "EC private key (PEM)", "EC PRIVATE KEY", {"begin ec private key"}));
  r.push_back(pem("private-key-dsa", "DSA private key (PEM)", "DSA PRIVATE KEY", {"begin dsa private key"}));
  r.push_back(pem("private-key-openssh", "OpenSSH private key", "OPENSSH PRIVATE KEY", {"begin openssh private key"}));
  r.push_back(
      pem("private-key-pgp", "PGP private key block", "PGP PRIVATE KEY BLOCK", {"begin pgp private key block"}));
  r.push_back(pem("private-key-pkcs8", "PKCS#8 private key (PEM)", "(?:ENCRYPTED )?PRIVATE KEY",
                  {"begin private key", "begin encrypted private key"}));
  r.push_back(Rule{"private-key-putty",
                   "PuTTY private key (.ppk)",
                   R"((?m)(PuTTY-User-Key-File-[1-3]:[ \t]*[\w.@-]+[\s\S]*?\nPrivate-Lines:[ \t]*\d+)"
                   R"((?:\r?\n[A-Za-z0-9+/=]+\r?$)+(?:\r?\nPrivate-(?:MAC|Hash):[ \t]*[0-9a-fA-F]+)?))",
                   {"putty-user-key-file-"},
                   1,
                   0.0,
                   true});

  // --- Tokens in well-known carriers -------------------------------------------------------------
  r.push_back(Rule{"jwt",
                   "JSON Web Token",
                   R"(\b(eyJ[A-Za-z0-9_-]{15,}\.eyJ[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]{10,}={0,2}))" + std::string(kEnd),
                   {"eyj"},
                   1,
                   3.0});
  Rule jwt64 = token("jwt-base64", "Base64-encoded JSON Web Token", "ZXlK[A-Za-z0-9+/]{40,}={0,2}", {"zxlk"});
  jwt64.validate = base64_jwt;
  r.push_back(jwt64);
  r.push_back(Rule{"http-basic-auth-header",
                   "HTTP Basic authorization header",
                   R"((?i)authorization["']?[ \t]*(?:=>|[:=,])[ \t]*["']?basic[ \t]+([A-Za-z0-9+/]{8,}={0,2}))",
                   {"authorization"},
                   1,
                   2.5});
  r.push_back(Rule{
      "http-bearer-token", "HTTP Bearer token", R"((?i)\bbearer[ \t]+([A-Za-z0-9_~+/.-]{20,}=*))", {"bearer"}, 1, 3.5});
  r.back().generic = true;
  // Authorization: <scheme> <credential> in any other scheme, or none (a raw key).
  r.push_back(
      Rule{"http-authorization-header",
           "HTTP Authorization header credential",
           R"((?i)authorization["']?[ \t]*(?:=>|[:=,])[ \t]*["']?)"
           R"((?:(?:bearer|token|api-?token|api-?key|ssws|splunk|geniekey|sso-key|negotiate|ntlm|key|dsn)[ \t]+)?)"
           R"(([\w~+/.@=-]{8,}))",
           {"authorization"},
           1,
           3.0});
  r.back().generic = true;

  // --- Credentials on command lines and in client configuration ---------------------------------
  Rule curl{
      "curl-user-credential",
      "Credential given to curl -u / --user",
      R"(\bcurl\b[^\r\n]*?(?:\\\r?\n[^\r\n]*?){0,5}(?:[ \t]|\\\r?\n)(?:-u[ \t]{0,5}|--user(?:=|[ \t]{1,5})))"
      R"(("[^"\r\n]{1,200}"(?::"[^"\r\n]{1,200}")?|'[^'\r\n]{1,200}'|[^\s"'`\\]{1,200}(?:'[^'\r\n]{1,200}'|"[^"\r\n]{1,200}")?))"
      R"((?:\s|\z))",
      {"curl"},
      1,
      0.0};
  curl.extra_lines = 5;  // a command continued with backslashes
  curl.continuation = "\\";
  curl.validate = curl_credential;
  r.push_back(curl);
  Rule mysql{
      "database-cli-password",
      "Password on a database client's command line (mysql -pPASSWORD)",
      R"(\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\r\n]*?[ \t]-p("[^"\r\n]{4,}"|'[^'\r\n]{4,}'|[^\s"'`-][^\s"'`]{3,}))",
      {"mysql", "mariadb"},
      1,
      0.0};
  mysql.validate = cli_password;
  r.push_back(mysql);
  Rule sshpass{"sshpass-password",
               "Password given to sshpass -p",
               R"(\bsshpass\b[^\r\n]*?[ \t]-p[ \t]{0,5}("[^"\r\n]{4,}"|'[^'\r\n]{4,}'|[^\s"'`-][^\s"'`]{3,}))",
               {"sshpass"},
               1,
               0.0};
  sshpass.validate = cli_password;
  r.push_back(sshpass);
  Rule option{
      "cli-secret-option",
      "Secret given as a command-line option (--password VALUE, --token VALUE)",
      R"((?i)(?:(?m:^)|[ \t])--(?:password|passwd|pass|pwd|token|api-?key|secret|client-secret|auth-token|access-token))"
      R"([ \t]{1,5}("[^"\r\n]{4,}"|'[^'\r\n]{4,}'|[^\s"'`-][^\s"'`;|&]{3,}))",
      {"--pass", "--pwd", "--token", "--api-key", "--apikey", "--secret", "--client-secret", "--auth-token",
       "--access-token"},
      1,
      0.0};
  option.validate = cli_password;
  r.push_back(option);
  r.push_back(Rule{"npmrc-auth",
                   "npm / Yarn registry credentials (.npmrc _auth, _password; .yarnrc npmAuthIdent)",
                   R"((?i)(?:(?m:^)|[ \t"'/:])(?:_auth|_password|npmAuthIdent)["']?[ \t]*[:=][ \t]*["']?)"
                   R"(([A-Za-z0-9+/=_.~!@#%^&*:-]{6,}))",
                   {"_auth", "_password", "npmauthident"},
                   1,
                   2.5});
  r.back().generic = true;
  r.back().quoted_value = true;

  // --- Connection strings and URLs with passwords ------------------------------------------------
  r.push_back(
      url_password("postgres-connection-string", "PostgreSQL URL with a password", "postgres(?:ql)?", {"postgres"}));
  r.push_back(url_password("mysql-connection-string", "MySQL / MariaDB URL with a password", "(?:mysql|mariadb)",
                           {"mysql", "mariadb"}));
  r.push_back(
      url_password("mongodb-connection-string", "MongoDB URL with a password", "mongodb(?:\\+srv)?", {"mongodb"}));
  r.push_back(url_password("redis-connection-string", "Redis URL with a password", "rediss?", {"redis"}));
  r.push_back(url_password("amqp-connection-string", "AMQP (RabbitMQ) URL with a password", "amqps?", {"amqp"}));
  r.push_back(url_password("sqlserver-connection-string", "SQL Server URL with a password", "(?:mssql|sqlserver)",
                           {"mssql", "sqlserver"}));
  r.push_back(url_password("basic-auth-url", "URL with embedded credentials", "[a-z][a-z0-9+.-]{1,20}", {"://"}));
  r.push_back(Rule{"netrc-password",
                   "Password in a .netrc entry",
                   R"(machine[ \t]+\S+[ \t]+login[ \t]+\S+[ \t]+password[ \t]+(\S{4,128}))",
                   {"machine"},
                   1,
                   0.0});
  r.back().generic = true;

  // An HTTP header named like a credential in a command (curl -H "X-Api-Token: VALUE").
  r.push_back(Rule{"http-credential-header",
                   "Credential in an HTTP header given on a command line",
                   R"((?i)(?:-H|--header)[ \t=]{0,5}["']?[\w-]{0,20}(?:token|api-?key|secret|auth)[\w-]{0,10})"
                   R"([ \t]*:[ \t]*([\w~+/.@=-]{8,}))",
                   {"-h ", "-h\t", "-h\"", "-h'", "-h=", "--header"},
                   1,
                   2.5});
  r.back().generic = true;

  // --- Generic assignments (last: specific rules name a secret first) ----------------------------
  // A credential assigned to a name that carries a service's name: shorter and
  // plainer values count than for a bare "token" (client IDs, numeric keys).
  Rule vendor =
      assigned("vendor-credential-assignment", "Credential assigned to a name that carries a service's name",
               "(?:" + join(kVendors) + R"()[\w.-]{0,30}(?:key|token|secret|pass|pwd|pat|auth|cred|login|sid))",
               R"([\w.:+/=-]{10,200})", std::vector<std::string>(std::begin(kVendors), std::end(kVendors)), 0.0);
  vendor.generic = true;
  vendor.validate = vendor_value;
  r.push_back(vendor);
  Rule password = assigned("password-assignment", "Password assigned to a variable or key", "(?:password|passwd|pwd)",
                           R"([^\s"'`;,<]{8,})", {"password", "passwd", "pwd"}, 3.0);
  password.generic = true;
  r.push_back(password);
  Rule secret =
      assigned("generic-secret-assignment", "Secret, token or API key assigned to a variable or key",
               "(?:secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credential|creds)",
               R"([^\s"'`;,<]{12,})",
               {"secret", "token", "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey", "auth_key",
                "auth-key", "authkey", "private_key", "private-key", "privatekey", "credential", "creds"},
               3.5);
  secret.generic = true;
  r.push_back(secret);
  return r;
}

}  // namespace

const std::vector<Rule>& builtin_rules() {
  static const std::vector<Rule> rules = build();
  return rules;
}

}  // namespace droid::runner::shield
