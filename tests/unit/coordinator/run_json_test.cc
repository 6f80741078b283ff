// `status -o json` written as it is made: the same document nlohmann would have printed
// for the whole status at once, without holding it.

#include "coordinator/run_json.h"

#include <gtest/gtest.h>

#include <sstream>

namespace wsfleet::coordinator {
namespace {

v1::RunStatus TwoWorkstreams() {
  v1::RunStatus status;
  status.set_plan_id("plan-1");
  status.set_done(true);
  status.set_state_dir("/state");
  status.mutable_agents_spent()->set_turns(3);
  for (const char* id : {"WS-01", "WS-02"}) {
    v1::WorkstreamStatus& ws = *status.add_workstreams();
    ws.set_id(id);
    ws.set_name(std::string("name of ") + id + " \"quoted\"\nsecond line");
    ws.set_state(v1::WORKSTREAM_STATE_SUCCEEDED);
    ws.mutable_verification()->add_reasons("a reason");
  }
  return status;
}

// What one nlohmann document of it prints: the reference layout.
std::string AsOneDocument(const v1::RunStatus& status) {
  nlohmann::ordered_json json = {{"plan_id", status.plan_id()},
                                 {"done", status.done()},
                                 {"succeeded", status.succeeded()},
                                 {"state_dir", status.state_dir()},
                                 {"metrics_url", status.metrics_url()}};
  json["workstreams"] = nlohmann::ordered_json::array();
  for (const v1::WorkstreamStatus& ws : status.workstreams()) json["workstreams"].push_back(WorkstreamJson(ws));
  json["agents_spent"] = AgentJson(status.agents_spent());
  json["plan_budget_stop"] = status.plan_budget_stop();
  return json.dump(2);
}

TEST(RunStatusJsonTest, WrittenAsItIsMadeItIsTheDocumentAsAWhole) {
  for (v1::RunStatus status : {TwoWorkstreams(), v1::RunStatus()}) {
    std::ostringstream out;
    WriteRunStatusJson(status, out);
    EXPECT_EQ(out.str(), AsOneDocument(status));
    nlohmann::json parsed = nlohmann::json::parse(out.str());
    EXPECT_EQ(parsed["workstreams"].size(), static_cast<size_t>(status.workstreams_size()));
  }
}

}  // namespace
}  // namespace wsfleet::coordinator
