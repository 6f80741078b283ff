#include "cli/status_render.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "common/text.h"
#include "proto/enum_names.h"

namespace wsfleet::cli {

const char* StateName(v1::WorkstreamState state) { return rpc::StateName(state); }

std::string CountsLine(const v1::RunStatus& status) {
  static const v1::WorkstreamState kOrder[] = {
      v1::WORKSTREAM_STATE_SUCCEEDED, v1::WORKSTREAM_STATE_RUNNING, v1::WORKSTREAM_STATE_ASSIGNED,
      v1::WORKSTREAM_STATE_READY,     v1::WORKSTREAM_STATE_PENDING, v1::WORKSTREAM_STATE_FAILED,
      v1::WORKSTREAM_STATE_BLOCKED,   v1::WORKSTREAM_STATE_CANCELLED, v1::WORKSTREAM_STATE_SKIPPED};
  std::map<int, int> counts;
  for (const auto& ws : status.workstreams()) ++counts[ws.state()];
  std::string line;
  for (v1::WorkstreamState state : kOrder) {
    if (counts[state] == 0) continue;
    if (!line.empty()) line += ", ";
    line += std::to_string(counts[state]) + " " + common::ToLower(StateName(state));
  }
  return line;
}

namespace {

double CriticalPathDaysLeft(const v1::RunStatus& status) {
  double left = 0;
  for (const auto& ws : status.workstreams()) {
    v1::WorkstreamState state = ws.state();
    bool open = state == v1::WORKSTREAM_STATE_PENDING || state == v1::WORKSTREAM_STATE_READY ||
                state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING;
    if (open) left = std::max(left, ws.remaining_days());
  }
  return left;
}

}  // namespace

std::string ElapsedText(int64_t milliseconds) {
  int64_t seconds = std::max<int64_t>(0, milliseconds / 1000);
  char text[32];
  if (seconds >= 3600) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60));
  } else if (seconds >= 60) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  } else {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(seconds));
  }
  return text;
}

std::string EtaAtThePaceSoFar(const v1::RunStatus& status) {
  if (status.eta_seconds() <= 0) return "";
  return "; ETA " + ElapsedText(std::max<int64_t>(1000, static_cast<int64_t>(status.eta_seconds() * 1000))) +
         " at the pace so far";
}

std::string CriticalPathLeft(const v1::RunStatus& status) {
  double left = CriticalPathDaysLeft(status);
  if (left <= 0) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "; critical path left: %.3g days (estimated)", left);
  return buffer;
}

