// The worker's decisions on a fake clock, with the coordinator's side scripted: hello and
// welcome, heartbeats, slots and the queue beyond them, revoke, acks and reaping, the
// held sends, reconnect backoff, a refused token. The attempts are real (a shell step on
// their own threads); everything else runs on this thread, as the worker's loop.

#include "worker/worker_core.h"
#include "worker/step_fence.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include <prometheus/registry.h>

#include "tests/support/fake_clock.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

// The loop, run by the test: what other threads post waits here until RunPending().
class ManualExecutor : public common::Executor {
 public:
  void Post(std::function<void()> task) override {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  size_t RunPending() {
    std::deque<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
    return tasks.size();
  }

 private:
  std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;
};

// The coordinator's end: records what the worker sends; the test answers.
class ScriptedLink : public CoordinatorLink {
 public:
  class ScriptedSession : public Session {
   public:
    void Send(v1::WorkerMessage message) override { sent.push_back(std::move(message)); }
    void Close() override { closed = true; }
    std::vector<v1::WorkerMessage> sent;
    bool closed = false;
  };

  std::shared_ptr<Session> Open(const v1::WorkerMessage& hello, OnMessage on_message, OnEnd on_end) override {
    hellos.push_back(hello.hello());
    sessions.push_back(std::make_shared<ScriptedSession>());
    on_message_ = std::move(on_message);
    on_end_ = std::move(on_end);
    return sessions.back();
  }
  void Deliver(v1::CoordinatorMessage message) { on_message_(std::move(message)); }
  void End(grpc::Status status) { on_end_(std::move(status)); }
  ScriptedSession& session() { return *sessions.back(); }

  std::vector<v1::Hello> hellos;
  std::vector<std::shared_ptr<ScriptedSession>> sessions;

