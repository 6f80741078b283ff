#include "common/plan_loader.h"
#include "common/text_limits.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wsfleet::common {
namespace {
namespace fs = std::filesystem;

std::string Lines(const Diagnostics& diagnostics) {
  std::string lines;
  for (const Diagnostic& diagnostic : diagnostics.Sorted()) lines += diagnostic.ToString() + "\n";
  return lines;
}

class PlanLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("wsfleet-loader-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& relative, const std::string& text) {
    fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path root_;
};

TEST_F(PlanLoaderTest, WalksFoldersRecursivelyAndClassifiesFiles) {
  Write("ws01-a/README.md", "# WS-01: A\n**Duration**: 1 day\n");
  Write("ws02-b/README.md", "# WS-02: B\n**Duration**: 1 day\n**Dependencies**: WS-01\n");
  Write("ws02-b/COMPLETION_SUMMARY.md", "# WS-02: B - Completion Summary\n");
  Write("notes.md", "# Notes\n\nNothing here.\n");
  Write("template.md", "# WS-XX: [Workstream Name]\n**ID**: WS-XX\n");
  Write(".hidden/WS-09.md", "# WS-09: Hidden\n");
  Write("ws03.txt", "# WS-03: not markdown by name\n");
  Plan plan = LoadPlan({root_.string()});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan.workstreams.size(), 2u);
  EXPECT_EQ(plan.ignored.size(), 3u);
  EXPECT_EQ(plan.sources.size(), 2u);
}

TEST_F(PlanLoaderTest, ThePlanKeepsTheCardsTextAsReadSoAnEditAfterwardsIsNotSubmitted) {
  Write("ws01.md", "# WS-01: A\n**Duration**: 1 day\n");
  Write("notes.md", "# Notes\n");
  Plan plan = LoadPlan({root_.string()});
  ASSERT_TRUE(plan.ok());
  Write("ws01.md", "# WS-01: A\n**Dependencies**: WS-404\n");  // broken after the check
  ASSERT_EQ(plan.sources.size(), 1u) << "card files only";
  EXPECT_EQ(plan.sources[0].path, (root_ / "ws01.md").string());
  EXPECT_EQ(plan.sources[0].text, "# WS-01: A\n**Duration**: 1 day\n");
  Plan again = AssemblePlan(plan.sources);
  EXPECT_TRUE(again.ok()) << "what is submitted is what was checked";
  EXPECT_EQ(again.sources.size(), 1u);
}

// Reading to the end took one more read than the file's size: the text must not have grown
// for it (a 4 KiB step per card held 430 MB more in a 100,000-card client).
TEST_F(PlanLoaderTest, AKeptTextHoldsWhatTheFileHoldsAndLittleMore) {
  std::string text = "# WS-01: A\n**Duration**: 1 day\n" + std::string(200, 'x') + "\n";
  Write("ws01.md", text);
  Plan plan = LoadPlan({root_.string()});
  ASSERT_EQ(plan.sources.size(), 1u);
  EXPECT_EQ(plan.sources[0].text, text);
  EXPECT_LT(plan.sources[0].text.capacity(), text.size() + 64);
}

TEST_F(PlanLoaderTest, ACommandThatOnlyReadsThePlanKeepsNoText) {
  Write("ws01.md", "# WS-01: A\n**Duration**: 1 day\n");
  LoadOptions options;
  options.keep_sources = false;
  Plan plan = LoadPlan({root_.string()}, options);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.workstreams.size(), 1u);
  EXPECT_TRUE(plan.sources.empty());
}

TEST_F(PlanLoaderTest, AFileIsReadWhateverItsName) {
  Write("plan.txt", "# WS-03: C\n**Duration**: 1 day\n");
  Plan plan = LoadPlan({(root_ / "plan.txt").string()});
  ASSERT_EQ(plan.workstreams.size(), 1u);
}

TEST_F(PlanLoaderTest, SameFileTwiceCountsOnce) {
  Write("a.md", "# WS-03: C\n**Duration**: 1 day\n");
  Plan plan = LoadPlan({root_.string(), (root_ / "a.md").string()});
  EXPECT_TRUE(plan.ok());
  EXPECT_EQ(plan.workstreams.size(), 1u);
}

