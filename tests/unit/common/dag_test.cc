#include "common/dag.h"

#include <gtest/gtest.h>

#include "common/plan_loader.h"

namespace wsfleet::common {
namespace {

// A card in the seed's header format, small enough to write inline.
SourceFile Card(int id, const std::string& dependencies, const std::string& duration = "1 day",
                const std::string& status = "Not Started") {
  std::string name = "ws" + std::to_string(id) + ".md";
  return {name, "# WS-" + std::to_string(id) + ": Card " + std::to_string(id) +
                    "\n\n**Duration**: " + duration + "\n**Status**: " + status +
                    "\n**Dependencies**: " + dependencies + "\n\n## Test Commands\n\n```bash\ntrue\n```\n"};
}

std::vector<std::string> Messages(const Plan& plan, Severity severity) {
  std::vector<std::string> messages;
  for (const Diagnostic& diagnostic : plan.diagnostics.Sorted()) {
    if (diagnostic.severity == severity) messages.push_back(diagnostic.ToString());
  }
  return messages;
}

std::vector<std::string> ChainIds(const Plan& plan) {
  std::vector<std::string> ids;
  for (int index : plan.analysis.critical_path.chain) {
    ids.push_back(plan.workstreams[index].id.ToString());
  }
  return ids;
}

using Strings = std::vector<std::string>;

TEST(DagTest, LevelsAndCriticalPath) {
  Plan plan = AssemblePlan({Card(1, "None", "1 day"), Card(2, "WS-01", "2-3 days"),
                            Card(3, "WS-01", "1 day"), Card(4, "WS-02, WS-03", "1-2 days")});
  ASSERT_TRUE(plan.ok()) << Messages(plan, Severity::kError).front();
  ASSERT_EQ(plan.analysis.levels.size(), 3u);
  EXPECT_EQ(plan.analysis.levels[1], (std::vector<int>{1, 2}));
  EXPECT_EQ(ChainIds(plan), Strings({"WS-01", "WS-02", "WS-04"}));
  EXPECT_DOUBLE_EQ(plan.analysis.critical_path.days_min, 4);
  EXPECT_DOUBLE_EQ(plan.analysis.critical_path.days_max, 6);
  EXPECT_DOUBLE_EQ(plan.analysis.makespan.min, 4);
  EXPECT_DOUBLE_EQ(plan.analysis.remaining_days_max[0], 6);
  EXPECT_DOUBLE_EQ(plan.analysis.remaining_days_max[2], 3);
}

TEST(DagTest, CompletedWorkstreamsCountZero) {
  Plan plan = AssemblePlan({Card(1, "None", "5 days", "✅ COMPLETE"), Card(2, "WS-01", "1 day"),
                            Card(3, "None", "2 days")});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(ChainIds(plan), Strings({"WS-03"}));
  EXPECT_DOUBLE_EQ(plan.analysis.critical_path.days_max, 2);
}

TEST(DagTest, UnknownDependencyAtTheLineThatNamesIt) {
  Plan plan = AssemblePlan({Card(1, "WS-07")});
  EXPECT_EQ(Messages(plan, Severity::kError),
            Strings({"ws1.md:5: error: WS-01 depends on unknown workstream WS-07"}));
}

TEST(DagTest, CycleIsPrintedWithLocations) {
  Plan plan = AssemblePlan({Card(1, "WS-03"), Card(2, "WS-01"), Card(3, "WS-02"), Card(4, "WS-01")});
  Strings errors = Messages(plan, Severity::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "ws1.md:5: error: dependency cycle: WS-01 → WS-03 → WS-02 → WS-01 (WS-01 needs "
            "WS-03 at ws1.md:5; WS-03 needs WS-02 at ws3.md:5; WS-02 needs WS-01 at ws2.md:5)");
  EXPECT_FALSE(plan.analysis.acyclic);
}

TEST(DagTest, EveryCycleIsReported) {
  Plan plan = AssemblePlan(
      {Card(1, "WS-02"), Card(2, "WS-01"), Card(5, "WS-06"), Card(6, "WS-05"), Card(7, "WS-08")});
  Strings errors = Messages(plan, Severity::kError);
  EXPECT_EQ(errors.size(), 3u);  // two cycles and one unknown dependency
}

TEST(DagTest, DuplicateIdReportedAtBothPlaces) {
  Plan plan = AssemblePlan({{"a.md", "# WS-04: One\n**Duration**: 1 day\n"},
                            {"b.md", "Intro\n\n# WS-4: Two\n**Duration**: 1 day\n"}});
  EXPECT_EQ(Messages(plan, Severity::kError),
            Strings({"a.md:1: error: duplicate ID WS-04 (defined again at b.md:3)",
                     "b.md:3: error: duplicate ID WS-04 (first defined at a.md:1)"}));
  EXPECT_EQ(plan.workstreams.size(), 1u);
}

TEST(DagTest, BlocksMismatchIsAWarning) {
  Plan plan = AssemblePlan(
      {{"a.md", "# WS-01: A\n**Duration**: 1 day\n\n### Blocks\n- **WS-02**: x\n\n## Tests\n\n```\ntrue\n```\n"},
       {"b.md", "# WS-02: B\n**Duration**: 1 day\n**Dependencies**: None\n\n## Tests\n\n```\ntrue\n```\n"},
       {"c.md", "# WS-03: C\n**Duration**: 1 day\n**Dependencies**: WS-01\n\n## Tests\n\n```\ntrue\n```\n"}});
  EXPECT_TRUE(plan.ok());
  EXPECT_EQ(Messages(plan, Severity::kWarning),
            Strings({"a.md:5: warning: WS-01 says it blocks WS-02, but WS-02 does not depend "
                     "on WS-01",
                     "c.md:3: warning: WS-03 depends on WS-01, but WS-01's Blocks list does not "
                     "name it"}));
}

TEST(DagTest, LongChainDoesNotOverflowTheStack) {
  std::vector<SourceFile> cards;
  constexpr int kLength = 20000;
  for (int i = 1; i <= kLength; ++i) cards.push_back(Card(i, i == 1 ? "None" : "WS-" + std::to_string(i - 1)));
  cards.push_back(Card(kLength + 1, "WS-" + std::to_string(kLength)));
  cards[0] = Card(1, "WS-" + std::to_string(kLength + 1));  // close a 20,001-long cycle
  Plan plan = AssemblePlan(cards);
  ASSERT_EQ(plan.diagnostics.error_count(), 1);
  EXPECT_NE(plan.diagnostics.all()[0].message.find("dependency cycle"), std::string::npos);
}

}  // namespace
}  // namespace wsfleet::common
