// Multi-node cards (`Nodes: N`): gangs placed whole on distinct workers or not at all,
// their wait and timeout, whole-gang cancel and retry, fencing, and the rendezvous relay.

#include <algorithm>

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

class SchedulerGangTest : public SchedulerTest {
 protected:
  using Assigns = std::vector<std::pair<std::string, v1::AttemptSpec>>;

  // The assigns of one gang in rank order.
  Assigns TakeGang() {
    Assigns assigns = output_.TakeAssigns();
    std::sort(assigns.begin(), assigns.end(), [](const auto& a, const auto& b) {
      return a.second.node_rank() < b.second.node_rank();
    });
    return assigns;
  }

  static v1::Event Put(const std::string& attempt, uint64_t seq, const std::string& key,
                       const std::string& value) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_rendezvous_put()->set_key(key);
    event.mutable_rendezvous_put()->set_value(value);
    return event;
  }

  // (worker, attempt, key, value) of the relays sent so far, removing them.
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> TakeRelays() {
    std::vector<std::tuple<std::string, std::string, std::string, std::string>> relays;
    for (const auto& [worker, message] : output_.sent) {
      if (!message.has_rendezvous()) continue;
      relays.emplace_back(worker, message.rendezvous().attempt_id(), message.rendezvous().key(),
                          message.rendezvous().value());
    }
    std::erase_if(output_.sent, [](const auto& sent) { return sent.second.has_rendezvous(); });
    return relays;
  }

  // The Cancel messages sent so far as (worker, attempt), removing them.
  std::vector<std::pair<std::string, std::string>> TakeCancels(std::string* reason = nullptr) {
    std::vector<std::pair<std::string, std::string>> cancels;
    for (const auto& [worker, message] : output_.sent) {
      if (!message.has_cancel()) continue;
      cancels.emplace_back(worker, message.cancel().attempt_id());
      if (reason != nullptr) *reason = message.cancel().reason();
    }
    std::erase_if(output_.sent, [](const auto& sent) { return sent.second.has_cancel(); });
    return cancels;
  }

  // Time passes with every worker heartbeating, so that only what is under test expires.
  void Pass(std::chrono::seconds duration, const std::vector<std::string>& workers) {
    for (std::chrono::seconds passed{0}; passed < duration; passed += 1s) {
      clock_.Advance(1s);
      for (const std::string& worker : workers) scheduler_->OnHeartbeat(worker, {});
    }
  }

  std::string Worker(const std::string& id) {
    v1::RunStatus status = scheduler_->Status();
    for (const auto& ws : status.workstreams()) {
      if (ws.id() == id) return ws.worker_id();
    }
    return "";
  }
};

TEST_F(SchedulerGangTest, AGangIsPlacedWholeOnDistinctWorkersWithItsRanks) {
  Submit({Card(1, "None", "**Nodes**: 3\n**GPUs**: 2\n")});
  Hello("w1", 4, 2);
  Hello("w2", 4, 2);
  EXPECT_EQ(output_.TakeAssigns().size(), 0u) << "two workers cannot hold a gang of three";
  EXPECT_EQ(Message("WS-01"), "no worker can run it yet: needs 3 nodes with 2 GPUs; the fleet has 2");
  Hello("w3", 4, 2);
  Assigns gang = TakeGang();
  ASSERT_EQ(gang.size(), 3u);
  std::set<std::string> workers;
  for (uint32_t rank = 0; rank < 3; ++rank) {
    const v1::AttemptSpec& spec = gang[rank].second;
    workers.insert(gang[rank].first);
    EXPECT_EQ(spec.node_rank(), rank);
    EXPECT_EQ(spec.nodes(), 3u);
    EXPECT_EQ(spec.node_addrs_size(), 3);
    EXPECT_EQ(spec.gpu_indices_size(), 2);
    EXPECT_EQ(spec.attempt_number(), 1u);
  }
  EXPECT_EQ(workers.size(), 3u);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_ASSIGNED);
  EXPECT_EQ(Worker("WS-01"), gang[0].first + "," + gang[1].first + "," + gang[2].first);
  // The whole gang was committed before any Assign went out.
  EXPECT_EQ(store_->Load()->plans.at(0).attempts.size(), 3u);
}

TEST_F(SchedulerGangTest, AGangTheFleetCanNeverHoldFailsAtSubmit) {
  Hello("w1", 4, 8);
  Submit({Card(1, "None", "**Nodes**: 2\n")});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "cannot be placed: needs 2 nodes; the fleet has 1");
}