// Found trying the seed plans: WS-02's card names WS-04 in a heading of its notes to the
// workstreams after it. That heading is not a card (it carries no card fields of its own),
// so WS-04's own card is no duplicate, and its unknown dependency is reported.
TEST_F(PlanLoaderTest, AHeadingNamingAnotherWorkstreamInsideACardIsNotACard) {
  Write("WS-02.md", R"(# WS-02: Model Setup

**Dependencies**: None
**Duration**: 1 day

## Next Steps for Dependent Workstreams

### WS-04 (ComfyUI Setup)

- Use the model from here; **Dependencies**: WS-02 in its card.

### WS-05 (Render)

Needs WS-99 done.
)");
  Write("WS-04.md", "# WS-04: ComfyUI Setup\n\n**ID**: WS-04\n**Dependencies**: WS-02, WS-77\n");
  Plan plan = LoadPlan({root_.string()});
  ASSERT_EQ(plan.workstreams.size(), 2u) << Lines(plan.diagnostics);
  EXPECT_EQ(plan.diagnostics.error_count(), 1) << Lines(plan.diagnostics);
  EXPECT_NE(Lines(plan.diagnostics).find("WS-04 depends on unknown workstream WS-77"), std::string::npos)
      << Lines(plan.diagnostics);
}

// A real duplicate is reported, and the card left out for it still has its dependencies
// checked: an error there is not hidden behind the duplicate.
TEST_F(PlanLoaderTest, ADuplicateCardsUnknownDependencyIsStillReported) {
  Write("a.md", "# WS-01: A\n**Duration**: 1 day\n");
  Write("b.md", "# WS-01: A again\n**Dependencies**: WS-66\n");
  Plan plan = LoadPlan({root_.string()});
  std::string all = Lines(plan.diagnostics);
  EXPECT_NE(all.find("duplicate ID WS-01"), std::string::npos) << all;
  EXPECT_NE(all.find("WS-01 depends on unknown workstream WS-66"), std::string::npos) << all;
}

TEST_F(PlanLoaderTest, MissingPathIsAnError) {
  Plan plan = LoadPlan({(root_ / "nope").string()});
  ASSERT_EQ(plan.diagnostics.error_count(), 1);
  EXPECT_EQ(plan.diagnostics.all()[0].message, "no such file or directory");
}

TEST_F(PlanLoaderTest, UnreadableEntriesAreErrorsNotHangs) {
  Write("a.md", "# WS-01: A\n**Duration**: 1 day\n");
  fs::create_symlink(root_ / "gone.md", root_ / "dangling.md");
  ASSERT_EQ(::mkfifo((root_ / "pipe.md").c_str(), 0600), 0);
  Plan plan = LoadPlan({root_.string()});
  EXPECT_EQ(plan.diagnostics.error_count(), 2);
  Plan direct = LoadPlan({(root_ / "pipe.md").string()});
  ASSERT_EQ(direct.diagnostics.error_count(), 1);
  EXPECT_EQ(direct.diagnostics.all()[0].message, "not a regular file or directory");
}

