#include "cli/plan_table.h"

#include <cstdio>
#include <vector>

#include "common/text.h"

namespace wsfleet::cli {
namespace {

constexpr size_t kNameWidth = 36;
constexpr size_t kDependsWidth = 28;
constexpr const char* kArrow = " \xE2\x86\x92 ";  // →

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string Pad(const std::string& text, size_t width) {
  size_t shown = common::DisplayWidth(text);
  return shown >= width ? text : text + std::string(width - shown, ' ');
}

std::string DaysPhrase(double min, double max) {
  std::string phrase = min == max ? Number(max) : Number(min) + "\xE2\x80\x93" + Number(max);
  return phrase + (max == 1 && min == 1 ? " day" : " days");
}

// "WS-01,WS-03..WS-08": consecutive IDs (already sorted) collapse into a range.
std::string CompactIds(const std::vector<common::Dependency>& dependencies) {
  std::string out;
  for (size_t i = 0; i < dependencies.size();) {
    size_t j = i;
    while (j + 1 < dependencies.size() &&
           dependencies[j + 1].id.number() == dependencies[j].id.number() + 1) {
      ++j;
    }
    if (!out.empty()) out += ",";
    out += dependencies[i].id.ToString();
    if (j >= i + 2) {
      out += ".." + dependencies[j].id.ToString();
    } else if (j == i + 1) {
      out += "," + dependencies[j].id.ToString();
    }
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string FormatDays(const common::DayRange& range) {
  constexpr double kHoursPerDay = 8;
  // Work shorter than a day reads better in hours: "2-4h" rather than "0.25-0.5d".
  bool hours = range.min > 0 && range.max < 1;
  double scale = hours ? kHoursPerDay : 1;
  std::string unit = hours ? "h" : "d";
  if (range.min == range.max) return Number(range.max * scale) + unit;
  return Number(range.min * scale) + "-" + Number(range.max * scale) + unit;
}

std::string RenderPlanTable(const common::Plan& plan) {
  const std::vector<std::string> headers = {"ID",       "NAME",       "PRI",   "STATUS",
                                            "DURATION", "DEPENDS ON", "LEVEL", "CP"};
  std::vector<std::vector<std::string>> rows;
  int completed = 0;
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    const common::Workstream& ws = plan.workstreams[i];
    if (ws.completed()) ++completed;
    std::string depends = CompactIds(ws.dependencies);
    bool acyclic = plan.analysis.acyclic;
    rows.push_back({ws.id.ToString(), common::TruncateToWidth(ws.name, kNameWidth),
                    common::PriorityName(ws.priority), common::StatusName(ws.status),
                    FormatDays(ws.duration.estimate) + (ws.duration.known ? "" : "?"),
                    depends.empty() ? "-" : common::TruncateToWidth(depends, kDependsWidth),
                    acyclic ? std::to_string(plan.analysis.level_of[i]) : "-",
                    acyclic && plan.analysis.on_critical_path[i] ? "*" : ""});
  }
  std::vector<size_t> widths(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) {
    widths[c] = headers[c].size();
    for (const auto& row : rows) widths[c] = std::max(widths[c], common::DisplayWidth(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += c + 1 == cells.size() ? cells[c] : Pad(cells[c], widths[c]) + "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers);
  for (const auto& row : rows) out += line(row);

  out += "\n" + std::to_string(plan.workstreams.size()) + " workstreams (" +
         std::to_string(completed) + " completed, " +
         std::to_string(plan.workstreams.size() - completed) + " to run)";
  if (plan.analysis.acyclic) {
    out += " in " + std::to_string(plan.analysis.levels.size()) + " levels\n";
    const common::CriticalPath& path = plan.analysis.critical_path;
    std::string chain;
    for (int index : path.chain) {
      if (!chain.empty()) chain += kArrow;
      chain += plan.workstreams[index].id.ToString();
    }
    out += "critical path (*): " + (chain.empty() ? std::string("-") : chain) + ", " +
           DaysPhrase(path.days_min, path.days_max) + "\n";
    out += "makespan with unlimited parallelism: " +
           DaysPhrase(plan.analysis.makespan.min, plan.analysis.makespan.max) + "\n";
  } else {
    out += "; levels and critical path need an acyclic plan\n";
  }
  return out;
}

}  // namespace wsfleet::cli
