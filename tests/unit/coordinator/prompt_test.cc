#include "coordinator/prompt.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/plan_loader.h"

namespace wsfleet::coordinator {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

common::Plan SeedPlan() {
  fs::path dir = fs::path(WSFLEET_TEST_DATA_DIR) / "prompts";
  return common::AssemblePlan({{"ws-21.md", Read(dir / "ws-21.md")},
                               {"ws-18.md", "# WS-18: Launcher\n\n**Duration**: 1 day\n"},
                               {"ws-19.md", "# WS-19: Profiling hooks\n\n**Duration**: 1 day\n"},
                               {"ws-20.md", "# WS-20: Dashboards\n\n**Duration**: 1 day\n"}});
}

PromptInputs Inputs() {
  PromptInputs inputs;
  inputs.dependency_summaries = {"# WS-18: Launcher - Completion Summary\n\n**Status**: ✅ Complete\n\n"
                                 "## Deliverables Created\n- `tools/launch.sh`\n"};
  inputs.soft = {{"WS-19", "Profiling hooks", "# WS-19: Profiling hooks - Completion Summary\n\n## Notes\nNVTX ranges on.\n"},
                 {"WS-20", "Dashboards", ""}};
  return inputs;
}

// The whole seed-format card in the prompt, in the order, against the golden file
// (tests/data/prompts/). WSFLEET_UPDATE_GOLDEN=1 writes the file anew.
TEST(PromptTest, ASeedCardsWholePrompt) {
  common::Plan plan = SeedPlan();
  ASSERT_TRUE(plan.ok());
  std::string prompt = RenderPrompt(plan.workstreams[*plan.IndexOf("WS-21")], "plan-7", Inputs());
  fs::path golden = fs::path(WSFLEET_TEST_DATA_DIR) / "prompts" / "ws-21.prompt.md";
  if (const char* update = std::getenv("WSFLEET_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(golden) << prompt;
  }
  EXPECT_EQ(prompt, Read(golden)) << "WSFLEET_UPDATE_GOLDEN=1 rewrites " << golden;
  // The order the issue asks for.
  size_t at = 0;
  for (const char* heading : {"## Objective", "## Deliverables", "## Acceptance criteria", "## Technical Requirements",
                              "### Environment", "### Technical Constraints", "## Implementation Plan",
                              "### Phase 2", "## Known Issues & Risks", "## Integration Points",
                              "## What your dependencies did", "## Soft dependencies", "### WS-19: Profiling hooks",
                              "### WS-20: Dashboards", "## How your work will be checked"}) {
    size_t found = prompt.find(heading, at);
    ASSERT_NE(found, std::string::npos) << heading << " (in order)";
    at = found;
  }
  EXPECT_EQ(prompt.find("Left out"), std::string::npos);
}

TEST(PromptTest, WhatDoesNotFitIsLeftOutAndNamedTheCardAndStepsStay) {
  common::Plan plan = SeedPlan();
  const common::Workstream& ws = plan.workstreams[*plan.IndexOf("WS-21")];
  PromptInputs inputs = Inputs();
  inputs.dependency_summaries = {std::string(20000, 'x')};
  inputs.max_bytes = 6000;
  std::string prompt = RenderPrompt(ws, "plan-7", inputs);
  EXPECT_LE(prompt.size(), inputs.max_bytes);
  EXPECT_NE(prompt.find("## Objective"), std::string::npos);
  EXPECT_NE(prompt.find("## How your work will be checked"), std::string::npos);
  EXPECT_NE(prompt.find("## Technical Requirements"), std::string::npos);  // it fits
  EXPECT_EQ(prompt.find("## What your dependencies did"), std::string::npos);
  EXPECT_NE(prompt.find("## Left out for length"), std::string::npos);
  EXPECT_NE(prompt.find("What your dependencies did ("), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("## Soft dependencies"), std::string::npos);  // later and smaller: kept
}

TEST(PromptTest, ACardWithoutTheSeedSectionsHasNoneOfThem) {
  common::Plan plan = common::AssemblePlan(
      {{"ws-01.md", "# WS-01: Small\n\n**Duration**: 1 day\n\n## Objective\n\nDo it.\n\n```bash\ntrue\n```\n"}});
  ASSERT_TRUE(plan.ok());
  std::string prompt = RenderPrompt(plan.workstreams[0], "p");
  EXPECT_EQ(prompt.find("Technical Requirements"), std::string::npos);
  EXPECT_EQ(prompt.find("Soft dependencies"), std::string::npos);
  EXPECT_NE(prompt.find("## Objective\n\nDo it.\n"), std::string::npos);
}

}  // namespace
}  // namespace wsfleet::coordinator
