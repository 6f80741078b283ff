#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// Parsers that turn a step's output into results as it streams: test cases from
// GoogleTest, pytest, ctest and cargo test, and `METRIC name=value [unit]` lines.
// Pure text in, values out; one instance per step, fed from one thread.
namespace wsfleet::worker {

enum class TestOutcome { kPassed, kFailed, kSkipped, kError };

struct ParsedTest {
  std::string framework;  // gtest | pytest | ctest | cargo | junit
  std::string suite;
  std::string name;
  TestOutcome outcome = TestOutcome::kPassed;
  double seconds = 0;
};

struct ParsedMetric {
  std::string name;
  double value = 0;
  std::string unit;
};

// A runner's closing count, used when it printed no per-test lines (pytest without -v).
struct ParsedSummary {
  std::string framework;
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

using ParsedItem = std::variant<ParsedTest, ParsedMetric, ParsedSummary>;

// Reads one line of output (without its newline); appends what it recognises.
class LineParser {
 public:
  virtual ~LineParser() = default;
  virtual void Feed(std::string_view line, std::vector<ParsedItem>& out) = 0;
};

std::unique_ptr<LineParser> MakeGTestParser();
std::unique_ptr<LineParser> MakePytestParser();
std::unique_ptr<LineParser> MakeCtestParser();
std::unique_ptr<LineParser> MakeCargoParser();
std::unique_ptr<LineParser> MakeMetricParser();

// All of the above over one stream of bytes: splits it into lines (bounded: a line longer
// than 64 KiB is cut), feeds each to every parser.
class OutputScanner {
 public:
  OutputScanner();
  void Feed(std::string_view bytes, std::vector<ParsedItem>& out);
  void Finish(std::vector<ParsedItem>& out);  // the last line, if it had no newline

 private:
  void Line(std::string_view line, std::vector<ParsedItem>& out);
  std::vector<std::unique_ptr<LineParser>> parsers_;
  std::string partial_;
};

// `METRIC name=value [unit]`: the one place the format is defined.
bool ParseMetricLine(std::string_view line, ParsedMetric& metric);

}  // namespace wsfleet::worker
