#include "worker/output_parsers.h"

#include <charconv>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "common/text.h"

namespace wsfleet::worker {
namespace {

using common::StartsWith;
using common::Trim;

constexpr size_t kMaxLine = 64 << 10;

// The number just before `word` in `line` ("3" in "3 passed"); 0 when there is none.
int CountBefore(std::string_view line, std::string_view word) {
  size_t at = line.find(word);
  if (at == std::string_view::npos) return 0;
  size_t begin = at;
  while (begin > 0 && common::IsAsciiDigit(line[begin - 1])) --begin;
  int count = 0;
  std::from_chars(line.data() + begin, line.data() + at, count);
  return count;
}

// Strips ANSI colour sequences (ESC [ ... letter) that runners print on terminals.
std::string StripAnsi(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && !common::IsAsciiAlpha(line[i])) ++i;
      continue;
    }
    if (line[i] != '\r') out.push_back(line[i]);
  }
  return out;
}

bool ParseDouble(std::string_view text, double& value) {
  text = Trim(text);
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(value);
}

std::pair<std::string, std::string> SplitLast(std::string_view full, char separator) {
  size_t at = full.rfind(separator);
  if (at == std::string_view::npos) return {"", std::string(full)};
  return {std::string(full.substr(0, at)), std::string(full.substr(at + 1))};
}

// [       OK ] Suite.Name (12 ms) / [  FAILED  ] ... / [  SKIPPED ] ...
class GTestParser : public LineParser {
 public:
  void Feed(std::string_view line, std::vector<ParsedItem>& out) override {
    static const std::pair<std::string_view, TestOutcome> kTags[] = {
        {"[       OK ] ", TestOutcome::kPassed},
        {"[  FAILED  ] ", TestOutcome::kFailed},
        {"[  SKIPPED ] ", TestOutcome::kSkipped}};
    for (auto [tag, outcome] : kTags) {
      if (!StartsWith(line, tag)) continue;
      std::string_view rest = line.substr(tag.size());
      // Only result lines end with a time; the closing list repeats names without one.
      if (rest.empty() || rest.back() != ')' || rest.find(" ms)") == std::string_view::npos) {
        return;
      }
      size_t open = rest.rfind(" (");
      std::string_view name = rest.substr(0, open);
      double ms = 0;
      ParseDouble(rest.substr(open + 2, rest.size() - open - 2 - 4), ms);
      if (size_t where = name.find(", where "); where != std::string_view::npos) {
        name = name.substr(0, where);
      }
      auto [suite, test] = SplitLast(name, '.');
      out.push_back(ParsedTest{"gtest", suite, test, outcome, ms / 1000});
      return;
    }
  }
};

// tests/test_a.py::test_x PASSED [ 50%]; without -v only "=== 3 passed, 1 failed in 0.1s ===".
class PytestParser : public LineParser {
 public:
  void Feed(std::string_view line, std::vector<ParsedItem>& out) override {
    static const std::pair<std::string_view, TestOutcome> kWords[] = {
        {" PASSED", TestOutcome::kPassed},  {" FAILED", TestOutcome::kFailed},
        {" SKIPPED", TestOutcome::kSkipped}, {" ERROR", TestOutcome::kError},
        {" XFAIL", TestOutcome::kSkipped},  {" XPASS", TestOutcome::kPassed}};
    size_t node_end = line.find("::");
    if (node_end != std::string_view::npos && line.find(' ') > node_end) {
      for (auto [word, outcome] : kWords) {
        size_t at = line.find(word);
        if (at == std::string_view::npos || at < node_end) continue;
        size_t after = at + word.size();
        if (after < line.size() && line[after] != ' ') continue;
        std::string_view id = line.substr(0, at);
        auto [file, test] = std::pair{std::string(id.substr(0, id.find("::"))),
                                      std::string(id.substr(id.find("::") + 2))};
        out.push_back(ParsedTest{"pytest", file, test, outcome, 0});
        saw_tests_ = true;
        return;
      }
    }
    if (!saw_tests_ && StartsWith(line, "=") && line.find(" in ") != std::string_view::npos &&
        (line.find(" passed") != std::string_view::npos ||
         line.find(" failed") != std::string_view::npos)) {
      ParsedSummary summary{"pytest"};
      summary.passed = CountBefore(line, " passed");
      summary.failed = CountBefore(line, " failed") + CountBefore(line, " error");
      summary.skipped = CountBefore(line, " skipped");
      out.push_back(summary);
    }
  }

 private:
  bool saw_tests_ = false;
};

