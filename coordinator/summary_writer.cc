#include "coordinator/summary_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "coordinator/run_json.h"
#include "coordinator/summary_render.h"
#include "proto/enum_names.h"

namespace wsfleet::coordinator {

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


SummaryWriter::SummaryWriter(StatePaths paths, Write write)
    : paths_(std::move(paths)), write_(std::move(write)) {
  if (!write_) {
    write_ = [](std::string path, std::function<std::string()> render) {
      return WriteFileAtomically(path, render());
    };
  }
}

namespace {

// What a summary is rendered from, owned: the loop goes on changing the run meanwhile.
struct SummarySnapshot {
  common::Workstream card;
  WorkstreamRow row;
  WorkstreamFacts facts;
  std::string merge;
  std::vector<std::string> attempt_ids;
  std::vector<std::string> log_paths;
  std::string plan_id;
};

}  // namespace

absl::Status SummaryWriter::WriteWorkstream(const RunReader& run, int index) const {
  RunView view = run.ViewOf(index);
  auto snapshot = std::make_shared<SummarySnapshot>(SummarySnapshot{
      view.card, view.row, view.facts, view.merge, view.attempt_ids, view.log_paths, run.plan_row().plan_id});
  return write_(paths_.Summary(view.card.id.ToString()), [snapshot] {
    const SummarySnapshot& s = *snapshot;
    return RenderSummary(RunView{s.card, s.row, s.facts, nullptr, s.merge, s.attempt_ids, s.log_paths},
                         s.plan_id);
  });
}

absl::Status SummaryWriter::WriteReport(const RunReader& run) const {
  v1::RunStatus status = run.Status();
  const common::Plan& plan = *run.plan();
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
    RunView view = run.ViewOf(i);
    const WorkstreamRow& row = view.row;
    ++counts[rpc::StateName(ws.state())];
    if (row.started_unix_ms > 0 && (first_start == 0 || row.started_unix_ms < first_start)) first_start = row.started_unix_ms;
    last_end = std::max(last_end, row.finished_unix_ms);
    std::string state = rpc::StateName(ws.state());
    std::string tests = std::to_string(ws.tests().passed()) + "/" +
                        std::to_string(ws.tests().passed() + ws.tests().failed());
    table += "| " + ws.id() + " | " + ws.name() + " | " + state + " | " +
             std::to_string(ws.attempts()) + " | " + (ws.worker_id().empty() ? "-" : ws.worker_id()) +
             " | " + ElapsedText(row.started_unix_ms, row.finished_unix_ms) + " | " + tests + " | " +
             ws.message() + " |\n";
    nlohmann::ordered_json entry = WorkstreamJson(ws);
    entry["summary"] = paths_.Summary(ws.id());
    entry["metrics"] = view.facts.metrics;
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
  markdown += "**Wall time**: " + ElapsedText(first_start, last_end) + "\n";
  markdown += "**Critical path**: " + chain + "\n\n";
  markdown += table;
  markdown += "\nSummaries: `" + paths_.root + "/summaries/<WS-ID>-COMPLETION_SUMMARY.md`\n";
  if (absl::Status written = write_(paths_.ReportMarkdown(), [markdown] { return markdown; }); !written.ok()) {
    return written;
  }
  return write_(paths_.ReportJson(), [text = json.dump(2) + "\n"] { return text; });
}

}  // namespace wsfleet::coordinator
