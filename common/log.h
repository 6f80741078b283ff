#pragma once

#include <map>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "absl/status/statusor.h"
#include "common/clock.h"

// The daemons' log (coordinator, worker, and the embedded fleet of `wsfleet run`): spdlog
// on stderr, with a timestamp (UTC, milliseconds), a level and the component, as text or
// as one JSON object a line for Loki or Elasticsearch. What a user asked a command for
// (tables, progress) is its output, not its log.
namespace wsfleet::common {

enum class LogFormat { kText, kJson };

struct LogOptions {
  spdlog::level::level_enum level = spdlog::level::info;
  LogFormat format = LogFormat::kText;
};

// `--log-level` (trace, debug, info, warn, error, off) and `--log-format` (text, json);
// an error names the flag and what it takes.
absl::StatusOr<LogOptions> ParseLogOptions(const std::string& level, const std::string& format);

// A logger named `component` writing to `sink` in the options' format and level.
std::shared_ptr<spdlog::logger> MakeLogger(const std::string& component, const LogOptions& options,
                                           spdlog::sink_ptr sink);
// Makes it (on stderr) the default logger, which spdlog::info() and the like write to.
void SetupLogging(const std::string& component, const LogOptions& options);

// Says one thing once, then at most once an interval per key: a flood (a worker retrying a
// bad token, a partitioned worker's stale events) costs one line an interval, which also
// says how many it held back. Times come from the owner's Clock. Loop thread only.
class LogLimiter {
 public:
  LogLimiter(const Clock& clock, Nanos interval) : clock_(clock), interval_(interval) {}
  // Whether to log under `key` now; `suppressed` is then how many were held back since.
  bool Allow(const std::string& key, uint64_t* suppressed);

 private:
  struct Entry {
    SteadyTime last{};
    uint64_t held = 0;
  };
  const Clock& clock_;
  Nanos interval_;
  std::map<std::string, Entry> entries_;
};

}  // namespace wsfleet::common
