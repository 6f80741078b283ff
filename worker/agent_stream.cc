#include "worker/agent_stream.h"

#include <nlohmann/json.hpp>

namespace wsfleet::worker {
namespace {

using nlohmann::json;

uint64_t Count(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto found = object.find(key);
  if (found == object.end() || !found->is_number()) return 0;
  double value = found->get<double>();
  return value > 0 ? static_cast<uint64_t>(value) : 0;
}

std::string Text(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

const json& Child(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

// An error object ({"message": ...}, opencode's {"data": {"message": ...}}) or string.
std::string ErrorText(const json& error) {
  if (error.is_string()) return error.get<std::string>();
  std::string message = Text(error, "message");
  if (message.empty()) message = Text(Child(error, "data"), "message");
  if (message.empty()) message = Text(error, "name");
  return message.empty() && !error.is_null() ? error.dump() : message;
}

}  // namespace

std::optional<AgentFormat> ParseAgentFormat(std::string_view name) {
  if (name == "none") return AgentFormat::kNone;
  if (name == "claude") return AgentFormat::kClaude;
  if (name == "codex") return AgentFormat::kCodex;
  if (name == "opencode") return AgentFormat::kOpencode;
  return std::nullopt;
}

const char* AgentFormatName(AgentFormat format) {
  switch (format) {
    case AgentFormat::kNone: return "none";
    case AgentFormat::kClaude: return "claude";
    case AgentFormat::kCodex: return "codex";
    case AgentFormat::kOpencode: return "opencode";
  }
  return "none";
}

bool AgentStreamParser::Feed(std::string_view data) {
  if (format_ == AgentFormat::kNone) return false;
  AgentUsage before = usage_;
  size_t start = 0;
  while (true) {
    size_t newline = data.find('\n', start);
    if (newline == std::string_view::npos) break;
    if (partial_.empty()) {
      Line(data.substr(start, newline - start));
    } else {
      partial_.append(data.substr(start, newline - start));
      Line(partial_);
      partial_.clear();
    }
    start = newline + 1;
  }
  // A line longer than this is not an event we could use (a file's contents in a tool
  // result, say): dropped rather than held in memory.
  constexpr size_t kMaxLine = size_t{16} << 20;
  partial_.append(data.substr(start));
  if (partial_.size() > kMaxLine) partial_.clear();
  return !(usage_ == before);
}

bool AgentStreamParser::Finish() {
  AgentUsage before = usage_;
  if (!partial_.empty()) Line(partial_);
  partial_.clear();
  return !(usage_ == before);
}

void AgentStreamParser::Line(std::string_view line) {
  size_t first = line.find_first_not_of(" \t\r");
  if (first == std::string_view::npos || line[first] != '{') return;
  json event = json::parse(line.begin() + static_cast<std::ptrdiff_t>(first), line.end(), nullptr,
                           /*allow_exceptions=*/false);
  if (!event.is_object()) return;
  const std::string type = Text(event, "type");
  switch (format_) {
    case AgentFormat::kClaude: {
      std::string session = Text(event, "session_id");
      if (!session.empty()) usage_.session_id = session;
      if (type == "assistant") {
        const json& message = Child(event, "message");
        std::string id = Text(message, "id");
        if (id.empty()) id = "line-" + std::to_string(claude_messages_.size());
        const json& usage = Child(message, "usage");
        MessageUsage now{Count(usage, "input_tokens") + Count(usage, "cache_creation_input_tokens") +
                             Count(usage, "cache_read_input_tokens"),
                         Count(usage, "cache_read_input_tokens"), Count(usage, "output_tokens")};
        auto [entry, added] = claude_messages_.try_emplace(id, now);
        MessageUsage before = added ? MessageUsage{} : entry->second;
        entry->second = now;
        usage_.turns += added ? 1 : 0;
        usage_.input_tokens += now.input - before.input;
        usage_.cached_input_tokens += now.cached - before.cached;
        usage_.output_tokens += now.output - before.output;
        for (const json& block : Child(message, "content").is_array() ? Child(message, "content") : json::array()) {
          if (Text(block, "type") == "tool_use" && claude_tool_uses_.insert(Text(block, "id")).second) {
            ++usage_.tool_calls;
          }
        }
      } else if (type == "result") {
        // The closing summary is authoritative for what it states.
        usage_.finished = true;
        if (uint64_t turns = Count(event, "num_turns")) usage_.turns = turns;
        const json& usage = Child(event, "usage");
        if (usage.is_object()) {
          usage_.input_tokens = Count(usage, "input_tokens") + Count(usage, "cache_creation_input_tokens") +
                                Count(usage, "cache_read_input_tokens");
          usage_.cached_input_tokens = Count(usage, "cache_read_input_tokens");
          usage_.output_tokens = Count(usage, "output_tokens");
        }
        // The session's cost so far, a resumed session's earlier runs included (claude
        // 2.1); its tokens and turns are this run's.
        if (event.contains("total_cost_usd") && event["total_cost_usd"].is_number()) {
          usage_.cost_usd = event["total_cost_usd"].get<double>();
          usage_.cost_reported = true;
        }
        if (event.value("is_error", false)) {
          std::string result = Text(event, "result");
          usage_.error = Text(event, "subtype") + (result.empty() ? "" : ": " + result);
        }
      }
      break;
    }
    case AgentFormat::kCodex:
      if (type == "thread.started") {
        usage_.session_id = Text(event, "thread_id");
      } else if (type == "turn.completed") {
        // The thread's totals so far, a resumed thread's earlier runs included (codex
        // 0.171); ThisAttempt takes those off. Cache writes and reasoning are parts of
        // input and output, not added to them.
        const json& usage = Child(event, "usage");
        usage_.input_tokens = Count(usage, "input_tokens");
        usage_.cached_input_tokens = Count(usage, "cached_input_tokens");
        usage_.output_tokens = Count(usage, "output_tokens");
      } else if (type == "item.completed") {
        // One turn.started covers every model request of the prompt: each request ends
        // in a message or a tool call, so those are what count as model turns.
        std::string kind = Text(Child(event, "item"), "type");
        if (kind == "command_execution" || kind == "file_change" || kind == "mcp_tool_call" ||
            kind == "web_search") {
          ++usage_.tool_calls;
          ++usage_.turns;
        } else if (kind == "agent_message") {
          ++usage_.turns;
        }
      } else if (type == "turn.failed") {
        usage_.error = ErrorText(Child(event, "error"));
      } else if (type == "error") {
        // "Reconnecting... 2/5" is codex retrying, not failing; what it gives up with
        // follows as turn.failed.
        std::string message = Text(event, "message");
        if (message.rfind("Reconnecting", 0) != 0) usage_.error = message;
      }
      break;
    case AgentFormat::kOpencode: {
      std::string session = Text(event, "sessionID");
      if (!session.empty()) usage_.session_id = session;
      const json& part = Child(event, "part");
      if (type == "step_start") {
        ++usage_.turns;
      } else if (type == "tool_use") {
        ++usage_.tool_calls;
      } else if (type == "step_finish") {
        const json& tokens = Child(part, "tokens");
        const json& cache = Child(tokens, "cache");
        usage_.input_tokens += Count(tokens, "input") + Count(cache, "read") + Count(cache, "write");
        usage_.cached_input_tokens += Count(cache, "read");
        usage_.output_tokens += Count(tokens, "output") + Count(tokens, "reasoning");
        if (part.is_object() && part.contains("cost") && part["cost"].is_number()) {
          usage_.cost_usd += part["cost"].get<double>();
          usage_.cost_reported = true;
        }
      } else if (type == "error") {
        usage_.error = ErrorText(Child(event, "error"));
      }
      break;
    }
    case AgentFormat::kNone:
      break;
  }
}

AgentUsage ThisAttempt(AgentFormat format, const AgentUsage& reported, const SessionBaseline& before) {
  AgentUsage usage = reported;
  auto less = [](uint64_t total, uint64_t earlier) { return total >= earlier ? total - earlier : total; };
  if (format == AgentFormat::kCodex) {
    usage.input_tokens = less(reported.input_tokens, before.input_tokens);
    usage.cached_input_tokens = less(reported.cached_input_tokens, before.cached_input_tokens);
    usage.output_tokens = less(reported.output_tokens, before.output_tokens);
  }
  if (format == AgentFormat::kClaude && reported.cost_reported && reported.cost_usd >= before.cost_usd) {
    usage.cost_usd = reported.cost_usd - before.cost_usd;
  }
  return usage;
}

}  // namespace wsfleet::worker