TEST_F(SchedulerGangTest, AGangWaitsWhileNodesAreBusySayingWhyThenStarts) {
  Hello("w1", 1, 2);
  Hello("w2", 1, 2);
  Submit({Card(1, "None", "**Priority**: P0\n**GPUs**: 1\n"),
          Card(2, "None", "**Nodes**: 2\n**GPUs**: 2\n")});
  Assigns first = output_.TakeAssigns();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].second.workstream_id(), "WS-01");
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(Message("WS-02"), "waiting: 1 of 2 nodes has 2 free GPUs");
  Pass(5min, {"w1", "w2"});
  Complete(first[0].first, first[0].second.attempt_id());
  EXPECT_EQ(TakeGang().size(), 2u);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_ASSIGNED);
}

TEST_F(SchedulerGangTest, AGangNotPlacedWithinTheGangTimeoutFailsWithTheReason) {
  options_.gang_timeout = 60s;
  Restart();
  Hello("w1", 1);
  Hello("w2", 1);
  Submit({Card(1, "None", "**Priority**: P0\n"), Card(2, "None", "**Nodes**: 2\n")},
         /*keep_going=*/true);
  ASSERT_EQ(output_.TakeAssigns().size(), 1u);
  EXPECT_EQ(Message("WS-02"), "waiting: 1 of 2 nodes has a free slot");
  Pass(59s, {"w1", "w2"});
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_READY);
  Pass(1s, {"w1", "w2"});
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-02"),
            "not placed within the gang timeout (60 s): waiting: 1 of 2 nodes has a free slot");
  EXPECT_EQ(output_.TakeAssigns().size(), 0u) << "nothing was reserved for it";
}

TEST_F(SchedulerGangTest, WithALauncherAGangWaitsForItsNodesPastTheGangTimeout) {
  options_.gang_timeout = 60s;
  options_.workers_on_demand = true;
  Restart();
  Hello("w1", 1);
  Hello("w2", 1);
  Submit({Card(1, "None", "**Priority**: P0\n"), Card(2, "None", "**Nodes**: 2\n")}, /*keep_going=*/true);
  Assigns first = output_.TakeAssigns();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Message("WS-02"), "waiting: 1 of 2 nodes has a free slot");
  Pass(10min, {"w1", "w2"});
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_READY) << "its job may pend for hours: no gang timeout";
  Complete(first[0].first, first[0].second.attempt_id());
  EXPECT_EQ(TakeGang().size(), 2u) << "placed once its nodes are free";
}

TEST_F(SchedulerGangTest, AFailedRankEndsTheGangAndTheRetryPlacesItWhole) {
  Submit({Card(1, "None", "**Nodes**: 2\n**Retries**: 1\n")});
  Hello("w1", 1);
  Hello("w2", 1);
  Assigns gang = TakeGang();
  ASSERT_EQ(gang.size(), 2u);
  const std::string rank0 = gang[0].second.attempt_id(), rank1 = gang[1].second.attempt_id();
  Report(gang[0].first, {Started(rank0)});
  Report(gang[1].first, {Started(rank1), Finished(rank1, 2, v1::ATTEMPT_OUTCOME_FAILED,
                                                  "test 1 (card.md:9): hung: no output for 60 s")});
  std::string reason;
  auto cancels = TakeCancels(&reason);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0], std::make_pair(gang[0].first, rank0));
  EXPECT_NE(reason.find("rank 1 on " + gang[1].first), std::string::npos) << reason;
  // Decided once every rank has stopped; meanwhile rank 0 still holds its worker.
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_RUNNING);
  Report(gang[0].first, {Finished(rank0, 2, v1::ATTEMPT_OUTCOME_CANCELLED, "cancelled")});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(Message("WS-01"), "retrying after: rank 1 on " + gang[1].first +
                                  ": test 1 (card.md:9): hung: no output for 60 s");
  clock_.Advance(2s);
  Assigns retry = TakeGang();
  ASSERT_EQ(retry.size(), 2u);
  EXPECT_EQ(retry[0].second.attempt_number(), 2u);
  EXPECT_EQ(retry[1].second.attempt_number(), 2u);
  // The old gang's ranks are fenced off.
  output_.sent.clear();
  Report(gang[1].first, {Metric(rank1, 3, "late", 1)});
  EXPECT_EQ(output_.Count([](const v1::CoordinatorMessage& m) { return m.has_reject(); }), 1);
  for (const auto& [worker, spec] : retry) Complete(worker, spec.attempt_id());
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(SchedulerGangTest, EveryRankMustSucceedAndCriteriaSeeEveryRanksMetrics) {
  Submit({Card(1, "None", "**Nodes**: 2\n\n## Acceptance Criteria\n\n- [ ] `busbw_gbps >= 18`\n")});
  Hello("w1", 1);
  Hello("w2", 1);
  Assigns gang = TakeGang();
  ASSERT_EQ(gang.size(), 2u);
  Complete(gang[0].first, gang[0].second.attempt_id());
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_RUNNING);
  const std::string rank1 = gang[1].second.attempt_id();
  Report(gang[1].first, {Started(rank1), Metric(rank1, 2, "busbw_gbps", 21.5),
                         Finished(rank1, 3, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(SchedulerGangTest, ALostRankLosesTheWholeGang) {
  Submit({Card(1, "None", "**Nodes**: 2\n")});
  Hello("w1", 1);
  Hello("w2", 1);
  Assigns gang = TakeGang();
  ASSERT_EQ(gang.size(), 2u);
  const std::string& survivor = gang[0].first == "w1" ? gang[0].second.attempt_id()
                                                      : gang[1].second.attempt_id();
  // w1 keeps its lease; w2 falls silent.
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(2s);
    scheduler_->OnHeartbeat("w1", {});
  }
  auto cancels = TakeCancels();
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0], std::make_pair(std::string("w1"), survivor));
  Report("w1", {Started(survivor), Finished(survivor, 2, v1::ATTEMPT_OUTCOME_CANCELLED)});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_READY);
  EXPECT_NE(Message("WS-01").find("lost: rank"), std::string::npos) << Message("WS-01");
}