TEST_F(PlanLoaderTest, TooLargeFileIsRefused) {
  Write("big.md", std::string(2048, 'x'));
  LoadOptions options;
  options.max_file_bytes = 1024;
  Plan plan = LoadPlan({root_.string()}, options);
  EXPECT_EQ(plan.diagnostics.error_count(), 1);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(SeedTemplateTest, TheTemplateItselfIsSkipped) {
  Plan plan = LoadPlan({WSFLEET_TEST_DATA_DIR "/template"});
  EXPECT_TRUE(plan.ok());
  EXPECT_TRUE(plan.workstreams.empty());
  ASSERT_EQ(plan.ignored.size(), 1u);
  EXPECT_EQ(plan.ignored[0].kind, DocumentKind::kTemplate);
}

// The seed template filled in the way a person would: every section must land where it
// belongs, and the example card and completion summary inside code blocks must not count.
TEST(SeedTemplateTest, AFilledInTemplateParsesCompletely) {
  std::string text = ReadAll(WSFLEET_TEST_DATA_DIR "/template/workstream-template.md");
  text = ReplaceAll(text, "**Dependencies**: WS-XX, WS-YY (or \"None\")",
                    "**Dependencies**: WS-01 (Hardware Baselines)");
  text = ReplaceAll(text, "**Status**: Not Started / In Progress / Completed",
                    "**Status**: In Progress");
  text = ReplaceAll(text, "- **WS-XX**: Why blocked", "- **WS-01**: Why blocked");
  text = ReplaceAll(text, "X-X days", "3-4 days");
  text = ReplaceAll(text, "[Workstream Name]", "Renderer");
  text = ReplaceAll(text, "WS-XX", "WS-05");
  text = ReplaceAll(text, "WS-YY", "WS-02");
  text = ReplaceAll(text, "WS-ZZ", "WS-03");
  Plan plan = AssemblePlan({{"ws05.md", text},
                            {"others.md", "## WS-01: A\n**Duration**: 1 day\n## WS-02: B\n"
                                          "**Duration**: 1 day\n## WS-03: C\n**Duration**: 1 day\n"}});
  for (const Diagnostic& d : plan.diagnostics.all()) {
    if (d.severity == Severity::kError) ADD_FAILURE() << d.ToString();
  }
  std::optional<int> index = plan.IndexOf(*WorkstreamId::Parse("WS-05"));
  ASSERT_TRUE(index.has_value());
  const Workstream& ws = plan.workstreams[*index];
  EXPECT_EQ(ws.name, "Renderer");
  EXPECT_EQ(ws.status, WorkstreamStatus::kInProgress);
  EXPECT_EQ(ws.priority, 0);
  EXPECT_DOUBLE_EQ(ws.duration.estimate.max, 4);
  EXPECT_EQ(ws.agent_type, "agent-type");
  EXPECT_EQ(ws.notes().milestone, "MX");
  // The field's WS-01 (named again under Blocked By) and Blocked By's WS-02.
  ASSERT_EQ(ws.dependencies.size(), 2u);
  EXPECT_EQ(ws.dependencies[0].id.ToString(), "WS-01");
  EXPECT_EQ(ws.dependencies[1].id.ToString(), "WS-02");
  EXPECT_EQ(ws.blocks.size(), 2u);
  EXPECT_EQ(ws.soft_dependencies.size(), 1u);
  EXPECT_EQ(ws.deliverables.size(), 5u);
  ASSERT_EQ(ws.criteria.size(), 8u);
  EXPECT_EQ(ws.criteria[0].group, "Functional");
  EXPECT_EQ(ws.criteria[3].group, "Performance");
  EXPECT_EQ(ws.criteria[5].group, "Quality");
  // Test Commands (one bash block) and Verification Steps (one bash block); the TOML,
  // the plain dependency list and the orchestrator's acceptance script are not steps.
  ASSERT_EQ(ws.steps.size(), 2u);
  EXPECT_EQ(ws.steps[0].phase, Step::Phase::kTest);
  EXPECT_EQ(ws.steps[1].phase, Step::Phase::kVerify);
}

TEST(PlanLoaderExampleTest, HelloFleetIsValidWithoutWarnings) {
  Plan plan = LoadPlan({WSFLEET_EXAMPLES_DIR "/hello-fleet"});
  for (const Diagnostic& diagnostic : plan.diagnostics.all()) {
    ADD_FAILURE() << diagnostic.ToString();
  }
  EXPECT_GE(plan.workstreams.size(), 8u);
  EXPECT_LE(plan.workstreams.size(), 12u);
}

}  // namespace
}  // namespace wsfleet::common

namespace wsfleet::common {
namespace {

// cmark-gfm's table extension is quadratic in a row's cells: one card with five rows of
// 65,000 `|` took 43 s to parse (and stalled the coordinator that parsed it). Past the
// limits a card is an error at the line, before the parser sees it.
TEST(PlanLoaderLimitsTest, ATableRowWithTooManyCellsIsAnErrorAtItsLine) {
  std::string card = "# WS-01: Wide\n\n**Duration**: 1 day\n\n## Test Commands\n\n```bash\ntrue\n```\n\n" +
                     std::string(65000, '|') + "\n";
  Plan plan = AssemblePlan({{"wide.md", card}});
  ASSERT_EQ(plan.diagnostics.error_count(), 1);
  EXPECT_EQ(plan.diagnostics.all()[0].ToString(),
            "wide.md:11: error: a line with 65000 '|' (table cells); at most 1000 in a row");
  EXPECT_TRUE(plan.workstreams.empty());
}

TEST(PlanLoaderLimitsTest, ALineTooLongIsAnErrorAtItsLine) {
  std::string card = "# WS-01: Long\n\n" + std::string(300000, 'x') + "\n";
  Plan plan = AssemblePlan({{"long.md", card}});
  ASSERT_EQ(plan.diagnostics.error_count(), 1);
  EXPECT_EQ(plan.diagnostics.all()[0].ToString(),
            "long.md:3: error: a line of 300000 bytes; a card's lines are at most 262144");
}

TEST(PlanLoaderLimitsTest, ARealTableAndAShellPipelineAreWithinTheLimits) {
  EXPECT_FALSE(CheckTextLimits("| a | b |\n|---|---|\n| 1 | 2 |\ncat x | grep y | wc -l\n"));
  EXPECT_FALSE(CheckTextLimits(std::string(1000, '|')));
  EXPECT_TRUE(CheckTextLimits(std::string(1001, '|')));
}

}  // namespace
}  // namespace wsfleet::common