// " 1/3 Test #1: name ........   Passed    0.01 sec" and "***Failed", "***Skipped", ...
class CtestParser : public LineParser {
 public:
  void Feed(std::string_view line, std::vector<ParsedItem>& out) override {
    size_t test = line.find(" Test ");
    if (test == std::string_view::npos) return;
    size_t hash = line.find_first_not_of(' ', test + 6);
    if (hash == std::string_view::npos || line[hash] != '#') return;
    std::string_view head = Trim(line.substr(0, test));
    if (head.empty() || head.find('/') == std::string_view::npos) return;
    size_t colon = line.find(": ", test);
    if (colon == std::string_view::npos) return;
    std::string_view rest = line.substr(colon + 2);
    size_t dots = rest.find(" ..");
    if (dots == std::string_view::npos) return;
    std::string name(Trim(rest.substr(0, dots)));
    std::string_view verdict = Trim(rest.substr(rest.find_first_not_of(". ", dots)));
    TestOutcome outcome;
    if (StartsWith(verdict, "Passed")) {
      outcome = TestOutcome::kPassed;
    } else if (StartsWith(verdict, "***Skipped") || StartsWith(verdict, "***Not Run") ||
               StartsWith(verdict, "Skipped")) {
      outcome = TestOutcome::kSkipped;
    } else if (StartsWith(verdict, "***")) {
      outcome = TestOutcome::kFailed;
    } else {
      return;
    }
    double seconds = 0;
    size_t sec = verdict.rfind(" sec");
    if (sec != std::string_view::npos) {
      size_t begin = verdict.rfind(' ', sec - 1);
      if (begin != std::string_view::npos) {
        ParseDouble(verdict.substr(begin + 1, sec - begin - 1), seconds);
      }
    }
    out.push_back(ParsedTest{"ctest", "", name, outcome, seconds});
  }
};

// "test tests::it_works ... ok" / "... FAILED" / "... ignored"
// libtest: "test a::b ... ok|FAILED|ignored" per test (not with -q), "failures:" then the
// failed tests' names, and "test result: FAILED. 2 passed; 1 failed; 1 ignored; ..." per
// test binary. The result line is authoritative: what the per-test lines did not already
// count is counted from it, with the failures list's names.
class CargoParser : public LineParser {
 public:
  void Feed(std::string_view line, std::vector<ParsedItem>& out) override {
    if (StartsWith(line, "test result: ")) {
      Result(line, out);
      return;
    }
    if (StartsWith(Trim(line), "{") && line.find("\"type\"") != std::string_view::npos) {
      Json(line, out);
      return;
    }
    if (StartsWith(line, "failures:")) {
      ++failures_headers_;  // the second lists the names
      return;
    }
    if (failures_headers_ >= 2 && StartsWith(line, "    ") && Trim(line).find(' ') == std::string_view::npos &&
        !Trim(line).empty()) {
      failed_names_.emplace_back(Trim(line));
      return;
    }
    if (!StartsWith(line, "test ")) return;
    size_t dots = line.rfind(" ... ");
    if (dots == std::string_view::npos) return;
    std::string_view verdict = Trim(line.substr(dots + 5));
    TestOutcome outcome;
    if (verdict == "ok") {
      outcome = TestOutcome::kPassed;
      ++passed_;
    } else if (verdict == "FAILED") {
      outcome = TestOutcome::kFailed;
    } else if (StartsWith(verdict, "ignored")) {
      outcome = TestOutcome::kSkipped;
      ++ignored_;
    } else {
      return;
    }
    std::string full(line.substr(5, dots - 5));
    if (outcome == TestOutcome::kFailed) failed_seen_.insert(full);
    out.push_back(Test(full, outcome));
  }

 private:
  static ParsedTest Test(std::string_view full, TestOutcome outcome) {
    auto [suite, name] = SplitLast(full, ':');
    if (!suite.empty() && suite.back() == ':') suite.pop_back();
    return ParsedTest{"cargo", suite, name, outcome, 0};
  }

  void Result(std::string_view line, std::vector<ParsedItem>& out) {
    int passed = CountBefore(line, " passed;");
    int failed = CountBefore(line, " failed;");
    int ignored = CountBefore(line, " ignored;");
    int failed_counted = static_cast<int>(failed_seen_.size());
    for (const std::string& name : failed_names_) {
      if (failed_counted >= failed || failed_seen_.count(name)) continue;
      out.push_back(Test(name, TestOutcome::kFailed));
      ++failed_counted;
    }
    ParsedSummary rest{"cargo", std::max(0, passed - passed_), std::max(0, failed - failed_counted),
                       std::max(0, ignored - ignored_)};
    if (rest.passed + rest.failed + rest.skipped > 0) out.push_back(rest);
    *this = CargoParser();  // the next test binary starts over
  }

