#include "worker/coverage_reports.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "common/text.h"
#include "worker/workspace_walk.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxReportBytes = 64 << 20;
constexpr int kMaxFilesWalked = 20000;
constexpr int kMaxWalkDepth = 8;

double Percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 100.0; }

absl::StatusOr<Coverage> Cobertura(std::string_view text) {
  pugi::xml_document document;
  if (!document.load_buffer(text.data(), text.size())) return absl::InvalidArgumentError("not XML");
  pugi::xml_node root = document.document_element();
  if (std::string_view(root.name()) != "coverage" || !root.attribute("line-rate")) {
    return absl::InvalidArgumentError("not a Cobertura report");
  }
  Coverage coverage{"cobertura", 100.0 * root.attribute("line-rate").as_double(), std::nullopt};
  if (root.attribute("branches-valid").as_int(0) > 0 && root.attribute("branch-rate")) {
    coverage.branch_percent = 100.0 * root.attribute("branch-rate").as_double();
  }
  return coverage;
}

absl::StatusOr<Coverage> Lcov(std::string_view text) {
  double lines_found = 0, lines_hit = 0, branches_found = 0, branches_hit = 0;
  bool records = false;
  for (const std::string& raw : common::SplitLines(text)) {
    std::string_view line = common::Trim(raw);
    auto number = [&](std::string_view prefix, double& into) {
      if (!common::StartsWith(line, prefix)) return false;
      into += std::strtod(std::string(line.substr(prefix.size())).c_str(), nullptr);
      return true;
    };
    if (common::StartsWith(line, "SF:")) records = true;
    number("LF:", lines_found) || number("LH:", lines_hit) || number("BRF:", branches_found) ||
        number("BRH:", branches_hit);
  }
  if (!records) return absl::InvalidArgumentError("not an lcov tracefile (no SF: record)");
  Coverage coverage{"lcov", Percent(lines_hit, lines_found), std::nullopt};
  if (branches_found > 0) coverage.branch_percent = Percent(branches_hit, branches_found);
  return coverage;
}

absl::StatusOr<Coverage> Json(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return absl::InvalidArgumentError("not a JSON object");
  if (json.contains("totals") && json.contains("meta")) {  // coverage.py
    const nlohmann::json& totals = json["totals"];
    Coverage coverage{"coverage.py", Percent(totals.value("covered_lines", 0.0), totals.value("num_statements", 0.0)), std::nullopt};
    if (totals.value("num_branches", 0.0) > 0) {
      coverage.branch_percent = Percent(totals.value("covered_branches", 0.0), totals.value("num_branches", 0.0));
    }
    return coverage;
  }
  if (json.contains("line_total") && json.contains("line_covered")) {  // gcovr --json-summary
    Coverage coverage{"gcovr", Percent(json.value("line_covered", 0.0), json.value("line_total", 0.0)), std::nullopt};
    if (json.value("branch_total", 0.0) > 0) {
      coverage.branch_percent = Percent(json.value("branch_covered", 0.0), json.value("branch_total", 0.0));
    }
    return coverage;
  }
  if (json.contains("gcovr/format_version") && json["files"].is_array()) {  // gcovr --json
    double lines = 0, covered = 0, branches = 0, taken = 0;
    for (const nlohmann::json& file : json["files"]) {
      if (!file.contains("lines") || !file["lines"].is_array()) continue;
      for (const nlohmann::json& line : file["lines"]) {
        if (line.value("gcovr/noncode", false) || line.value("gcovr/excluded", false)) continue;
        ++lines;
        if (line.value("count", 0) > 0) ++covered;
        if (!line.contains("branches") || !line["branches"].is_array()) continue;
        for (const nlohmann::json& branch : line["branches"]) {
          ++branches;
          if (branch.value("count", 0) > 0) ++taken;
        }
      }
    }
    Coverage coverage{"gcovr", Percent(covered, lines), std::nullopt};
    if (branches > 0) coverage.branch_percent = Percent(taken, branches);
    return coverage;
  }
  return absl::InvalidArgumentError("not a coverage.py or gcovr JSON report");
}

}  // namespace

absl::StatusOr<Coverage> ParseCoverageReport(std::string_view name, std::string_view text) {
  std::string_view start = common::Trim(text.substr(0, std::min<size_t>(text.size(), 256)));
  if (common::StartsWith(start, "<")) return Cobertura(text);
  if (common::StartsWith(start, "{")) return Json(text);
  bool info_name = name.size() > 5 && name.substr(name.size() - 5) == ".info";
  if (info_name || common::StartsWith(start, "TN:") || common::StartsWith(start, "SF:")) return Lcov(text);
  return absl::InvalidArgumentError("not a coverage report");
}

bool LooksLikeCoverageReport(const fs::path& file) {
  std::string name = common::ToLower(file.filename().string());
  std::string extension = file.extension().string();
  if (extension == ".info") return true;
  bool named = name.find("coverage") != std::string::npos || name.find("cobertura") != std::string::npos ||
               name.find("gcovr") != std::string::npos || name.find("lcov") != std::string::npos;
  return named && (extension == ".xml" || extension == ".json" || extension == ".info" || name == "lcov");
}

std::optional<Coverage> FindCoverage(const std::string& workspace, common::WallTime since,
                                     const std::vector<std::string>& scripts, bool private_workspace) {
  std::optional<Coverage> newest;
  fs::file_time_type newest_time;
  auto consider = [&](const fs::path& file) {
    std::error_code error;
    if (!fs::is_regular_file(file, error) || fs::file_size(file, error) > kMaxReportBytes || error) return;
    fs::file_time_type written = fs::last_write_time(file, error);
    if (error || std::chrono::file_clock::to_sys(written) < since) return;
    if (newest && written <= newest_time) return;
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<Coverage> coverage = ParseCoverageReport(file.filename().string(), text.str());
    if (!coverage.ok()) return;
    newest = *coverage;
    newest_time = written;
  };
  std::error_code error;
  fs::path root = fs::absolute(workspace, error).lexically_normal();
  std::vector<std::string> named;
  for (const std::string& script : scripts) {
    for (const std::string& word : PathWords(script)) {
      if (LooksLikeCoverageReport(word)) named.push_back(word);
    }
  }
  if (named.empty() && !private_workspace) return newest;
  // Named reports are matched by the end of their path: a step may cd before it writes.
  WalkWorkspace(root, kMaxWalkDepth, kMaxFilesWalked, [&](const fs::directory_entry& entry) {
    if (!LooksLikeCoverageReport(entry.path())) return;
    if (!named.empty() && !EndsWithAny(entry.path(), named)) return;
    consider(entry.path());
  });
  return newest;
}

}  // namespace wsfleet::worker
