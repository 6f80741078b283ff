#include "common/log.h"

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace wsfleet::common {
namespace {

std::string UtcTimestamp(spdlog::log_clock::time_point time) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(millis % 1000));
  return text;
}

// One JSON object a line: {"ts", "level", "component", "msg"}; the message escaped as JSON
// strings are, whatever bytes it holds.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line = {
        {"ts", UtcTimestamp(msg.time)},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"component", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

absl::StatusOr<LogOptions> ParseLogOptions(const std::string& level, const std::string& format) {
  LogOptions options;
  static const std::map<std::string, spdlog::level::level_enum> kLevels = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},   {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  auto found = kLevels.find(level);
  if (found == kLevels.end()) {
    return absl::InvalidArgumentError("--log-level " + level +
                                      ": takes trace, debug, info, warn, error or off");
  }
  options.level = found->second;
  if (format == "text") {
    options.format = LogFormat::kText;
  } else if (format == "json") {
    options.format = LogFormat::kJson;
  } else {
    return absl::InvalidArgumentError("--log-format " + format + ": takes text or json");
  }
  return options;
}

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& component, const LogOptions& options,
                                           spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>(component, std::move(sink));
  if (options.format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v", spdlog::pattern_time_type::utc));
  }
  logger->set_level(options.level);
  // A line that matters (a lost worker, a failing store) must be on disk before a crash.
  logger->flush_on(spdlog::level::warn);
  return logger;
}

void SetupLogging(const std::string& component, const LogOptions& options) {
  spdlog::set_default_logger(MakeLogger(component, options, std::make_shared<spdlog::sinks::stderr_sink_mt>()));
}

bool LogLimiter::Allow(const std::string& key, uint64_t* suppressed) {
  SteadyTime now = clock_.Now();
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  if (!inserted && now - entry.last < interval_) {
    ++entry.held;
    return false;
  }
  if (suppressed != nullptr) *suppressed = entry.held;
  entry.last = now;
  entry.held = 0;
  return true;
}

}  // namespace wsfleet::common