  // libtest --format json: {"type": "test", "name": ..., "event": "ok|failed|ignored"} per
  // test, {"type": "suite", "event": "ok|failed", "passed": n, ...} to close.
  void Json(std::string_view line, std::vector<ParsedItem>& out) {
    nlohmann::json event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) return;
    std::string type = event.value("type", "");
    std::string what = event.value("event", "");
    if (type == "test") {
      std::string name = event.value("name", "");
      if (name.empty() || what == "started") return;
      TestOutcome outcome;
      if (what == "ok") {
        outcome = TestOutcome::kPassed;
        ++passed_;
      } else if (what == "failed" || what == "timeout") {
        outcome = TestOutcome::kFailed;
        failed_seen_.insert(name);
      } else if (what == "ignored") {
        outcome = TestOutcome::kSkipped;
        ++ignored_;
      } else {
        return;
      }
      out.push_back(Test(name, outcome));
    } else if (type == "suite" && (what == "ok" || what == "failed")) {
      int failed_counted = static_cast<int>(failed_seen_.size());
      ParsedSummary rest{"cargo", std::max(0, event.value("passed", 0) - passed_),
                         std::max(0, event.value("failed", 0) - failed_counted),
                         std::max(0, event.value("ignored", 0) - ignored_)};
      if (rest.passed + rest.failed + rest.skipped > 0) out.push_back(rest);
      *this = CargoParser();
    }
  }

  int passed_ = 0;
  int ignored_ = 0;
  std::set<std::string> failed_seen_;
  std::vector<std::string> failed_names_;
  int failures_headers_ = 0;
};

class MetricParser : public LineParser {
 public:
  void Feed(std::string_view line, std::vector<ParsedItem>& out) override {
    ParsedMetric metric;
    if (ParseMetricLine(line, metric)) out.push_back(std::move(metric));
  }
};

}  // namespace

bool ParseMetricLine(std::string_view line, ParsedMetric& metric) {
  line = Trim(line);
  if (!StartsWith(line, "METRIC ")) return false;
  std::string_view rest = Trim(line.substr(7));
  size_t eq = rest.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  std::string_view name = rest.substr(0, eq);
  for (char c : name) {
    if (!(common::IsAsciiAlnum(c) || c == '_' || c == '.' || c == ':' || c == '/')) return false;
  }
  if (!(common::IsAsciiAlpha(name[0]) || name[0] == '_')) return false;
  std::string_view value_and_unit = rest.substr(eq + 1);
  size_t space = value_and_unit.find(' ');
  std::string_view value_text = value_and_unit.substr(0, space);
  double value = 0;
  if (!ParseDouble(value_text, value)) return false;
  std::string_view unit =
      space == std::string_view::npos ? std::string_view() : Trim(value_and_unit.substr(space));
  if (unit.find(' ') != std::string_view::npos) return false;
  metric = ParsedMetric{std::string(name), value, std::string(unit)};
  return true;
}

std::unique_ptr<LineParser> MakeGTestParser() { return std::make_unique<GTestParser>(); }
std::unique_ptr<LineParser> MakePytestParser() { return std::make_unique<PytestParser>(); }
std::unique_ptr<LineParser> MakeCtestParser() { return std::make_unique<CtestParser>(); }
std::unique_ptr<LineParser> MakeCargoParser() { return std::make_unique<CargoParser>(); }
std::unique_ptr<LineParser> MakeMetricParser() { return std::make_unique<MetricParser>(); }

OutputScanner::OutputScanner() {
  parsers_.push_back(MakeGTestParser());
  parsers_.push_back(MakePytestParser());
  parsers_.push_back(MakeCtestParser());
  parsers_.push_back(MakeCargoParser());
  parsers_.push_back(MakeMetricParser());
}

void OutputScanner::Feed(std::string_view bytes, std::vector<ParsedItem>& out) {
  while (!bytes.empty()) {
    size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      size_t room = kMaxLine > partial_.size() ? kMaxLine - partial_.size() : 0;
      partial_.append(bytes.substr(0, room));
      return;
    }
    if (partial_.empty()) {
      Line(bytes.substr(0, newline), out);
    } else {
      size_t room = kMaxLine > partial_.size() ? kMaxLine - partial_.size() : 0;
      partial_.append(bytes.substr(0, std::min(newline, room)));
      Line(partial_, out);
      partial_.clear();
    }
    bytes.remove_prefix(newline + 1);
  }
}

void OutputScanner::Finish(std::vector<ParsedItem>& out) {
  if (!partial_.empty()) Line(partial_, out);
  partial_.clear();
}

void OutputScanner::Line(std::string_view line, std::vector<ParsedItem>& out) {
  if (line.size() > kMaxLine) line = line.substr(0, kMaxLine);
  std::string clean = StripAnsi(line);
  for (auto& parser : parsers_) parser->Feed(clean, out);
}

}  // namespace wsfleet::worker
