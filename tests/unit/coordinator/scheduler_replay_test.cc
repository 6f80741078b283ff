// One path for live and replayed events: a random run of every event kind, applied live,
// must leave the scheduler with exactly the view a coordinator restarted from the store
// rebuilds (tests, metrics, deliverables, agents and their totals, merges, rendezvous).

#include <random>
#include <sstream>

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

class SchedulerReplayTest : public SchedulerTest {
 protected:
  // Everything a restart must rebuild from stored events, printed so that a difference
  // shows where it is.
  std::string View() {
    std::ostringstream out;
    v1::RunStatus status = scheduler_->Status();
    const v1::AgentReport& spent = status.agents_spent();
    out << "spent " << spent.ShortDebugString() << " stop '" << status.plan_budget_stop() << "'\n";
    out << "merge queue " << scheduler_->merge_queue_length() << "\n";
    for (int i = 0; i < status.workstreams_size(); ++i) {
      const v1::WorkstreamStatus& ws = status.workstreams(i);
      const RunView view = scheduler_->ViewOf(i);
      out << ws.id() << " " << v1::WorkstreamState_Name(ws.state()) << " attempts " << ws.attempts()
          << "\n  tests " << ws.tests().ShortDebugString() << "\n  agent " << ws.agent().ShortDebugString()
          << "\n  merge '" << ws.merge() << "'\n  metrics";
      for (const auto& [name, value] : view.facts.metrics) out << " " << name << "=" << value;
      out << "\n  deliverables";
      for (const auto& [path, exists] : view.facts.deliverables) out << " " << path << "=" << exists;
      out << "\n  rendezvous";
      for (const auto& [key, value] : view.facts.rendezvous) out << " " << key << "=" << value;
      out << "\n";
    }
    return out.str();
  }

  struct Live {
    std::string worker;
    uint64_t seq = 0;
  };

  // One event of a random kind for `attempt` (never `started` or `finished`).
  static v1::Event RandomEvent(std::mt19937& random, const std::string& attempt, uint64_t seq) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.set_time_unix_ms(1000 + static_cast<int64_t>(seq));
    auto pick = [&random](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    std::string suffix = std::to_string(pick(3));
    switch (pick(9)) {
      case 0:
        event.mutable_test()->set_name("T." + suffix);
        event.mutable_test()->set_status(static_cast<v1::TestStatus>(1 + pick(4)));
        break;
      case 1:
        event.mutable_test_summary()->set_passed(static_cast<uint32_t>(pick(5)));
        event.mutable_test_summary()->set_failed(static_cast<uint32_t>(pick(2)));
        event.mutable_test_summary()->set_skipped(static_cast<uint32_t>(pick(3)));
        break;
      case 2:
        event.mutable_metric()->set_name("m" + suffix);
        event.mutable_metric()->set_value(pick(100));
        break;
      case 3:
        event.mutable_deliverable()->set_path("out/" + suffix);
        event.mutable_deliverable()->set_exists(pick(2) == 1);
        break;
      case 4: {
        v1::AgentReport& agent = *event.mutable_agent();
        agent.set_session_id("s-" + attempt);
        agent.set_turns(seq);
        agent.set_input_tokens(100 * seq);
        agent.set_output_tokens(10 * seq);
        agent.set_cost_usd(0.01 * static_cast<double>(seq));
        break;
      }
      case 5:
        event.mutable_merge_request()->set_branch("wsfleet/p/" + attempt);
        break;
      case 6:
        event.mutable_merged()->set_commit("c0ffee" + suffix);
        break;
      case 7:
        event.mutable_rendezvous_put()->set_key("k" + suffix);
        event.mutable_rendezvous_put()->set_value(attempt);
        break;
      default:
        event.mutable_log()->set_data("line " + suffix + "\n");
        break;
    }
    return event;
  }

  // Plays the workers of a random run for `steps` batches.
  void RandomRun(uint32_t seed, int steps) {
    std::mt19937 random(seed);
    std::map<std::string, Live> live;  // attempts running, by ID
    auto collect = [&] {
      for (const auto& [worker, spec] : output_.TakeAssigns()) live[spec.attempt_id()] = {worker, 0};
      output_.sent.clear();
    };
    collect();
    for (int step = 0; step < steps && !live.empty(); ++step) {
      auto it = live.begin();
      std::advance(it, random() % live.size());
      const std::string attempt = it->first;
      Live& at = it->second;
      std::vector<v1::Event> batch;
      if (at.seq == 0) batch.push_back(Started(attempt, ++at.seq));
      int count = 1 + static_cast<int>(random() % 3);
      for (int i = 0; i < count; ++i) batch.push_back(RandomEvent(random, attempt, ++at.seq));
      bool finish = random() % 5 == 0;
      if (finish) {
        auto outcome = random() % 3 == 0 ? v1::ATTEMPT_OUTCOME_FAILED : v1::ATTEMPT_OUTCOME_SUCCEEDED;
        batch.push_back(Finished(attempt, ++at.seq, outcome, "step 1 failed"));
      }
      std::string worker = at.worker;
      if (finish) live.erase(attempt);
      Report(worker, batch);
      scheduler_->OnHeartbeat("w1", {});
      scheduler_->OnHeartbeat("w2", {});
      clock_.Advance(300ms);
      collect();
    }
  }
};

TEST_F(SchedulerReplayTest, ARestartedCoordinatorRebuildsTheViewLiveEventsBuilt) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    store_ = std::make_unique<testing::FakeStateStore>();
    output_ = testing::RecordingOutput();
    Restart();
    Submit({Card(1, "None", "**Retries**: 1\n"), Card(2, "None", "**Retries**: 1\n"),
            Card(3, "WS-01", "**Retries**: 1\n"), Card(4, "None", "**Nodes**: 2\n")},
           /*keep_going=*/true);
    Hello("w1", 4);
    Hello("w2", 4);
    RandomRun(seed, 12 + static_cast<int>(seed % 20));
    std::string live = View();
    Restart();
    ASSERT_TRUE(scheduler_->Recover().ok());
    EXPECT_EQ(View(), live);
  }
}

// Recovery rebuilds the plan from the workstreams stored as parsed, not from the texts.
TEST_F(SchedulerReplayTest, RecoveryDoesNotParseTheCardsAgain) {
  Submit({Card(1, "None", "**Retries**: 1\n**Labels**: zone=a\n"), Card(2, "WS-01")});
  store_->ForgetPlanTexts();
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  ASSERT_TRUE(scheduler_->has_plan());
  ASSERT_EQ(scheduler_->plan()->workstreams.size(), 2u);
  EXPECT_EQ(scheduler_->plan()->workstreams[0].labels.at("zone"), "a");
  EXPECT_EQ(scheduler_->plan()->workstreams[1].dependencies.at(0).id.ToString(), "WS-01");
  EXPECT_EQ(scheduler_->plan()->workstreams[1].steps.at(0).script, "true\n");
}

}  // namespace
}  // namespace wsfleet::coordinator
