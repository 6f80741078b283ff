#include "cli/live_view.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "cli/status_render.h"
#include "common/text.h"

namespace wsfleet::cli {
namespace {

bool Ended(v1::WorkstreamState state) {
  return state == v1::WORKSTREAM_STATE_SUCCEEDED || state == v1::WORKSTREAM_STATE_FAILED ||
         state == v1::WORKSTREAM_STATE_CANCELLED || state == v1::WORKSTREAM_STATE_BLOCKED ||
         state == v1::WORKSTREAM_STATE_SKIPPED;
}

// What a running workstream is doing, in a few words: its agent's turns and spend while one
// works, else the last line its steps printed, else the coordinator's message.
std::string Activity(const v1::WorkstreamStatus& ws) {
  if (ws.has_agent() && !ws.agent().agent_type().empty()) {
    const v1::AgentReport& agent = ws.agent();
    std::string text = agent.agent_type() + ": " + std::to_string(agent.turns()) + " turns, " +
                       std::to_string(agent.tool_calls()) + " tool calls";
    if (agent.cost_usd() > 0) {
      char cost[32];
      std::snprintf(cost, sizeof cost, ", $%.2f", agent.cost_usd());
      text += cost;
    }
    return text;
  }
  return !ws.last_output_line().empty() ? "> " + ws.last_output_line() : ws.message();
}

std::string Seconds(const v1::WorkstreamStatus& ws) {
  if (ws.started_unix_ms() <= 0 || ws.finished_unix_ms() <= ws.started_unix_ms()) return "";
  return " in " + ElapsedText(ws.finished_unix_ms() - ws.started_unix_ms());
}

}  // namespace

TerminalSize TerminalSizeOf(int fd) {
  TerminalSize size;
  winsize window{};
  if (::ioctl(fd, TIOCGWINSZ, &window) == 0 && window.ws_col > 0 && window.ws_row > 0) {
    size.columns = window.ws_col;
    size.rows = window.ws_row;
  }
  return size;
}

std::string ProgressBar(int done, int total, int width) {
  int inside = std::max(1, width - 2);
  int filled = total <= 0 ? 0 : static_cast<int>(static_cast<int64_t>(inside) * std::clamp(done, 0, total) / total);
  return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(inside - filled), '-') +
         "]";
}

LiveView::LiveView(std::function<int64_t()> now_unix_ms) : now_unix_ms_(std::move(now_unix_ms)) {}

std::string LiveView::Erase(int columns) {
  if (region_widths_.empty()) return "";
  size_t rows = 0;
  size_t cols = static_cast<size_t>(std::max(1, columns));
  for (size_t width : region_widths_) rows += std::max<size_t>(1, (width + cols - 1) / cols);
  region_widths_.clear();
  // The cursor is at the end of the region's last row: back to its first, then clear to
  // the end of the screen.
  std::string out = "\r";
  if (rows > 1) out += "\x1b[" + std::to_string(rows - 1) + "A";
  return out + "\x1b[J";
}

std::string LiveView::LinesThatMatter(const v1::RunStatus& status, size_t width) {
  std::string out;
  for (const v1::WorkstreamStatus& ws : status.workstreams()) {
    Seen& seen = seen_[ws.id()];
    bool first = seen.state == v1::WORKSTREAM_STATE_UNSPECIFIED;
    std::string line;
    if (ws.attempts() > seen.attempts && seen.attempts > 0 && !Ended(ws.state())) {
      // A new attempt of one that had started: the last one failed or its worker was lost.
      line = ws.id() + " retrying (attempt " + std::to_string(ws.attempts()) + ")" +
             (ws.message().empty() ? "" : ": " + ws.message());
    } else if (ws.state() != seen.state && Ended(ws.state()) && !(first && ws.state() == v1::WORKSTREAM_STATE_SKIPPED)) {
      line = ws.id() + " " + StateName(ws.state());
      if (ws.state() == v1::WORKSTREAM_STATE_SUCCEEDED) {
        line += Seconds(ws) + (ws.worker_id().empty() ? "" : " on " + ws.worker_id());
      } else if (!ws.message().empty()) {
        line += ": " + ws.message();
      }
    }
    seen.state = ws.state();
    seen.attempts = ws.attempts();
    if (!line.empty()) out += common::TruncateToWidth(line, width) + "\n";
  }
  return out;
}

std::string LiveView::Region(const v1::RunStatus& status, TerminalSize size) {
  size_t width = static_cast<size_t>(std::max(20, size.columns - 1));  // never the last column: no wrap
  std::vector<const v1::WorkstreamStatus*> running;
  int ended = 0;
  for (const v1::WorkstreamStatus& ws : status.workstreams()) {
    if (ws.state() == v1::WORKSTREAM_STATE_RUNNING || ws.state() == v1::WORKSTREAM_STATE_ASSIGNED) {
      running.push_back(&ws);
    }
    if (Ended(ws.state())) ++ended;
  }
  // Longest running first (what is slow is what people look for), those not started yet last.
  std::stable_sort(running.begin(), running.end(), [](const auto* a, const auto* b) {
    bool a_waits = a->started_unix_ms() <= 0, b_waits = b->started_unix_ms() <= 0;
    if (a_waits != b_waits) return b_waits;
    return a->started_unix_ms() < b->started_unix_ms();
  });
  int64_t now = now_unix_ms_();
  // The region keeps a third of the screen for the lines above it, at least two rows.
  size_t room = static_cast<size_t>(std::max(2, size.rows * 2 / 3 - 1));
  size_t shown = running.size() > room ? room - 1 : running.size();
  std::vector<std::string> lines;
  for (size_t i = 0; i < shown; ++i) {
    const v1::WorkstreamStatus& ws = *running[i];
    std::string elapsed = ws.started_unix_ms() > 0 ? ElapsedText(now - ws.started_unix_ms()) : "-";
    std::string line = "  " + ws.id() + "  " + common::TruncateToWidth(ws.name(), 24) + "  " +
                       (ws.worker_id().empty() ? "-" : ws.worker_id()) + "  " + elapsed;
    if (ws.state() == v1::WORKSTREAM_STATE_ASSIGNED) line += "  starting";
    std::string activity = Activity(ws);
    if (!activity.empty()) line += "  " + activity;
    lines.push_back(common::TruncateToWidth(line, width));
  }
  if (shown < running.size()) lines.push_back("  ... and " + std::to_string(running.size() - shown) + " more running");
  int total = status.workstreams_size();
  std::string counts = " " + std::to_string(ended) + "/" + std::to_string(total) + "  " + CountsLine(status) +
                       EtaAtThePaceSoFar(status) + CriticalPathLeft(status);
  int bar = std::clamp(static_cast<int>(width) / 4, 10, 40);
  lines.push_back(common::TruncateToWidth(ProgressBar(ended, total, bar) + counts, width));
  for (const std::string& line : lines) region_widths_.push_back(common::DisplayWidth(line));
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? "" : "\n") + lines[i];
  return out;
}

std::string LiveView::Frame(const v1::RunStatus& status, TerminalSize size) {
  std::string out = Erase(size.columns);
  out += LinesThatMatter(status, static_cast<size_t>(std::max(20, size.columns - 1)));
  return out + Region(status, size);
}

std::string LiveView::Close(TerminalSize size) { return Erase(size.columns); }

}  // namespace wsfleet::cli
