#include "coordinator/summary_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/criteria.h"
#include "coordinator/run_json.h"
#include "proto/enum_names.h"

namespace wsfleet::coordinator {
namespace {

std::string Date(int64_t unix_ms) {
  if (unix_ms <= 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%SZ", &utc);
  return buffer;
}

std::string Seconds(int64_t from_ms, int64_t to_ms) {
  if (from_ms <= 0 || to_ms < from_ms) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(to_ms - from_ms) / 1000);
  return buffer;
}

std::string Days(const common::DayRange& range) {
  char buffer[64];
  if (range.min == range.max) {
    std::snprintf(buffer, sizeof buffer, "%g day%s", range.max, range.max == 1 ? "" : "s");
  } else {
    std::snprintf(buffer, sizeof buffer, "%g-%g days", range.min, range.max);
  }
  return buffer;
}

std::string StatusLine(v1::WorkstreamState state) {
  switch (state) {
    case v1::WORKSTREAM_STATE_SUCCEEDED: return "✅ COMPLETE";
    case v1::WORKSTREAM_STATE_SKIPPED: return "✅ COMPLETE (skipped: the card was already complete)";
    case v1::WORKSTREAM_STATE_FAILED: return "❌ FAILED";
    case v1::WORKSTREAM_STATE_BLOCKED: return "⛔ BLOCKED";
    case v1::WORKSTREAM_STATE_CANCELLED: return "🚫 CANCELLED";
    default: return "IN PROGRESS";
  }
}

const char* Mark(common::Verdict verdict) {
  switch (verdict) {
    case common::Verdict::kPass: return "✅";
    case common::Verdict::kFail: return "❌";
    case common::Verdict::kUnverified: return "⬜";
  }
  return "?";
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ENOENT) {
    // The first file in its directory (one per workstream): a stat per path component
    // before every write would cost more than the write.
    std::error_code error;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  if (fd < 0) return absl::InternalError("open " + temporary + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return absl::InternalError("write " + temporary + ": " + std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return absl::InternalError("close " + temporary + ": " + std::strerror(errno));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError("rename " + temporary + ": " + std::strerror(errno));
  }
  return absl::OkStatus();
}

namespace {

// "**Agent session**: <id>, 12 turns, 31 tool calls, 48200 tokens in / 2100 out, $0.42"
std::string AgentLine(const v1::AgentReport& agent) {
  char cost[32] = "cost not reported";
  if (agent.cost_reported()) std::snprintf(cost, sizeof cost, "$%.2f", agent.cost_usd());
  return "**Agent session**: " + (agent.session_id().empty() ? std::string("(none reported)") : agent.session_id()) +
         ", " + std::to_string(agent.turns()) + " turns, " + std::to_string(agent.tool_calls()) +
         " tool calls, " + std::to_string(agent.input_tokens()) + " tokens in / " +
         std::to_string(agent.output_tokens()) + " out, " + cost +
         (agent.error().empty() ? "" : " (the agent reported: " + agent.error() + ")") + "\n";
}

}  // namespace

std::string SummaryWriter::RenderWorkstream(const Scheduler& scheduler, int index, bool as_succeeded) const {
  const common::Workstream& ws = scheduler.plan()->workstreams[index];
  const WorkstreamRow& row = scheduler.RowOf(index);
  const std::map<std::string, double>& metrics = scheduler.MetricsOf(index);
  std::string out = "# " + ws.id.ToString() + ": " + ws.name + " - Completion Summary\n\n";
  v1::WorkstreamState state = as_succeeded ? v1::WORKSTREAM_STATE_SUCCEEDED : row.state;
  out += "**Status**: " + StatusLine(state) + "\n";
  out += "**Completion Date**: " + Date(row.finished_unix_ms) + "\n";
  out += "**Duration**: " + Seconds(row.started_unix_ms, row.finished_unix_ms) +
         " (estimated: " + Days(ws.duration.estimate) + ")\n";
  out += "**Agent**: " + (ws.agent_type.empty() ? std::string("shell") : ws.agent_type) + "\n";
  out += "**Attempts**: " + std::to_string(row.attempts) +
         (row.worker_id.empty() ? "" : " (last on worker " + row.worker_id + ")") + "\n";
  if (!row.message.empty()) out += "**Result**: " + row.message + "\n";
  if (const v1::AgentReport* agent = scheduler.AgentOf(index)) out += AgentLine(*agent);
  if (std::string merge = scheduler.MergeState(index); !merge.empty()) out += "**Merge**: " + merge + "\n";

  out += "\n## Deliverables Created\n";
  std::vector<std::string> found = scheduler.DeliverablesFound(index);
  bool checked = state == v1::WORKSTREAM_STATE_SUCCEEDED;
  int number = 0;
  for (const common::Deliverable& deliverable : ws.deliverables) {
    out += std::to_string(++number) + ". " + deliverable.text + "\n";
    for (const std::string& path : deliverable.paths) {
      bool present = std::find(found.begin(), found.end(), path) != found.end();
      out += "   - `" + path + "`: " + (!checked ? "not checked" : present ? "✅ found" : "❌ missing") + "\n";
    }
  }
  if (ws.deliverables.empty()) out += "(the card lists none)\n";

  out += "\n## Acceptance Criteria Verification\n";
  for (const common::Criterion& criterion : ws.criteria) {
    common::CriterionVerdict verdict = common::Judge(criterion, metrics);
    out += std::string(Mark(verdict.verdict)) + " " + common::VerdictName(verdict.verdict) + " (" +
           criterion.group + ") " + criterion.text + " — " + verdict.detail + "\n";
  }
  if (ws.criteria.empty()) out += "(the card lists none)\n";

  v1::TestCounts tests = scheduler.TestsOf(index);
  out += "\n## Test Results\n";
  out += "- Tests: " + std::to_string(tests.passed()) + " passed, " +
         std::to_string(tests.failed()) + " failed, " + std::to_string(tests.skipped()) +
         " skipped\n";
  out += "- Steps: " + std::to_string(ws.steps.size()) + " (test and verification commands)\n";
  out += "- Metrics:";
  if (metrics.empty()) out += " none reported";
  for (const auto& [name, value] : metrics) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    out += std::string(" `") + name + " = " + buffer + "`";
  }
  out += "\n\n## Logs\n";
  std::vector<std::string> attempts = scheduler.AttemptIds(index);
  for (size_t i = 0; i < attempts.size(); ++i) {
    out += "- attempt " + std::to_string(i + 1) + ": `" + store_.LogPath(ws.id.ToString(), attempts[i]) + "`\n";
  }
  if (attempts.empty()) out += "(no attempt ran)\n";
  out += "\n---\nWritten by wsfleet from plan " + scheduler.plan_row().plan_id + ".\n";
  return out;
}

SummaryWriter::SummaryWriter(StatePaths paths, const StateStore& store, Write write)
    : paths_(std::move(paths)), store_(store), write_(std::move(write)) {
  if (!write_) {
    write_ = [](std::string path, std::string contents) {
      return WriteFileAtomically(path, contents);
    };
  }
}

absl::Status SummaryWriter::WriteWorkstream(const Scheduler& scheduler, int index) const {
  std::string id = scheduler.plan()->workstreams[index].id.ToString();
  return write_(paths_.Summary(id), RenderWorkstream(scheduler, index));
}

absl::Status SummaryWriter::WriteReport(const Scheduler& scheduler) const {
  v1::RunStatus status = scheduler.Status();
  const common::Plan& plan = *scheduler.plan();
  nlohmann::ordered_json json;
  json["plan_id"] = status.plan_id();
  json["done"] = status.done();
  json["succeeded"] = status.succeeded();
  json["workstreams"] = nlohmann::ordered_json::array();
  std::string table = "| ID | Name | State | Attempts | Worker | Duration | Tests | Result |\n"
                      "|---|---|---|---|---|---|---|---|\n";
  std::map<std::string, int> counts;
  int64_t first_start = 0, last_end = 0;
  for (int i = 0; i < status.workstreams_size(); ++i) {
    const v1::WorkstreamStatus& ws = status.workstreams(i);
    const WorkstreamRow& row = scheduler.RowOf(i);
    ++counts[rpc::StateName(ws.state())];
    if (row.started_unix_ms > 0 && (first_start == 0 || row.started_unix_ms < first_start)) first_start = row.started_unix_ms;
    last_end = std::max(last_end, row.finished_unix_ms);
    std::string state = rpc::StateName(ws.state());
    std::string tests = std::to_string(ws.tests().passed()) + "/" +
                        std::to_string(ws.tests().passed() + ws.tests().failed());
    table += "| " + ws.id() + " | " + ws.name() + " | " + state + " | " +
             std::to_string(ws.attempts()) + " | " + (ws.worker_id().empty() ? "-" : ws.worker_id()) +
             " | " + Seconds(row.started_unix_ms, row.finished_unix_ms) + " | " + tests + " | " +
             ws.message() + " |\n";
    nlohmann::ordered_json entry = WorkstreamJson(ws);
    entry["summary"] = paths_.Summary(ws.id());
    entry["metrics"] = scheduler.MetricsOf(i);
    json["workstreams"].push_back(entry);
  }
  json["counts"] = counts;
  json["agents_spent"] = AgentJson(status.agents_spent());
  if (!status.plan_budget_stop().empty()) json["plan_budget_stop"] = status.plan_budget_stop();
  json["wall_seconds"] = last_end > first_start && first_start > 0 ? static_cast<double>(last_end - first_start) / 1000.0 : 0.0;
  std::string chain;
  for (int index : plan.analysis.critical_path.chain) {
    chain += (chain.empty() ? "" : " → ") + plan.workstreams[index].id.ToString();
  }
  std::string markdown = "# Run report: plan " + status.plan_id() + "\n\n";
  markdown += std::string("**Result**: ") + (status.succeeded() ? "✅ every workstream succeeded or was skipped" : "❌ not every workstream succeeded") + "\n";
  markdown += "**Wall time**: " + Seconds(first_start, last_end) + "\n";
  markdown += "**Critical path**: " + chain + "\n\n";
  markdown += table;
  markdown += "\nSummaries: `" + paths_.root + "/summaries/<WS-ID>-COMPLETION_SUMMARY.md`\n";
  if (absl::Status written = write_(paths_.ReportMarkdown(), markdown); !written.ok()) {
    return written;
  }
  return write_(paths_.ReportJson(), json.dump(2) + "\n");
}

}  // namespace wsfleet::coordinator
