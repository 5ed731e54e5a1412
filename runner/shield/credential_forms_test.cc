// Credentials outside the KEY=VALUE form, class by class (issue 12): each class
// has texts that must be found (with the secret that must be redacted) and
// near-misses that must not be: references, templates, stand-ins, metadata.
// The new rules (Azure DevOps legacy PATs, Airtable, LaunchDarkly, PuTTY keys,
// base64 JWTs) are held to the same, and public-by-design tokens are never found.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shield/rules.h"
#include "shield/scanner.h"

namespace droid::runner::shield {
namespace {

const Scanner& scanner() {
  static const Scanner s(builtin_rules());
  return s;
}

struct Expect {
  std::string text;
  std::string secret;  // what must be reported (and so redacted)
  std::string rule;    // "" = any rule
};

void expect_found(const std::vector<Expect>& cases) {
  for (const auto& c : cases) {
    const auto findings = scanner().scan(c.text);
    bool found = false;
    for (const auto& f : findings)
      if (c.text.substr(f.secret_begin, f.secret_end - f.secret_begin) == c.secret &&
          (c.rule.empty() || f.rule == c.rule))
        found = true;
    std::string got;
    for (const auto& f : findings)
      got += " " + f.rule + "[" + c.text.substr(f.secret_begin, f.secret_end - f.secret_begin) + "]";
    EXPECT_TRUE(found) << "missed " << c.secret << " (" << c.rule << ") in: " << c.text << "\n  found:" << got;
  }
}

// `rule` does not report anything in any of `texts` (another rule may).
void expect_not_rule(const std::string& rule, const std::vector<std::string>& texts) {
  for (const auto& t : texts)
    for (const auto& f : scanner().scan_exhaustive(t)) EXPECT_NE(f.rule, rule) << "flagged: " << t;
}

void expect_clean(const std::vector<std::string>& texts) {
  for (const auto& t : texts) {
    std::string got;
    for (const auto& f : scanner().scan(t))
      got += " " + f.rule + "[" + t.substr(f.secret_begin, f.secret_end - f.secret_begin) + "]";
    EXPECT_EQ(got, "") << "flagged: " << t;
  }
}

TEST(CredentialForms, CallsDefineAndSetPropertyBindAValue) {
  expect_found({
      {"define('DB_PASSWORD', 'N8#vq2Lx!pR4');", "N8#vq2Lx!pR4", "password-assignment"},
      {"define( \"AUTH_KEY\", \"k3J9x!Qm2#Lp8Vz0aW5r\" );", "k3J9x!Qm2#Lp8Vz0aW5r", "generic-secret-assignment"},
      {"System.setProperty(\"ADAFRUIT_TOKEN\", \"nritx6f6dwkay1ojnr2uaiho1ylrexd_\")",
       "nritx6f6dwkay1ojnr2uaiho1ylrexd_", ""},
      {"os.environ.setdefault('API_KEY', 'Zq8wX2vB6nM4kL9pR3tY')", "Zq8wX2vB6nM4kL9pR3tY", ""},
      {"config.set(\"secret_token\", `Hq7Lm2Xp9Rv4Kt8Wn3Zc`)", "Hq7Lm2Xp9Rv4Kt8Wn3Zc", ""},
      {"ds.setPassword(\"N8#vq2Lx!pR4\");", "N8#vq2Lx!pR4", "password-assignment"},
      {"client = Client.builder().withApiKey('Zq8wX2vB6nM4kL9pR3tY').build()", "Zq8wX2vB6nM4kL9pR3tY", ""},
  });
  expect_clean({
      "define('DB_PASSWORD', getenv('DB_PASSWORD'));",
      "define('DB_PASSWORD', '');",
      "System.setProperty(\"API_TOKEN\", token)",
      "check(password, token_value_here)",  // unquoted arguments are code
      "define('DB_PASSWORD_FILE', '/run/secrets/db_password_2026');",
      "user.getPassword(\"admin\");",
      "add(\"GitHub personal access token\", \"Zq8wX2vB6nM4kL9pR3tY\")",  // prose ends in "token"
      "r.push_back(token(\"heroku-api-key-v2\", \"Heroku API key\"));",   // a call named token
      "register(\"digitalocean-pat\", \"DigitalOcean\")",                 // a vendor's name, no key
      "password = sys.argv[1:6]",                                         // an index expression
      "vault.readSecret(\"prod/db/credentials\")",
      "prompt.password(\"Enter your password: \")",
  });
}

TEST(CredentialForms, EveryAssignmentOperatorAndTypedDeclaration) {
  for (const std::string op : {"=", ":=", "::=", ":::=", "?=", ".=", "+=", "?\?=", "||=", ":", "=>"})
    expect_found({{"$apiToken " + op + " \"Hq7Lm2Xp9Rv4Kt8Wn3Zc\"", "Hq7Lm2Xp9Rv4Kt8Wn3Zc", ""}});
  expect_found({
      {"var apiToken string = \"Hq7Lm2Xp9Rv4Kt8Wn3Zc\"", "Hq7Lm2Xp9Rv4Kt8Wn3Zc", ""},
      {"val apiToken: String = \"Hq7Lm2Xp9Rv4Kt8Wn3Zc\"", "Hq7Lm2Xp9Rv4Kt8Wn3Zc", ""},
      {"  \"apiToken\" => \"Hq7Lm2Xp9Rv4Kt8Wn3Zc\"", "Hq7Lm2Xp9Rv4Kt8Wn3Zc", ""},
  });
  expect_clean({
      "var apiToken string = os.Getenv(\"API_TOKEN\")",
      "PASSWORD_MIN_LENGTH := 12",
      "$apiToken .= $suffix;",
  });
}

TEST(CredentialForms, XmlElementsAndAttributes) {
  expect_found({
      {"<apiToken>Hq7Lm2Xp9Rv4Kt8Wn3Zc</apiToken>", "Hq7Lm2Xp9Rv4Kt8Wn3Zc", ""},
      {"<password>\n    S3cr3t!Pw0rd\n</password>", "S3cr3t!Pw0rd", "password-assignment"},
      {"<add key=\"ClearTextPassword\" value=\"Cl3artext!Pw9\" />", "Cl3artext!Pw9", "password-assignment"},
  });
  expect_clean({
      "<password>{AES}encrypted</password>",
      "<password>${env.DB_PASSWORD}</password>",
      "<add key=\"PasswordLength\" value=\"24\" />",
      "<passwordPolicy>\n  <minimumLength>12</minimumLength>\n</passwordPolicy>",
  });
}

TEST(CredentialForms, PasswordsThatBeginWithPunctuationWhenQuoted) {
  expect_found({
      {"password = \"@dm1n!Pa55\"", "@dm1n!Pa55", "password-assignment"},
      {"db_password: '&Zq8!wX2v'", "&Zq8!wX2v", "password-assignment"},
      {"PASSWORD=\"*Kq2Lm9!xR\"", "*Kq2Lm9!xR", "password-assignment"},
      {"password: \"%Tz7#qW3eLp\"", "%Tz7#qW3eLp", "password-assignment"},
      {"password = \"$ecr3t!Pass\"", "$ecr3t!Pass", "password-assignment"},
  });
  expect_clean({
      "password = @admin_password",   // unquoted: a reference (decorator, variable)
      "password = &config.password",  // an address
      "password: %DB_PASSWORD%",      // a Windows variable
      "password = \"$DB_PASSWORD\"",  // interpolation
      "password = \"${DB_PASSWORD}\"",
      "password = \"$(cat /run/secrets/pw)\"",
  });
}

TEST(CredentialForms, CurlUserCredentials) {
  expect_found({
      {"curl -u deploy:Hq7Lm2Xp9Rv4Kt8W https://api.example.org", "deploy:Hq7Lm2Xp9Rv4Kt8W", "curl-user-credential"},
      {"curl --user 'ci:P@ssw0rd$1' https://localhost:9200", "'ci:P@ssw0rd$1'", "curl-user-credential"},
      {"curl --user=\"j.smith:dB2yF6@qL9vZm1P#4J\" https://x", "\"j.smith:dB2yF6@qL9vZm1P#4J\"",
       "curl-user-credential"},
      {"curl -usvc:Zq8wX2vB6n https://x", "svc:Zq8wX2vB6n", "curl-user-credential"},
      {"curl -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: https://api.stripe.com/v1/charges",
       "sk_test_4eC39HqLyjWDarjtT1zdp7dc:", "curl-user-credential"},
      {"curl https://api.dropbox.com/oauth2/token \\\n  --user c28wlsosanujy2z:qgsnai0xokrw4j1 --data x",
       "c28wlsosanujy2z:qgsnai0xokrw4j1", "curl-user-credential"},
  });
  expect_clean({
      "curl -u user:password https://x", "curl -u \"$USER:$PASSWORD\" https://x",
      "curl -u \"${{ secrets.USER }}:${{ secrets.PASS }}\" https://x", "curl -u <user>:<password> https://x",
      "curl --user neo4j:[PASSWORD] http://x", "curl -u \"myusername\" http://x", "curl -u ':' https://x",
      "curl -u test:test https://x", "curl --user xxx:yyy",
      "curl --user-agent \"Mozilla/5.0 (X11; Linux x86_64)\" https://x",
      "curl -X POST --user \"$(cat ./login.txt):$(cat ./password.txt)\"",
      "echo -u deploy:Hq7Lm2Xp9Rv4Kt8W",  // not curl
  });
}

TEST(CredentialForms, PasswordsOnOtherCommandLines) {
  expect_found({
      {"mysql -h db -u app -pN8vq2LxpR4 shop", "N8vq2LxpR4", "database-cli-password"},
      {"mysqldump -uroot -p'Zq8!wX2v#B6' shop", "'Zq8!wX2v#B6'", "database-cli-password"},
      {"sshpass -p 'Hq7Lm2Xp9R' ssh deploy@10.0.0.5", "'Hq7Lm2Xp9R'", "sshpass-password"},
      {"docker login -u ci --password Hq7Lm2Xp9Rv4Kt8W registry.example.org", "Hq7Lm2Xp9Rv4Kt8W", "cli-secret-option"},
      {"vault write auth/x --token \"s9Kq2LmN4pR7xT\"", "\"s9Kq2LmN4pR7xT\"", "cli-secret-option"},
  });
  expect_clean({
      "mysql -u root -p shop",
      "mysql -u root -p -h db",
      "mysql -uroot -proot",
      "sshpass -p \"$SSHPASS\" ssh x",
      "docker login --password-stdin < pw.txt",
      "tool --password $PASSWORD",
      "tool --token <token>",
      "tool --password PASSWORD",
      "usage: deploy --token GITHUB_TOKEN",
      "(or mysql -pPASSWORD).",
  });
}

TEST(CredentialForms, NpmAndYarnRegistryAuth) {
  expect_found({
      {"_auth=ZGVwbG95OkhxN0xtMlhwOVJ2NA==", "ZGVwbG95OkhxN0xtMlhwOVJ2NA==", "npmrc-auth"},
      {"//registry.example.org/:_password=SHE3TG0yWHA5UnY0", "SHE3TG0yWHA5UnY0", "npmrc-auth"},
      {"//registry.npmjs.org/:_authToken=npm_Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ",
       "npm_Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ", ""},
      {"  npmAuthIdent: \"deploy:Hq7Lm2Xp9Rv4\"", "deploy:Hq7Lm2Xp9Rv4", "npmrc-auth"},
  });
  expect_clean({
      "_auth=${NPM_AUTH}",
      "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
      "always-auth=true",
      "_password=",
  });
}

TEST(CredentialForms, AuthorizationHeadersInEveryScheme) {
  expect_found({
      {"Authorization: Basic ZGVwbG95OkhxN0xtMlhwOVJ2NA==", "ZGVwbG95OkhxN0xtMlhwOVJ2NA==", "http-basic-auth-header"},
      {"req.header(\"Authorization\", \"Basic ZGVwbG95OkhxN0xtMlhwOVJ2NA==\")",
       "ZGVwbG95OkhxN0xtMlhwOVJ2NA==", "http-basic-auth-header"},
      {"Proxy-Authorization: Basic ZGVwbG95OkhxN0xtMlhwOVJ2NA==", "ZGVwbG95OkhxN0xtMlhwOVJ2NA==", ""},
      {"Authorization: Bearer Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB", "Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB", ""},
      {"curl -H \"Authorization: Token 22cb987851bc5659229114c62e60c79abd0d2c08\" https://x",
       "22cb987851bc5659229114c62e60c79abd0d2c08", "http-authorization-header"},
      {"curl --header 'Authorization:  5eb4223e-5008-46e5-be67-c7b8f2732305'", "5eb4223e-5008-46e5-be67-c7b8f2732305",
       "http-authorization-header"},
      {"curl -H \"Api-Token: Sk94HG7f6KB\" https://x", "Sk94HG7f6KB", "http-credential-header"},
  });
  expect_clean({
      "Authorization: Bearer <token>",
      "Authorization: Bearer $TOKEN",
      "Authorization: Basic ${BASIC_AUTH}",
      "xhr.setRequestHeader('Authorization', 'Basic ' + btoa(user + ':' + pass));",
      "authorization: required",
      "Authorization: Digest username=\"x\", realm=\"y\"",
      "curl -H \"X-Request-Id: 7f3c2a\" https://x",
  });
}

TEST(CredentialForms, UrlsWithPasswords) {
  expect_found({
      {"https://deploy:Hq7Lm2Xp9Rv4@git.example.org/org/repo.git", "Hq7Lm2Xp9Rv4", "basic-auth-url"},
      {"postgres://app:p@ss!W0rd9@db.internal:5432/app", "p@ss!W0rd9", "postgres-connection-string"},
      {"amqp://guest:%40Zq8wX2v@rabbit:5672/", "%40Zq8wX2v", "amqp-connection-string"},
      {"http://cafeb4b3:d3adb33f@enterprise.contribsys.com", "d3adb33f", ""},
  });
  expect_clean({
      "postgres://user:password@localhost:5432/app",
      "https://user:${TOKEN}@git.example.org/x.git",
      "https://user:$PASS@git.example.org/x.git",
      "https://user@example.org/path",
      "mailto:someone@example.org",
      "redis://:secret@localhost:6379",
  });
}

TEST(CredentialForms, MetadataNamesAndVersionsAreNotSecrets) {
  expect_clean({
      "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'",
      "  \"credentialId\": \"B9mTcFSck2LzJO2S3ols63\",",
      "token_ttl = 86400123456",
      "publicToken = \"9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\"",
      "<input name=\"authenticity_token\" value=\"7SWa-Fo1_hsC6oovfBsJFLGPUl2EhkSWPbJhWANwgaJW\">",
      "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxm==",
      "notes = \"Maven - io.jsonwebtoken:jjwt-jackson-0.11.2\"",
      "export OP_SERVICE_ACCOUNT_TOKEN=ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...",
  });
  // Near-misses of the metadata check: the secret word ends the name.
  expect_found({
      {"idToken = \"Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB\"", "Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB", ""},
      {"client_secret_value = \"Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB\"", "Hq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB", ""},
  });
}

TEST(CredentialForms, PublicByDesignTokensAreNotFlaggedTheirSecretTwinsAre) {
  expect_clean({
      "MAPBOX_TOKEN=pk.eyJ1IjoiZHJvaWQiLCJhIjoiY2xxMnQ4eDFyMDBhbDJrcGZ6dGZ4a3R6dyJ9.Hq7Lm2Xp9Rv4Kt8Wn3ZcQw",
      "  \"mapboxToken\" => \"pk.kimf3nhp7zccc6awez8fnk0oljub8qfg86gawsd9993yhiqwkujsrcehxr8k.y6vqcjaow44u7eqh2a60ka\"",
      "STRIPE_PUBLISHABLE_KEY=pk_live_51HqLm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ6kL7",
      "const stripe = Stripe('pk_test_TYooMQauvdEDq54NiTphI7jx');",
      "flutterwave_token = \"FLWPUBK_TEST-83e1745bce38c8377c7db370ced59f99-X\"",
      "lob_token = \"test_pub_aefda7904692ab1edfa2cea8c8ce19a\"",
      "firebase_api_key = \"AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs\"",
  });
  expect_found({
      {"MAPBOX_SECRET_TOKEN=sk.eyJ1IjoiZHJvaWQiLCJhIjoiY2xxMnQ4eDFyMDBhbDJrcGZ6dGZ4a3R6dyJ9.Hq7Lm2Xp9Rv4Kt8Wn3ZcQw",
       "sk.eyJ1IjoiZHJvaWQiLCJhIjoiY2xxMnQ4eDFyMDBhbDJrcGZ6dGZ4a3R6dyJ9.Hq7Lm2Xp9Rv4Kt8Wn3ZcQw", ""},
      {"STRIPE_SECRET_KEY=sk_live_51HqLm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ6kL7",
       "sk_live_51HqLm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ6kL7", "stripe-secret-key"},
      {"Stripe.api_key = 'sk_test_TYooMQauvdEDq54NiTphI7jx'", "sk_test_TYooMQauvdEDq54NiTphI7jx", "stripe-secret-key"},
      {"flutterwave_token = \"FLWSECK_TEST-83e1745bce38c8377c7db370ced59f99-X\"",
       "FLWSECK_TEST-83e1745bce38c8377c7db370ced59f99-X", ""},
      {"gcp_api_key = \"AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-\"", "AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-",
       "gcp-api-key"},
  });
}

TEST(NewRules, AzureDevOpsPersonalAccessTokens) {
  expect_found({
      {"AZURE_DEVOPS_EXT_PAT=ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkqhq",
       "ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkqhq", "azure-devops-pat-legacy"},
      {"  ado_token: \"ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkqhq\"",
       "ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkqhq", "azure-devops-pat-legacy"},
      {"pat = \"4Fq9Lm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4aB5cD6eF7gH8iJAZDO3xYz\"",
       "4Fq9Lm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4aB5cD6eF7gH8iJAZDO3xYz", "azure-devops-pat"},
  });
  expect_clean({
      "AZURE_DEVOPS_EXT_PAT=$(System.AccessToken)",
      "ado_pipeline_name: ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkqhq",  // metadata
  });
  expect_not_rule("azure-devops-pat-legacy",
                  {
                      "ado_token: ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkqh",          // 51 characters
                      "devops_token = \"ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkq1\"",  // '1' is not base32
                      "vsts_token = \"ji4kf6w2xgzrq3kfbuw7ks5wgdy6gpwbf2l3yrwjqcuxbk7zkqhqa\"",  // 53 characters
                  });
  expect_not_rule("azure-devops-pat", {"x = \"" + std::string(76, 'a') + "AZDO3xYzQ\""});
}

TEST(NewRules, AirtableKeysAndTokens) {
  expect_found({
      {"AIRTABLE_API_KEY=keyQ8wX2vB6nM4kL9", "keyQ8wX2vB6nM4kL9", "airtable-api-key"},
      {"const base = new Airtable({ apiKey: 'keyQ8wX2vB6nM4kL9' }).base('appX');", "keyQ8wX2vB6nM4kL9",
       "airtable-api-key"},
      {"AIRTABLE_PAT = \"patQ8wX2vB6nM4kL9.6ac7ed3ea2a75734feb4123dd9e985f7316b4fd63ddfc5ddd804a675d65c745c\"",
       "patQ8wX2vB6nM4kL9.6ac7ed3ea2a75734feb4123dd9e985f7316b4fd63ddfc5ddd804a675d65c745c", "airtable-pat"},
      {"token = \"patQ8wX2vB6nM4kL9.6ac7ed3ea2a75734feb4123dd9e985f7316b4fd63ddfc5ddd804a675d65c745c\"",
       "patQ8wX2vB6nM4kL9.6ac7ed3ea2a75734feb4123dd9e985f7316b4fd63ddfc5ddd804a675d65c745c", ""},
  });
  expect_clean({
      "AIRTABLE_API_KEY=keyxxxxxxxxxxxxxx",
      "const keyboardShortcuts = loadKeys();",
      "patQ8wX2vB6nM4kL9.6ac7ed3ea2a75734",    // too short a tail
      "airtable_base_id = appQ8wX2vB6nM4kL9",  // a base id is metadata
      "path/to/patched.file",
  });
}

TEST(NewRules, LaunchDarklyKeys) {
  expect_found({
      {"LD_SDK_KEY=sdk-9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "sdk-9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
       "launchdarkly-key"},
      {"mobileKey: \"mob-9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\"", "mob-9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
       "launchdarkly-key"},
      {"LD_API=api-9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "api-9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
       "launchdarkly-key"},
      {"launchdarkly_token = \"l99faavsgk_cppt7s19ggayw0m9syrv8amiy3ecd\"", "l99faavsgk_cppt7s19ggayw0m9syrv8amiy3ecd",
       "launchdarkly-access-token"},
  });
  expect_clean({
      "sdk-9f1c2a3b-4d5e",                           // truncated
      "xsdk-9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",   // inside a word
      "clientSideId: \"5f1c2a3b4d5e4f608a7b9c0d\"",  // the client-side ID is public
      "api-v1-9f1c2a3b",                             // not a UUID
  });
}

TEST(NewRules, PuttyPrivateKeys) {
  const std::string key =
      "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ed25519-key-20261121\nPublic-Lines: 2\n"
      "AAAAC3NzaC1lZDI1NTE5AAAAIHq7Lm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ6kL7mN8\nAAAA\nPrivate-Lines: 1\n"
      "AAAAIFq9Lm2Xp9Rv4Kt8Wn3ZcQ1aB2cD3eF4gH5iJ6kL7mN8oP9\n"
      "Private-MAC: 2f1c2a3b4d5e4f608a7b9c0d1e2f3a4b2f1c2a3b4d5e4f608a7b9c0d1e2f3a4b";
  expect_found({{"before\n" + key + "\nafter", key, "private-key-putty"}});
  expect_found(
      {{"PuTTY-User-Key-File-2: ssh-rsa\nEncryption: aes256-cbc\nComment: x\nPublic-Lines: 1\nAAAAB3Nz\n"
        "Private-Lines: 2\nQm9ndXNQcml2YXRl\nS2V5RGF0YQ==\nPrivate-MAC: 00ff",
        "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: aes256-cbc\nComment: x\nPublic-Lines: 1\nAAAAB3Nz\n"
        "Private-Lines: 2\nQm9ndXNQcml2YXRl\nS2V5RGF0YQ==\nPrivate-MAC: 00ff",
        "private-key-putty"}});
  expect_clean({
      "Convert the PuTTY-User-Key-File-3 header with puttygen.",
      "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 1\nAAAAC3Nz",  // no private part
  });
}

TEST(NewRules, Base64EncodedJwts) {
  expect_found({{"token=ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUl4TWpNME5UWTNPRGt3SW4wLmMybG5ibUYwZFhKbE1R",
                 "ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUl4TWpNME5UWTNPRGt3SW4wLmMybG5ibUYwZFhKbE1R", ""}});
  expect_clean({
      "ZXlKhello world",                                             // too short
      "ZXlKMFlXY2lPaUpvTm0xS2NVaHVNek52UTNORVpEVllOVGROU1MxbkluMC",  // no '.' in what it decodes to
  });
}

}  // namespace
}  // namespace droid::runner::shield
