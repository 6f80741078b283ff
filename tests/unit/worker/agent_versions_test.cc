#include "worker/agent_versions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace wsfleet::worker {
namespace {

TEST(AgentVersionsTest, ReadsTheVersionEachCliPrints) {
  EXPECT_EQ(ParseVersion("2.1.332 (Claude Code)\n"), "2.1.332");
  EXPECT_EQ(ParseVersion("codex-cli 0.171.0\n"), "0.171.0");
  EXPECT_EQ(ParseVersion("1.18.33\n"), "1.18.33");
  EXPECT_EQ(ParseVersion("v2.0"), std::nullopt);  // a letter glued on: not a version start
  EXPECT_EQ(ParseVersion("tool 3.4"), "3.4");
  EXPECT_EQ(ParseVersion("command not found"), std::nullopt);
  EXPECT_EQ(ParseVersion("build 42, x86_64"), std::nullopt);
}

TEST(AgentVersionsTest, ComparesPartByPart) {
  EXPECT_TRUE(VersionAtLeast("0.171.0", "0.147.0"));
  EXPECT_FALSE(VersionAtLeast("0.99.9", "0.147.0"));  // not as text
  EXPECT_TRUE(VersionAtLeast("2.1", "2.1.0"));
  EXPECT_FALSE(VersionAtLeast("2.0.999", "2.1.0"));
  EXPECT_TRUE(VersionAtLeast("10.0.0", "9.9.9"));
}

TEST(AgentVersionsTest, LabelsForWhatIsThereRefusingWhatIsTooOld) {
  std::vector<std::string> probed;
  std::mutex mutex;
  VersionProbe probe = [&](const std::string& command) -> std::optional<std::string> {
    std::lock_guard<std::mutex> lock(mutex);
    probed.push_back(command);
    if (command == "claude --version") return "2.1.332 (Claude Code)\n";
    if (command == "codex --version") return "codex-cli 0.120.0\n";
    return std::nullopt;  // opencode: not installed
  };
  std::map<std::string, AgentSpec> configured;
  configured["my-agent"] = AgentSpec{"my-agent --task {prompt}", "", AgentFormat::kNone,
                                     std::chrono::seconds(60), "", ""};
  configured["backend-architect"] = BuiltinAgents().at("claude");  // `backend-architect: claude`
  configured["off"] = AgentSpec{};                                  // an empty command: no agent
  std::vector<std::string> logged;
  std::map<std::string, std::string> labels =
      AgentLabels(configured, probe, [&](const std::string& line) { logged.push_back(line); });
  std::map<std::string, std::string> expected = {
      {"agent.backend-architect", "2.1.332"},   {"agent.claude", "2.1.332"},
      {"agent.claude-code", "2.1.332"},         {"agent.codex.refused", "0.120.0 < 0.147.0"},
      {"agent.my-agent", "configured"},
  };
  EXPECT_EQ(labels, expected);
  std::sort(probed.begin(), probed.end());
  EXPECT_EQ(probed, (std::vector<std::string>{"claude --version", "codex --version", "opencode --version"}))
      << "each command once";
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_NE(logged[0].find("codex: version 0.120.0 is older than the 0.147.0"), std::string::npos) << logged[0];
  EXPECT_NE(logged[1].find("opencode: `opencode --version` failed"), std::string::npos) << logged[1];
}

TEST(AgentVersionsTest, RunsTheCommandThroughBash) {
  EXPECT_EQ(RunVersionCommand("echo 'tool 1.2.3'"), "tool 1.2.3\n");
  EXPECT_EQ(RunVersionCommand("no-such-cli-anywhere --version"), std::nullopt);
}

}  // namespace
}  // namespace wsfleet::worker
