// Throwaway certificates for TLS tests: a CA, and server or client certificates
// it signs (EC P-256, SHA-256, valid for a day), as PEM text.
#pragma once

#include <string>
#include <vector>

namespace droid::llm::testing {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

KeyPair make_ca(const std::string& common_name);
// `sans` are "DNS:name" or "IP:addr" entries; server certificates get serverAuth,
// client certificates clientAuth.
KeyPair make_certificate(const KeyPair& ca, const std::string& common_name, const std::vector<std::string>& sans,
                         bool server);

void write_file(const std::string& path, const std::string& content);

}  // namespace droid::llm::testing
