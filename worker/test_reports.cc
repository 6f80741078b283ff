#include "worker/test_reports.h"

#include <fstream>
#include <sstream>

#include "common/text.h"
#include "worker/junit_parser.h"
#include "worker/workspace_walk.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxReportBytes = 16 << 20;
constexpr int kMaxFilesWalked = 20000;
constexpr int kMaxWalkDepth = 6;
// File times come from the kernel's coarse clock, a tick behind the one the step's start
// was read from: a report written at once may look a few milliseconds older.
constexpr auto kClockSlack = std::chrono::milliseconds(50);

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  // Built anew rather than replaced in place (GCC 12 misreads in-place replace: -Wrestrict).
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (size_t found = text.find(from); found != std::string::npos; found = text.find(from, at)) {
    out.append(text, at, found - at);
    out.append(to);
    at = found + from.size();
  }
  out.append(text, at, std::string::npos);
  text = std::move(out);
}

// Whether `path` is `root` or below it, once both are made absolute and normal.
bool Inside(const fs::path& root, const fs::path& path) {
  fs::path base = root.lexically_normal(), full = path.lexically_normal();
  auto mismatch = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  return mismatch.first == base.end() || (mismatch.first->empty() && std::next(mismatch.first) == base.end());
}

}  // namespace

std::string TestIdentity(std::string_view suite, std::string_view name) {
  std::string id = std::string(suite) + (suite.empty() ? "" : ".") + std::string(name);
  ReplaceAll(id, "::", ".");
  ReplaceAll(id, ".py.", ".");
  for (char& c : id) {
    if (c == '/' || c == '\\') c = '.';
  }
  return id;
}

std::string TestKindOf(std::string_view heading, std::string_view script) {
  std::string text = common::ToLower(heading);
  text.push_back('\n');
  text.append(common::ToLower(script));
  if (text.find("integration") != std::string::npos) return "integration";
  for (size_t at = text.find("unit"); at != std::string::npos; at = text.find("unit", at + 1)) {
    bool starts = at == 0 || !common::IsAsciiAlpha(text[at - 1]);
    bool ends = at + 4 >= text.size() || !common::IsAsciiAlpha(text[at + 4]) || text.compare(at + 4, 1, "s") == 0;
    if (starts && ends) return "unit";
  }
  return "";
}

bool TestLedger::Admit(const ParsedTest& test) {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.insert(TestIdentity(test.suite, test.name)).second;
}

size_t TestLedger::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.size();
}

std::vector<std::string> NamedReportPaths(std::string_view script) {
  std::vector<std::string> paths;
  for (std::string word : PathWords(script)) {
    bool directory_form = false;
    if (word.rfind("xml:", 0) == 0) {
      word = word.substr(4);
      directory_form = !word.empty() && word.back() == '/';
    }
    bool file = word.size() > 4 && word.compare(word.size() - 4, 4, ".xml") == 0;
    if (file || directory_form) paths.push_back(word);
  }
  return paths;
}

std::vector<ParsedTest> JUnitReports::Collect(const std::string& workspace, std::string_view script,
                                              common::WallTime step_began, bool private_workspace) {
  std::vector<ParsedTest> tests;
  std::error_code error;
  fs::path root = fs::absolute(workspace, error).lexically_normal();
  std::vector<std::string> named = NamedReportPaths(script);
  if (named.empty()) {
    if (private_workspace) Walk(root, step_began, tests);
    return tests;
  }
  std::vector<std::string> files;
  for (const std::string& path : named) {
    fs::path full = (fs::path(path).is_absolute() ? fs::path(path) : root / path).lexically_normal();
    if (!Inside(root, full)) continue;  // not this attempt's to read
    if (path.back() == '/') {
      Walk(full, step_began, tests);
    } else if (fs::exists(full, error)) {
      Read(full, step_began, tests);
    } else {
      files.push_back(path);  // written after a cd: found by the end of its path
    }
  }
  if (!files.empty()) {
    WalkWorkspace(root, kMaxWalkDepth, kMaxFilesWalked, [&](const fs::directory_entry& entry) {
      if (EndsWithAny(entry.path(), files)) Read(entry.path(), step_began, tests);
    });
  }
  return tests;
}

void JUnitReports::Walk(const fs::path& directory, common::WallTime step_began, std::vector<ParsedTest>& tests) {
  WalkWorkspace(directory, kMaxWalkDepth, kMaxFilesWalked, [&](const fs::directory_entry& entry) {
    if (entry.path().extension() == ".xml") Read(entry.path(), step_began, tests);
  });
}

void JUnitReports::Read(const fs::path& file, common::WallTime step_began, std::vector<ParsedTest>& tests) {
  std::error_code error;
  if (!fs::is_regular_file(file, error) || fs::file_size(file, error) > kMaxReportBytes || error) return;
  fs::file_time_type written = fs::last_write_time(file, error);
  if (error || std::chrono::file_clock::to_sys(written) < step_began - kClockSlack) return;
  if (!read_.emplace(file.lexically_normal().string(), written).second) return;  // this version counted
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<ParsedTest>> parsed = ParseJUnitXml(text.str());
  if (!parsed.ok()) return;  // not every XML file is a test report
  for (ParsedTest& test : *parsed) tests.push_back(std::move(test));
}

}  // namespace wsfleet::worker