 private:
  OnMessage on_message_;
  OnEnd on_end_;
};

class WorkerCoreTest : public ::testing::Test {
 protected:
  WorkerCoreTest() {
    dir_ = fs::temp_directory_path() / ("wsfleet-core-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    config_.worker_id = "w1";
    config_.slots = 1;
    config_.join_token = "secret";
    config_.labels = {{"zone", "a"}};
    config_.spool_dir = (dir_ / "spool").string();
    config_.runner.workdir = (dir_ / "work").string();
    config_.runner.base_env = {"PATH=/usr/bin:/bin"};
  }
  ~WorkerCoreTest() override {
    core_.reset();
    fs::remove_all(dir_);
  }

  void Start() {
    core_ = std::make_unique<WorkerCore>(config_, clock_, loop_, link_, metrics_,
                                         [this](absl::Status why) { refused_ = why; });
    core_->Connect();
  }
  // Runs what was posted (and the batch-end flush), as the loop would.
  void Turn() {
    loop_.RunPending();
    core_->FlushEvents();
  }
  // Turns until `done` holds; real attempts take real time (bounded: 20 s).
  template <typename Predicate>
  bool TurnUntil(Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      Turn();
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  void Welcome() {
    v1::CoordinatorMessage message;
    message.mutable_welcome()->set_heartbeat_interval_ms(1000);
    link_.Deliver(message);
    Turn();
  }
  void Assign(const std::string& id, const std::string& script) {
    v1::CoordinatorMessage message;
    v1::AttemptSpec& spec = *message.mutable_assign()->mutable_attempt();
    spec.set_attempt_id(id);
    spec.set_workstream_id("WS-01");
    spec.set_attempt_number(1);
    v1::StepSpec& step = *spec.add_steps();
    step.set_name("test 1");
    step.set_script(script);
    link_.Deliver(message);
    Turn();
  }
  void Ack(const std::string& id, uint64_t seq) {
    v1::CoordinatorMessage message;
    message.mutable_ack()->set_attempt_id(id);
    message.mutable_ack()->set_seq(seq);
    link_.Deliver(message);
    Turn();
  }

  // Every event sent so far for `id`, over every session.
  std::vector<v1::Event> Sent(const std::string& id) const {
    std::vector<v1::Event> events;
    for (const auto& session : link_.sessions) {
      for (const v1::WorkerMessage& message : session->sent) {
        for (const v1::Event& event : message.events().events()) {
          if (event.attempt_id() == id) events.push_back(event);
        }
      }
    }
    return events;
  }
  const v1::AttemptFinished* Finished(const std::string& id) {
    for (const v1::Event& event : Sent(id)) {
      if (event.has_finished()) {
        finished_ = event.finished();
        return &finished_;
      }
    }
    return nullptr;
  }
  bool Started(const std::string& id) {
    for (const v1::Event& event : Sent(id)) {
      if (event.has_started()) return true;
    }
    return false;
  }
  int Heartbeats() const {
    int count = 0;
    for (const v1::WorkerMessage& message : link_.sessions.back()->sent) count += message.has_heartbeat();
    return count;
  }
  uint64_t LastSeq(const std::string& id) const {
    uint64_t seq = 0;
    for (const v1::Event& event : Sent(id)) seq = std::max(seq, event.seq());
    return seq;
  }

  fs::path dir_;
  WorkerConfig config_;
  testing::FakeClock clock_;
  ManualExecutor loop_;
  ScriptedLink link_;
  prometheus::Registry registry_;
  WorkerMetrics metrics_{registry_, "w1", "host", 1};
  std::optional<absl::Status> refused_;
  v1::AttemptFinished finished_;
  StepFence fence_{""};  // no guard: the worker fences on its own (outlives core_'s attempts)
  std::unique_ptr<WorkerCore> core_;
};

TEST_F(WorkerCoreTest, SaysHelloAndBeatsOnTheClockOnceWelcomed) {
  Start();
  ASSERT_EQ(link_.hellos.size(), 1u);
  const v1::Hello& hello = link_.hellos[0];
  EXPECT_EQ(hello.worker_id(), "w1");
  EXPECT_EQ(hello.token(), "secret");
  EXPECT_EQ(hello.resources().slots(), 1u);
  EXPECT_EQ(hello.resources().labels().at("zone"), "a");
  EXPECT_EQ(Heartbeats(), 0);  // not before the welcome
  Welcome();
  EXPECT_EQ(Heartbeats(), 1);
  clock_.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ(Heartbeats(), 1);
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(Heartbeats(), 2);
  clock_.Advance(std::chrono::seconds(3));
  EXPECT_EQ(Heartbeats(), 5);
  EXPECT_TRUE(core_->Snapshot().connected);
}

TEST_F(WorkerCoreTest, RunsAnAttemptSendsItsEndAtOnceAndReapsItOnceAcked) {
  Start();
  Welcome();
  Assign("a1", "echo hello");
  EXPECT_EQ(core_->Snapshot().attempts_running, 1u);
  // Its end is urgent: it goes out without waiting for the hold (the clock never moves).
  ASSERT_TRUE(TurnUntil([&] { return Finished("a1") != nullptr; }));
  EXPECT_EQ(Finished("a1")->outcome(), v1::ATTEMPT_OUTCOME_SUCCEEDED);
  EXPECT_TRUE(Started("a1"));
  EXPECT_EQ(core_->Snapshot().attempts_running, 1u);  // kept until the coordinator has it
  Ack("a1", LastSeq("a1"));
  EXPECT_EQ(core_->Snapshot().attempts_running, 0u);
  EXPECT_EQ(core_->Snapshot().outbox_memory_bytes, 0u);
}

TEST_F(WorkerCoreTest, HoldsOutputUntilTheHoldPassesOnTheClock) {
  Start();
  Welcome();
  Assign("a1", "echo started; sleep 30");
  // Started and its first output wait out the 10 ms hold: nothing goes while the clock stands.
  ASSERT_TRUE(TurnUntil([&] { return core_->Snapshot().outbox_memory_bytes > 0; }));
  EXPECT_TRUE(Sent("a1").empty());
  clock_.Advance(std::chrono::milliseconds(10));
  Turn();
  EXPECT_TRUE(Started("a1"));
  v1::CoordinatorMessage cancel;
  cancel.mutable_cancel()->set_attempt_id("a1");
  cancel.mutable_cancel()->set_reason("test over");
  link_.Deliver(cancel);
  ASSERT_TRUE(TurnUntil([&] { return Finished("a1") != nullptr; }));
  EXPECT_EQ(Finished("a1")->outcome(), v1::ATTEMPT_OUTCOME_CANCELLED);
}

TEST_F(WorkerCoreTest, QueuesBeyondItsSlotsReportsTheQueueAndEndsARevokedOneUnstarted) {
  Start();
  Welcome();
  Assign("a1", "sleep 30");
  Assign("a2", "true");
  ASSERT_TRUE(TurnUntil([&] { return core_->Snapshot().attempts_running == 2; }));
  // A new session's hello says which one waits in the queue.
  link_.End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone"));
  Turn();
  clock_.Advance(std::chrono::milliseconds(300));
  ASSERT_EQ(link_.hellos.size(), 2u);
  std::map<std::string, bool> queued;
  for (const v1::RunningAttempt& running : link_.hellos[1].attempts()) queued[running.attempt_id()] = running.queued();
  EXPECT_EQ(queued, (std::map<std::string, bool>{{"a1", false}, {"a2", true}}));
  Welcome();
  v1::CoordinatorMessage revoke;
  revoke.mutable_revoke()->set_attempt_id("a2");
  link_.Deliver(revoke);
  ASSERT_TRUE(TurnUntil([&] { return Finished("a2") != nullptr; }));
  EXPECT_EQ(Finished("a2")->outcome(), v1::ATTEMPT_OUTCOME_REVOKED);
  EXPECT_FALSE(Started("a2"));
}

TEST_F(WorkerCoreTest, AFailureHoldsTheQueueUntilTheCoordinatorHasStoredIt) {
  Start();
  Welcome();
  Assign("a1", "exit 3");
  Assign("a2", "true");
  ASSERT_TRUE(TurnUntil([&] { return Finished("a1") != nullptr; }));
  EXPECT_EQ(Finished("a1")->outcome(), v1::ATTEMPT_OUTCOME_FAILED);
  // The slot is free, but a2 waits: the failure may halt the run and take the queue back.
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    clock_.Advance(std::chrono::milliseconds(10));  // past the hold: what was emitted goes
    Turn();
  }
  EXPECT_FALSE(Started("a2"));
  Ack("a1", LastSeq("a1"));
  ASSERT_TRUE(TurnUntil([&] { return Finished("a2") != nullptr; }));
  EXPECT_TRUE(Started("a2"));
}

// The lease: renewed by the coordinator's answer to each heartbeat, from when that
// heartbeat was sent. Unanswered for a lease, the worker stops its running attempts
// (handed back, to run elsewhere) and starts nothing until a renewal comes.
TEST_F(WorkerCoreTest, StopsItsAttemptsWhenItsLeaseLapsesAndResumesWhenRenewed) {
  config_.runner.fence = &fence_;
  Start();
  v1::CoordinatorMessage welcome;
  welcome.mutable_welcome()->set_heartbeat_interval_ms(1000);
  welcome.mutable_welcome()->set_lease_ms(3000);
  link_.Deliver(welcome);
  Turn();
  Assign("a1", "sleep 30");
  Assign("a2", "true");
  ASSERT_TRUE(TurnUntil([&] { return core_->Snapshot().outbox_memory_bytes > 0; }));  // a1 started
  auto renew_last_heartbeat = [&] {
    int64_t sent = 0;
    for (const v1::WorkerMessage& message : link_.sessions.back()->sent) {
      if (message.has_heartbeat()) sent = message.heartbeat().sent_ms();
    }
    ASSERT_GT(sent, 0);
    v1::CoordinatorMessage lease;
    lease.mutable_lease()->set_heartbeat_sent_ms(sent);
    lease.mutable_lease()->set_lease_ms(3000);
    link_.Deliver(lease);
    Turn();
  };
  for (int beat = 0; beat < 6; ++beat) {  // 6 s, twice the lease, renewed all along
    clock_.Advance(std::chrono::seconds(1));
    Turn();
    renew_last_heartbeat();
  }
  EXPECT_EQ(Finished("a1"), nullptr) << "a renewed lease stops nothing";
  // The answers stop (the worker is cut off): a lease after the last answered heartbeat.
  clock_.Advance(std::chrono::milliseconds(2999));
  Turn();
  EXPECT_EQ(Finished("a1"), nullptr);
  clock_.Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(TurnUntil([&] { return Finished("a1") != nullptr; }));
  EXPECT_EQ(Finished("a1")->outcome(), v1::ATTEMPT_OUTCOME_HANDED_BACK);
  EXPECT_NE(Finished("a1")->message().find("lease lapsed"), std::string::npos) << Finished("a1")->message();
  Ack("a1", LastSeq("a1"));  // the slot is free, but a2 waits for a lease
  for (int i = 0; i < 20; ++i) Turn();
  EXPECT_FALSE(Started("a2"));
  renew_last_heartbeat();
  ASSERT_TRUE(TurnUntil([&] { return Finished("a2") != nullptr; }));
  EXPECT_EQ(Finished("a2")->outcome(), v1::ATTEMPT_OUTCOME_SUCCEEDED);
}

TEST_F(WorkerCoreTest, ReconnectsWithGrowingJitteredBackoff) {
  Start();
  Welcome();
  for (int round = 0; round < 3; ++round) {
    size_t hellos = link_.hellos.size();
    link_.End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone"));
    Turn();
    common::Nanos base = std::chrono::milliseconds(200) * (1 << round);  // 200, 400, 800 ms
    clock_.Advance(base * 8 / 10 - std::chrono::milliseconds(1));
    EXPECT_EQ(link_.hellos.size(), hellos) << "round " << round;
    clock_.Advance(base * 4 / 10 + std::chrono::milliseconds(2));
    EXPECT_EQ(link_.hellos.size(), hellos + 1) << "round " << round;
  }
  EXPECT_FALSE(refused_.has_value());
}

TEST_F(WorkerCoreTest, ARefusedTokenStopsTheWorkerWithoutRetrying) {
  Start();
  link_.End(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong join token"));
  Turn();
  ASSERT_TRUE(refused_.has_value());
  EXPECT_EQ(refused_->code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(refused_->message().find("wrong join token"), std::string::npos);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(link_.hellos.size(), 1u);
}

TEST_F(WorkerCoreTest, LeavesOnceIdleForItsIdleExitAndNotWhileWorkRuns) {
  config_.idle_exit = std::chrono::seconds(10);
  std::vector<std::string> left;
  Start();
  core_->set_on_idle([&](const std::string& reason) { left.push_back(reason); });
  Welcome();
  clock_.Advance(std::chrono::seconds(5));
  Assign("a1", "sleep 0.3");
  clock_.Advance(std::chrono::seconds(30));  // busy all along: the idle time starts again
  EXPECT_TRUE(left.empty());
  ASSERT_TRUE(TurnUntil([&] { return Finished("a1") != nullptr; }));
  clock_.Advance(std::chrono::seconds(20));
  EXPECT_TRUE(left.empty()) << "ended but not acknowledged: not yet idle";
  Ack("a1", LastSeq("a1"));
  clock_.Advance(std::chrono::seconds(9));
  EXPECT_TRUE(left.empty());
  clock_.Advance(std::chrono::seconds(2));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_NE(left[0].find("--idle-exit"), std::string::npos) << left[0];
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(left.size(), 1u) << "said once";
}

TEST_F(WorkerCoreTest, WithoutIdleExitAnIdleWorkerStays) {
  std::vector<std::string> left;
  Start();
  core_->set_on_idle([&](const std::string& reason) { left.push_back(reason); });
  Welcome();
  clock_.Advance(std::chrono::hours(24));
  EXPECT_TRUE(left.empty());
}

TEST_F(WorkerCoreTest, StoppingCancelsRunningAttemptsAndClosesTheSession) {
  Start();
  Welcome();
  Assign("a1", "sleep 30");
  ASSERT_TRUE(TurnUntil([&] { return core_->Snapshot().outbox_memory_bytes > 0; }));
  auto begun = std::chrono::steady_clock::now();
  core_->BeginStop();
  core_->JoinAttempts();
  EXPECT_LT(std::chrono::steady_clock::now() - begun, std::chrono::seconds(10));  // sleep 30 was killed
  EXPECT_TRUE(link_.session().closed);
}

}  // namespace
}  // namespace wsfleet::worker
