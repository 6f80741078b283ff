// Every error kind in tests/data/malformed/<case>/ must be reported, all of them in one run,
// exactly as listed in the case's expected.txt (paths relative to the case folder).
// Inputs built to stress the parser (huge lines, deep nesting, junk) must neither crash
// nor hang.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/plan_loader.h"

namespace wsfleet::common {
namespace {
namespace fs = std::filesystem;

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class MalformedCorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedCorpusTest, ReportsExactlyTheExpectedDiagnostics) {
  fs::path folder = fs::path(WSFLEET_TEST_DATA_DIR) / "malformed" / GetParam();
  Plan plan = LoadPlan({folder.string()});
  std::vector<std::string> actual;
  std::string prefix = folder.string() + "/";
  for (const Diagnostic& diagnostic : plan.diagnostics.Sorted()) {
    std::string line = diagnostic.ToString();
    for (size_t at; (at = line.find(prefix)) != std::string::npos;) line.erase(at, prefix.size());
    actual.push_back(line);
  }
  EXPECT_EQ(actual, ReadLines(folder / "expected.txt"));
  EXPECT_FALSE(plan.ok());
}

std::vector<std::string> Cases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(fs::path(WSFLEET_TEST_DATA_DIR) / "malformed")) {
    if (entry.is_directory()) cases.push_back(entry.path().filename().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedCorpusTest, ::testing::ValuesIn(Cases()),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

Plan ParseOne(std::string text) { return AssemblePlan({{"stress.md", std::move(text)}}); }

// A 10 MB line (prose, or a dependency list) is refused at its line before the parser
// runs (common/text_limits.h), at once.
TEST(StressInputTest, TenMegabyteLine) {
  std::string text = "# WS-01: Long\n\n**Duration**: 1 day\n**Dependencies**: None\n\n";
  text += std::string(10 << 20, 'a');
  text += "\n";
  Plan plan = ParseOne(std::move(text));
  ASSERT_EQ(plan.diagnostics.error_count(), 1);
  EXPECT_NE(plan.diagnostics.all()[0].ToString().find(":6: error: a line of 10485760 bytes"), std::string::npos)
      << plan.diagnostics.all()[0].ToString();
}

TEST(StressInputTest, TenMegabyteDependencyLine) {
  std::string text = "# WS-01: Long\n\n**Duration**: 1 day\n**Dependencies**: ";
  for (int i = 0; i < 500000; ++i) text += "WS-1 (x), ";
  Plan plan = ParseOne(text + "\n");
  EXPECT_FALSE(plan.ok());
  EXPECT_TRUE(plan.workstreams.empty());
}

// As many dependencies as fit in a line: each is found (and each is unknown here).
TEST(StressInputTest, TenThousandDistinctDependencies) {
  std::string text = "# WS-999999: Fan-in\n\n**Duration**: 1 day\n**Dependencies**: ";
  for (int i = 1; i <= 10000; ++i) text += "WS-" + std::to_string(i) + (i % 2 ? " (see WS-7), " : ", ");
  Plan plan = ParseOne(text + "\n");
  ASSERT_EQ(plan.workstreams.size(), 1u);
  EXPECT_EQ(plan.workstreams[0].dependencies.size(), 10000u);
  EXPECT_EQ(plan.diagnostics.error_count(), 10000);  // each one unknown
}

TEST(StressInputTest, DeepBlockQuotesListsAndBrackets) {
  constexpr int kDepth = 50000;
  std::string quotes = "# WS-01: Quotes\n\n" + std::string(kDepth, '>') + " deep\n";
  EXPECT_EQ(ParseOne(quotes).workstreams.size(), 1u);

  std::string lists = "# WS-02: Lists\n\n## Acceptance Criteria\n\n";
  for (int i = 0; i < 5000; ++i) lists += std::string(static_cast<size_t>(i) * 2, ' ') + "- item\n";
  Plan list_plan = ParseOne(lists);
  ASSERT_EQ(list_plan.workstreams.size(), 1u);

  std::string brackets = "# WS-03: Brackets\n\n" + std::string(kDepth, '[') +
                         std::string(kDepth, '*') + std::string(kDepth, '`') + "\n";
  EXPECT_EQ(ParseOne(brackets).workstreams.size(), 1u);
}

TEST(StressInputTest, RandomBytesNeverCrash) {
  std::mt19937 random(12345);  // fixed seed: the same junk every run
  for (int round = 0; round < 200; ++round) {
    std::string junk(static_cast<size_t>(random() % 4096), '\0');
    for (char& c : junk) c = static_cast<char>(random() % 256);
    ParseOne(junk);
    // Junk made of card-like pieces reaches deeper into the parser than bytes do.
    static const char* kPieces[] = {"# WS-", "**ID**: ", "WS-1", " through ", "(", ")", "\n",
                                    "### Blocked By\n- ", "```bash\n", "**Dependencies**: ",
                                    "`x >= 1`", "## Acceptance Criteria\n", "- [ ] ", "..",
                                    "**Duration**: ", "3-4 days", "✅", "\xE2\x80\x93"};
    std::string pieces;
    for (int k = 0; k < 200; ++k) pieces += kPieces[random() % std::size(kPieces)];
    ParseOne(pieces);
  }
  SUCCEED();
}

}  // namespace
}  // namespace wsfleet::common
