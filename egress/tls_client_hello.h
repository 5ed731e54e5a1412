// The server name (SNI) of a TLS ClientHello, read from the first bytes a client
// sends through a CONNECT tunnel, so that a tunnel opened to an allowed host
// cannot carry a TLS session meant for another name. Strict: one handshake record
// holding the whole ClientHello (up to 16 KiB), exactly one host_name entry.
#pragma once

#include <string>
#include <string_view>

namespace droid::egress {

enum class HelloStatus { Ok, NeedMore, Malformed };

// Ok: `server_name` is the SNI host name (lower case), "" when the hello has none.
HelloStatus read_client_hello_sni(std::string_view bytes, std::string& server_name, std::string& error);

}  // namespace droid::egress
