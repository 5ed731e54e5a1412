// What the benchmark reads from the processes it measures: a plain HTTP GET of
// the operator's ops endpoint (/metrics, /readyz), sums over Prometheus text
// exposition samples, and the memory figures of /proc/<pid>/status.
#pragma once
#include <sys/types.h>
#include <optional>
#include <string>

namespace droid::bench {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
};

// GET http://127.0.0.1:<port><path> (HTTP/1.0, connection closed by the server).
HttpAnswer http_get_local(int port, const std::string& path, int timeout_ms = 5000);

// The sum of the samples of every series whose line starts with `series_prefix`
// (e.g. `droid_reconcile_duration_seconds_sum{controller="droidsession"` or a
// bare metric name, which matches all its label sets) and, when `contains` is
// not empty, whose line contains it (e.g. `code="429"`); comments are skipped.
double metric_sum(const std::string& exposition, const std::string& series_prefix, const std::string& contains = "");

// A "VmRSS"/"VmHWM"-like field of /proc/<pid>/status, in KiB; nullopt when absent.
std::optional<long> proc_status_kib(pid_t pid, const std::string& field);
std::optional<long> parse_status_kib(const std::string& status_text, const std::string& field);

}  // namespace droid::bench
