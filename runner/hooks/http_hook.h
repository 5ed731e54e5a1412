// Runs an http hook: POSTs the hook's input JSON to its URL (cpprestsdk) with
// its headers, and reads the answer with parse_http_result (hook_output.h).
// The timeout covers the whole exchange (connect, send, answer, body): when
// it passes the request is cancelled and the hook has failed, as it has when
// no answer comes (connection refused, TLS failure). https trusts `ca_file`
// (a PEM bundle replacing the system store) when given, with host-name checks.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "hooks/event.h"
#include "hooks/hook_output.h"

namespace droid::runner::hooks {

HookResult run_http_hook(Event event, const std::string& url, const std::map<std::string, std::string>& headers,
                         const std::string& input_json, std::chrono::milliseconds timeout, const std::string& ca_file);

}  // namespace droid::runner::hooks