namespace {

// 950, 12.3k, 4.1M: token counts at a glance.
std::string CompactCount(uint64_t count) {
  char text[32];
  if (count < 1000) {
    std::snprintf(text, sizeof text, "%llu", static_cast<unsigned long long>(count));
  } else if (count < 1000000) {
    std::snprintf(text, sizeof text, "%.1fk", static_cast<double>(count) / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.1fM", static_cast<double>(count) / 1e6);
  }
  return text;
}

std::string AgentCell(const v1::WorkstreamStatus& ws) {
  if (!ws.has_agent()) return "-";
  const v1::AgentReport& agent = ws.agent();
  std::string cell = agent.agent_type() + " " + CompactCount(agent.input_tokens()) + "/" +
                     CompactCount(agent.output_tokens());
  if (agent.cost_reported()) {
    char cost[32];
    std::snprintf(cost, sizeof cost, " $%.2f", agent.cost_usd());
    cell += cost;
  }
  if (!agent.session_id().empty()) cell += " " + common::TruncateToWidth(agent.session_id(), 14);
  return cell;
}

}  // namespace

namespace {

// Rows in columns two spaces apart, each as wide as its widest cell.
std::string AlignedTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], common::DisplayWidth(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - common::DisplayWidth(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string RenderPlansTable(const v1::ListPlansResponse& plans) {
  if (plans.plans().empty()) return "no plan submitted\n";
  std::vector<std::vector<std::string>> rows = {
      {"PLAN", "NAME", "STATE", "DONE", "RUNNING", "FAILED", "SHARE", "HOLDS", "SLOT-HOURS", "ETA", "SPENT"}};
  for (const v1::PlanInfo& plan : plans.plans()) {
    char share[32], holds[48], hours[32], left[32];
    std::snprintf(share, sizeof share, "%g", plan.share());
    std::string limits;
    if (plan.max_gpus() > 0) limits += " ≤" + std::to_string(plan.max_gpus()) + " GPUs";
    if (plan.max_workers() > 0) limits += " ≤" + std::to_string(plan.max_workers()) + " workers";
    std::snprintf(holds, sizeof holds, "%u slots, %u GPUs", plan.slots(), plan.gpus());
    std::snprintf(hours, sizeof hours, "%.2f", plan.slot_seconds() / 3600);
    // The remaining critical path at the pace the plan's work has kept so far.
    double eta = plan.eta_seconds();
    if (eta < 3600) {
      std::snprintf(left, sizeof left, "%.0f min", eta / 60);
    } else if (eta < 48 * 3600) {
      std::snprintf(left, sizeof left, "%.1f h", eta / 3600);
    } else {
      std::snprintf(left, sizeof left, "%.1f days", eta / 86400);
    }
    const v1::AgentReport& agents = plan.agents_spent();
    std::string spent = CompactCount(agents.input_tokens() + agents.output_tokens()) + " tokens";
    if (agents.cost_usd() > 0) {
      char dollars[32];
      std::snprintf(dollars, sizeof dollars, ", $%.2f", agents.cost_usd());
      spent += dollars;
    }
    std::string state = !plan.done() ? "running" : plan.succeeded() ? "succeeded" : "ended, not all succeeded";
    rows.push_back({plan.plan_id(), plan.name(), state,
                    std::to_string(plan.ended()) + "/" + std::to_string(plan.workstreams()),
                    std::to_string(plan.running()), std::to_string(plan.failed_count()), share + limits, holds, hours,
                    plan.done() ? "-" : left, spent});
  }
  return AlignedTable(rows);
}

std::string RenderStatusTable(const v1::RunStatus& status) {
  if (status.plan_id().empty()) return "no plan submitted\n";
  // The agent (tokens in/out, cost, session), merge and dropped-output columns appear when
  // a plan has them.
  bool agents = false, merges = false, dropped = false;
  for (const auto& ws : status.workstreams()) {
    agents = agents || ws.has_agent();
    merges = merges || !ws.merge().empty();
    dropped = dropped || ws.output_dropped_bytes() > 0;
  }
  std::vector<std::string> header = {"ID", "NAME", "STATE", "TRY", "WORKER", "TESTS"};
  if (agents) header.push_back("AGENT");
  if (merges) header.push_back("MERGE");
  if (dropped) header.push_back("OUTPUT DROPPED");
  header.push_back("MESSAGE");
  std::vector<std::vector<std::string>> rows = {header};
  for (const auto& ws : status.workstreams()) {
    std::string tests = ws.tests().passed() + ws.tests().failed() + ws.tests().skipped() == 0
                            ? "-"
                            : std::to_string(ws.tests().passed()) + "/" +
                                  std::to_string(ws.tests().passed() + ws.tests().failed());
    std::vector<std::string> row = {ws.id(), common::TruncateToWidth(ws.name(), 28), StateName(ws.state()),
                                    ws.attempts() == 0 ? "-" : std::to_string(ws.attempts()),
                                    ws.worker_id().empty() ? "-" : ws.worker_id(), tests};
    if (agents) row.push_back(AgentCell(ws));
    if (merges) row.push_back(ws.merge().empty() ? "-" : ws.merge());
    if (dropped) {
      char size[32];
      std::snprintf(size, sizeof size, "%.1f MiB", static_cast<double>(ws.output_dropped_bytes()) / (1 << 20));
      row.push_back(ws.output_dropped_bytes() == 0 ? "-" : size);
    }
    row.push_back(common::TruncateToWidth(ws.message(), 60));
    rows.push_back(std::move(row));
  }
  std::string out = AlignedTable(rows);
  out += "\nplan " + status.plan_id() + ": " + CountsLine(status) + CriticalPathLeft(status) +
         (status.done() ? (status.succeeded() ? " (done)" : " (done, not all succeeded)") : "") + "\n";
  if (agents) {
    const v1::AgentReport& spent = status.agents_spent();
    char cost[48] = "";
    if (spent.cost_usd() > 0) std::snprintf(cost, sizeof cost, ", $%.2f", spent.cost_usd());
    out += "agents: " + std::to_string(spent.turns()) + " turns, " + CompactCount(spent.input_tokens()) +
           " tokens in / " + CompactCount(spent.output_tokens()) + " out" + cost +
           (status.plan_budget_stop().empty() ? "" : " (plan budget spent: " + status.plan_budget_stop() + ")") +
           "\n";
  }
  if (!status.metrics_url().empty()) out += "metrics: " + status.metrics_url() + "\n";
  if (status.has_store_held()) {
    const v1::StoreHold& held = status.store_held();
    out += "state store: FULL since " + common::UtcDateTime(held.since_unix_ms()) + " (" + held.reason() +
           "): " + std::to_string(held.writes()) +
           " write(s) held; events are not acknowledged and nothing new starts until there is space\n";
  }
  return out;
}


std::string ProgressPrinter::Update(const v1::RunStatus& status) {
  std::string out;
  for (const auto& ws : status.workstreams()) {
    auto found = last_.find(ws.id());
    if (found != last_.end() && found->second == ws.state()) continue;
    bool first = found == last_.end();
    last_[ws.id()] = ws.state();
    if (first && (ws.state() == v1::WORKSTREAM_STATE_PENDING ||
                  ws.state() == v1::WORKSTREAM_STATE_READY)) {
      continue;
    }
    if (ws.state() == v1::WORKSTREAM_STATE_ASSIGNED) continue;
    std::string line = ws.id() + " " + StateName(ws.state());
    if (ws.state() == v1::WORKSTREAM_STATE_RUNNING) line += " on " + ws.worker_id();
    if (ws.attempts() > 1) line += " (attempt " + std::to_string(ws.attempts()) + ")";
    if (ws.state() == v1::WORKSTREAM_STATE_SUCCEEDED && ws.finished_unix_ms() > ws.started_unix_ms() &&
        ws.started_unix_ms() > 0) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, " in %.1fs",
                    static_cast<double>(ws.finished_unix_ms() - ws.started_unix_ms()) / 1000);
      line += seconds;
    }
    if (!ws.message().empty() && ws.state() != v1::WORKSTREAM_STATE_RUNNING) line += ": " + ws.message();
    if (terminal_ && line_open_) out += "\r\x1b[K";
    line_open_ = false;
    out += line + "\n";
  }
  if (terminal_) {
    if (line_open_) out += "\r\x1b[K";
    out += "[" + CountsLine(status) + CriticalPathLeft(status) + "]";
    line_open_ = true;
  }
  return out;
}

}  // namespace wsfleet::cli
