#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

// Headless coding agents report what they do as JSON lines on stdout; wsfleet reads them
// rather than scraping text: the session (to resume it), turns, tool calls, tokens and,
// where the CLI reports it, cost.
namespace wsfleet::worker {

enum class AgentFormat {
  kNone,      // plain text: nothing to parse
  kClaude,    // claude -p --output-format stream-json --verbose
  kCodex,     // codex exec --json
  kOpencode,  // opencode run --format json
};

// "none", "claude", "codex", "opencode"; nullopt for anything else.
std::optional<AgentFormat> ParseAgentFormat(std::string_view name);
const char* AgentFormatName(AgentFormat format);

// What one agent run has reported so far, as totals.
struct AgentUsage {
  std::string session_id;
  uint64_t turns = 0;         // model requests (claude: num_turns; codex: messages and tool calls; opencode: steps)
  uint64_t tool_calls = 0;
  uint64_t input_tokens = 0;  // everything the model read, cached reads included
  uint64_t cached_input_tokens = 0;
  uint64_t output_tokens = 0;
  double cost_usd = 0;
  bool cost_reported = false;  // codex reports none
  std::string error;           // the agent's own report of failure, if any
  bool finished = false;       // the run's closing event (claude's result) was seen

  bool operator==(const AgentUsage&) const = default;
};

// What a session had reported by the end of the attempts before this one, summed over them:
// where this attempt resumes it.
struct SessionBaseline {
  uint64_t input_tokens = 0;
  uint64_t cached_input_tokens = 0;
  uint64_t output_tokens = 0;
  double cost_usd = 0;
};

// This attempt's share of what its CLI reported. codex reports the thread's token totals and
// claude the session's cost, both counted from the session's start: a resumed session's
// earlier attempts come off. A figure below the baseline was counted from this run alone
// (a CLI that changed how it counts) and stands as it is.
AgentUsage ThisAttempt(AgentFormat format, const AgentUsage& reported, const SessionBaseline& before);

// Reads an agent's stdout as it arrives (any chunking); lines that are not JSON, and event
// types it does not know, are skipped: CLIs add fields and events between versions.
class AgentStreamParser {
 public:
  explicit AgentStreamParser(AgentFormat format) : format_(format) {}

  // True when the totals changed.
  bool Feed(std::string_view data);
  bool Finish();  // a last line without its newline
  const AgentUsage& usage() const { return usage_; }

 private:
  void Line(std::string_view line);

  AgentFormat format_;
  std::string partial_;
  AgentUsage usage_;
  // Claude repeats a message's usage on each of its content blocks: per message ID, the
  // latest figures count once.
  struct MessageUsage {
    uint64_t input = 0, cached = 0, output = 0;
  };
  std::map<std::string, MessageUsage> claude_messages_;
  std::set<std::string> claude_tool_uses_;
};

}  // namespace wsfleet::worker
