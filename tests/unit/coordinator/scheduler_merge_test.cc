// The merge queue: one merge at a time, in scheduling order, the turn passed on when the
// holder ends however it ends, and granted again after a coordinator restart.

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

class SchedulerMergeTest : public SchedulerTest {
 protected:
  static v1::Event MergeRequest(const std::string& attempt, uint64_t seq) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_merge_request()->set_branch("wsfleet/p/" + attempt);
    return event;
  }
  // The attempts given a merge turn so far, in order, as (worker, attempt); removing them.
  std::vector<std::pair<std::string, std::string>> TakeTurns() {
    std::vector<std::pair<std::string, std::string>> turns;
    for (const auto& [worker, message] : output_.sent) {
      if (message.has_merge_turn()) turns.emplace_back(worker, message.merge_turn().attempt_id());
    }
    std::erase_if(output_.sent, [](const auto& sent) { return sent.second.has_merge_turn(); });
    return turns;
  }
  std::map<std::string, std::string> AttemptsByWorkstream() {
    std::map<std::string, std::string> attempts;
    for (const auto& [worker, spec] : output_.TakeAssigns()) attempts[spec.workstream_id()] = spec.attempt_id();
    return attempts;
  }
  std::string MergeOf(const std::string& id) {
    v1::RunStatus status = scheduler_->Status();
    for (const auto& ws : status.workstreams()) {
      if (ws.id() == id) return ws.merge();
    }
    return "";
  }
};

TEST_F(SchedulerMergeTest, OneAtATimeInSchedulingOrderPassedOnWhenTheHolderEnds) {
  Submit({Card(1, "None", "**Priority**: P2\n"), Card(2, "None", "**Priority**: P0\n"),
          Card(3, "None", "**Priority**: P1\n")});
  Hello("w1", 3);
  auto attempts = AttemptsByWorkstream();
  ASSERT_EQ(attempts.size(), 3u);
  Report("w1", {Started(attempts["WS-01"]), MergeRequest(attempts["WS-01"], 2)});
  auto turns = TakeTurns();
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0].second, attempts["WS-01"]) << "alone in the queue, it goes at once";
  EXPECT_EQ(MergeOf("WS-01"), "merging");
  // Two more wait; the holder's end lets the higher priority go next.
  Report("w1", {Started(attempts["WS-03"]), MergeRequest(attempts["WS-03"], 2)});
  Report("w1", {Started(attempts["WS-02"]), MergeRequest(attempts["WS-02"], 2)});
  EXPECT_TRUE(TakeTurns().empty());
  EXPECT_EQ(scheduler_->merge_queue_length(), 3u);
  EXPECT_EQ(MergeOf("WS-02"), "waiting to merge (1 ahead)");
  EXPECT_EQ(MergeOf("WS-03"), "waiting to merge (2 ahead)");
  v1::Event merged;
  merged.set_attempt_id(attempts["WS-01"]);
  merged.set_seq(3);
  merged.mutable_merged()->set_commit("0123456789abcdef0123");
  Report("w1", {merged, Finished(attempts["WS-01"], 4, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  EXPECT_EQ(MergeOf("WS-01"), "merged 0123456789ab");
  turns = TakeTurns();
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0].second, attempts["WS-02"]);
  // A conflict ends it too: the turn moves on.
  Report("w1", {Finished(attempts["WS-02"], 3, v1::ATTEMPT_OUTCOME_FAILED, "merge: conflicts")});
  turns = TakeTurns();
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0].second, attempts["WS-03"]);
}

TEST_F(SchedulerMergeTest, ALostHolderPassesTheTurnOn) {
  Submit({Card(1, "None"), Card(2, "None")});
  Hello("w1", 1);
  Hello("w2", 1);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  for (const auto& [worker, spec] : assigns) {
    Report(worker, {Started(spec.attempt_id()), MergeRequest(spec.attempt_id(), 2)});
  }
  auto turns = TakeTurns();
  ASSERT_EQ(turns.size(), 1u);
  std::string other = turns[0].first == "w1" ? "w2" : "w1";
  for (int i = 0; i < 6; ++i) {  // the holder's worker falls silent; the other's does not
    clock_.Advance(2s);
    scheduler_->OnHeartbeat(other, {});
  }
  turns = TakeTurns();
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0].first, other);
}

TEST_F(SchedulerMergeTest, ARestartedCoordinatorGrantsTheTurnAgainToItsHolderWhenItReturns) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  std::string attempt = output_.TakeAssigns()[0].second.attempt_id();
  Report("w1", {Started(attempt), MergeRequest(attempt, 2)});
  ASSERT_EQ(TakeTurns().size(), 1u);
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  EXPECT_TRUE(TakeTurns().empty()) << "nobody to send it to yet";
  EXPECT_EQ(MergeOf("WS-01"), "merging") << "the replayed queue has the holder it had";
  // Another worker is back first: the turn is not its.
  Hello("w2", 1);
  EXPECT_TRUE(TakeTurns().empty());
  Hello("w1", 1, 0, {}, {attempt});
  auto turns = TakeTurns();
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0], std::make_pair(std::string("w1"), attempt));
  EXPECT_EQ(MergeOf("WS-01"), "merging");
}

}  // namespace
}  // namespace wsfleet::coordinator