TEST_F(SchedulerGangTest, CancelStopsEveryRank) {
  Submit({Card(1, "None", "**Nodes**: 2\n")});
  Hello("w1", 1);
  Hello("w2", 1);
  Assigns gang = TakeGang();
  std::string error;
  EXPECT_EQ(scheduler_->Cancel("WS-01", false, &error), 1);
  EXPECT_EQ(TakeCancels().size(), 2u);
  for (const auto& [worker, spec] : gang) {
    Report(worker, {Finished(spec.attempt_id(), 1, v1::ATTEMPT_OUTCOME_CANCELLED)});
  }
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_CANCELLED);
}

TEST_F(SchedulerGangTest, RendezvousValuesReachEveryRankOnceStoredAndFirstValueStands) {
  Submit({Card(1, "None", "**Nodes**: 3\n")});
  Hello("w1", 1);
  Hello("w2", 1);
  Hello("w3", 1);
  Assigns gang = TakeGang();
  ASSERT_EQ(gang.size(), 3u);
  const std::string id(128, '\x07');
  Report(gang[0].first, {Started(gang[0].second.attempt_id()),
                         Put(gang[0].second.attempt_id(), 2, "nccl-id", id)});
  auto relays = TakeRelays();
  ASSERT_EQ(relays.size(), 3u);
  std::set<std::pair<std::string, std::string>> reached;
  for (const auto& [worker, attempt, key, value] : relays) {
    EXPECT_EQ(key, "nccl-id");
    EXPECT_EQ(value, id);
    reached.insert({worker, attempt});
  }
  for (const auto& [worker, spec] : gang) {
    EXPECT_TRUE(reached.count({worker, spec.attempt_id()})) << worker;
  }
  // The stored value stands: another rank cannot change what the others read.
  Report(gang[1].first, {Put(gang[1].second.attempt_id(), 1, "nccl-id", "other")});
  EXPECT_TRUE(TakeRelays().empty());
  // A restarted coordinator still has it, and gives it to a rank's worker that comes back.
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  output_.sent.clear();
  Hello(gang[2].first, 1, 0, {}, {gang[2].second.attempt_id()});
  relays = TakeRelays();
  ASSERT_EQ(relays.size(), 1u);
  EXPECT_EQ(std::get<1>(relays[0]), gang[2].second.attempt_id());
  EXPECT_EQ(std::get<3>(relays[0]), id);
}

TEST_F(SchedulerGangTest, ARecoveredGangWithAFailedRankEndsWhenItsWorkersReturn) {
  Submit({Card(1, "None", "**Nodes**: 2\n")});
  Hello("w1", 1);
  Hello("w2", 1);
  Assigns gang = TakeGang();
  // The coordinator dies just after rank 1's failure is stored, before rank 0 stopped.
  Report(gang[1].first, {Finished(gang[1].second.attempt_id(), 1, v1::ATTEMPT_OUTCOME_FAILED, "boom")});
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  output_.sent.clear();
  Hello(gang[0].first, 1, 0, {}, {gang[0].second.attempt_id()});
  auto cancels = TakeCancels();
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].second, gang[0].second.attempt_id());
  Report(gang[0].first, {Finished(gang[0].second.attempt_id(), 1, v1::ATTEMPT_OUTCOME_CANCELLED)});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
}

}  // namespace
}  // namespace wsfleet::coordinator
