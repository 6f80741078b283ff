#include "coordinator/summary_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include "coordinator/report_render.h"
#include "coordinator/summary_render.h"

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
  std::vector<RunView::Neighbour> dependencies;
  std::vector<RunView::Neighbour> dependents;
  std::string plan_id;
};

}  // namespace

absl::Status SummaryWriter::WriteWorkstream(const RunReader& run, int index) const {
  RunView view = run.ViewOf(index);
  auto snapshot = std::make_shared<SummarySnapshot>(SummarySnapshot{view.card, view.row, view.facts, view.merge,
                                                                     view.attempt_ids, view.log_paths, view.dependencies,
                                                                     view.dependents, run.plan_row().plan_id});
  return write_(paths_.Plan(run.plan_row().plan_id).Summary(view.card.id.ToString()), [snapshot] {
    const SummarySnapshot& s = *snapshot;
    return RenderSummary(
        RunView{s.card, s.row, s.facts, nullptr, s.merge, s.attempt_ids, s.log_paths, s.dependencies, s.dependents},
        s.plan_id);
  });
}

absl::Status SummaryWriter::WriteReport(const RunReader& run) const {
  PlanPaths paths = paths_.Plan(run.plan_row().plan_id);
  auto report = std::make_shared<const ReportSnapshot>(ReportSnapshot::Of(run, paths));
  if (absl::Status written = write_(paths.ReportMarkdown(), [report] { return RenderReportMarkdown(*report); });
      !written.ok()) {
    return written;
  }
  return write_(paths.ReportJson(), [report] { return RenderReportJson(*report); });
}

}  // namespace wsfleet::coordinator
