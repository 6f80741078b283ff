#include "ui/page_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wsfleet::ui {
namespace {

// A → B → D, A → C (B longer than C); E alone.
PageGraph Diamond() {
  PageGraph graph;
  graph.plan_id = "p-1";
  graph.name = "p";
  graph.nodes = {{"A", "a", {}, 0, "1 day", "", 0},
                 {"B", "b", {"A"}, 0, "3 days", "claude", 0},
                 {"C", "c", {"A"}, 1, "1 day", "", 2},
                 {"D", "d", {"B"}, 0, "1 day", "", 0},
                 {"E", "e", {}, 3, "1 day", "", 0}};
  graph.critical_path = {"A", "B", "D"};
  return graph;
}

v1::RunStatus StatusOf(const std::vector<std::tuple<std::string, v1::WorkstreamState, double>>& rows) {
  v1::RunStatus status;
  status.set_plan_id("p-1");
  for (const auto& [id, state, remaining] : rows) {
    v1::WorkstreamStatus& ws = *status.add_workstreams();
    ws.set_id(id);
    ws.set_state(state);
    ws.set_remaining_days(remaining);
  }
  return status;
}

TEST(PageJsonTest, TheGraphCarriesNodesEdgesAndTheCriticalPath) {
  nlohmann::ordered_json json = GraphJson(Diamond());
  EXPECT_EQ(json["plan"], "p-1");
  ASSERT_EQ(json["nodes"].size(), 5u);
  EXPECT_EQ(json["nodes"][3]["deps"], nlohmann::ordered_json::array({"B"}));
  EXPECT_EQ(json["nodes"][1]["agent"], "claude");
  EXPECT_EQ(json["nodes"][2]["gpus"], 2);
  EXPECT_EQ(json["critical"], nlohmann::ordered_json::array({"A", "B", "D"}));
}

TEST(PageJsonTest, TheCriticalPathLeftFollowsTheLongestChainOfUnfinishedWork) {
  using enum v1::WorkstreamState;
  PageGraph graph = Diamond();
  EXPECT_EQ(RemainingCriticalPath(graph, StatusOf({{"A", WORKSTREAM_STATE_RUNNING, 5}, {"B", WORKSTREAM_STATE_PENDING, 4},
                                                   {"C", WORKSTREAM_STATE_PENDING, 1}, {"D", WORKSTREAM_STATE_PENDING, 1},
                                                   {"E", WORKSTREAM_STATE_READY, 1}})),
            (std::vector<std::string>{"A", "B", "D"}));
  // A done, B failed: what is left is C's or E's (C first in the plan, a tie).
  EXPECT_EQ(RemainingCriticalPath(graph, StatusOf({{"A", WORKSTREAM_STATE_SUCCEEDED, 5}, {"B", WORKSTREAM_STATE_FAILED, 4},
                                                   {"C", WORKSTREAM_STATE_RUNNING, 1}, {"D", WORKSTREAM_STATE_BLOCKED, 1},
                                                   {"E", WORKSTREAM_STATE_READY, 1}})),
            (std::vector<std::string>{"C"}));
  v1::RunStatus done = StatusOf({{"A", WORKSTREAM_STATE_SUCCEEDED, 5}});
  done.set_done(true);
  EXPECT_EQ(RemainingCriticalPath(graph, done), graph.critical_path) << "done: what was critical";
  v1::RunStatus none = StatusOf({});
  EXPECT_TRUE(RemainingCriticalPath(graph, none).empty());
}

TEST(PageJsonTest, TheLiveStatusCountsStatesAndSaysWhenItLeft) {
  using enum v1::WorkstreamState;
  v1::RunStatus status = StatusOf({{"A", WORKSTREAM_STATE_RUNNING, 5}, {"B", WORKSTREAM_STATE_PENDING, 4},
                                   {"C", WORKSTREAM_STATE_PENDING, 1}, {"D", WORKSTREAM_STATE_PENDING, 1},
                                   {"E", WORKSTREAM_STATE_SUCCEEDED, 1}});
  v1::WorkstreamStatus& a = *status.mutable_workstreams(0);
  a.set_worker_id("w1");
  a.set_started_unix_ms(1000);
  a.set_last_output_line("epoch 2");
  a.mutable_tests()->set_passed(3);
  status.set_eta_seconds(90);
  nlohmann::ordered_json json = LiveJson(Diamond(), status, 4242);
  EXPECT_EQ(json["sent"], 4242);
  EXPECT_EQ(json["eta"], 90.0);
  EXPECT_EQ(json["counts"]["PENDING"], 3);
  EXPECT_EQ(json["counts"]["RUNNING"], 1);
  EXPECT_EQ(json["critical"], nlohmann::ordered_json::array({"A", "B", "D"}));
  EXPECT_EQ(json["ws"][0]["s"], "RUNNING");
  EXPECT_EQ(json["ws"][0]["w"], "w1");
  EXPECT_EQ(json["ws"][0]["t0"], 1000);
  EXPECT_EQ(json["ws"][0]["l"], "epoch 2");
  EXPECT_EQ(json["ws"][0]["tests"], nlohmann::ordered_json::array({3, 0, 0}));
  EXPECT_FALSE(json["ws"][1].contains("w")) << "what is unset is left out";
}

TEST(PageJsonTest, DetailsReadTheSummaryAndTheLogsEnd) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("page-json-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "summary.md") << "# WS-01 summary\n";
  std::ofstream(dir / "a.log") << "one\n\x1b[31mtwo\x1b[0m\n";
  WorkstreamDetail detail{{{"id", "WS-01"}}, (dir / "summary.md").string(), (dir / "a.log").string()};
  nlohmann::ordered_json json = DetailJson(detail, 1024);
  EXPECT_EQ(json["workstream"]["id"], "WS-01");
  EXPECT_EQ(json["summary"], "# WS-01 summary\n");
  EXPECT_EQ(json["log"], "one\ntwo\n");
  detail.summary_path = (dir / "missing.md").string();
  detail.log_path.clear();
  json = DetailJson(detail, 1024);
  EXPECT_TRUE(json["summary"].is_null());
  EXPECT_TRUE(json["log"].is_null()) << "no attempt yet";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wsfleet::ui
