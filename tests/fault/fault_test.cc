// Fault tests on the real binaries: a worker killed -9 mid-step (also one holding a rank of
// a multi-node gang), a coordinator killed -9
// and restarted on its state directory during a run. Afterwards the store itself is read
// to check that every workstream succeeded exactly once and nothing was stored twice.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "coordinator/sqlite_state_store.h"
#include "proto/grpc_settings.h"
#include "tests/support/process.h"
#include "wsfleet/v1/control.grpc.pb.h"

namespace wsfleet {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("wsfleet-fault-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "plan");
    address_ = "unix:" + (dir_ / "c.sock").string();
  }
  void TearDown() override {
    workers_.clear();
    coordinator_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void StartCoordinator() {
    // A short lease keeps the test short; not shorter: a worker whose lease lapses (a
    // loaded CI machine answering heartbeats late) stops its steps itself (self-fencing).
    coordinator_ = std::make_unique<testing::Process>(
        std::vector<std::string>{WSFLEET_BINARY, "coordinator", "--listen", address_, "--state",
                                 (dir_ / "state").string(), "--heartbeat", "0.3", "--lease", "3"},
        (dir_ / "coordinator.log").string());
    ASSERT_TRUE(testing::WaitFor(20s, [&] { return Status().ok(); })) << "coordinator did not start";
  }
  void StartWorker(const std::string& id, int slots) {
    workers_[id] = std::make_unique<testing::Process>(
        std::vector<std::string>{WSFLEET_BINARY, "worker", "--coordinator", address_, "--id", id,
                                 "--slots", std::to_string(slots), "--workdir",
                                 (dir_ / "work").string()},
        (dir_ / (id + ".log")).string());
  }
  void WriteCard(int id, const std::string& dependencies, const std::string& script,
                 const std::string& fields = "") {
    char name[16];
    std::snprintf(name, sizeof name, "WS-%03d", id);
    std::ofstream(dir_ / "plan" / (std::string(name) + ".md"))
        << "# " << name << ": Card " << id << "\n\n**Duration**: 1 day\n**Dependencies**: "
        << dependencies << "\n" << fields << "\n## Test Commands\n\n```bash\n" << script
        << "\n```\n";
  }
  absl::Status Submit() {
    v1::SubmitRequest request;
    for (const auto& entry : fs::directory_iterator(dir_ / "plan")) {
      std::ifstream in(entry.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      v1::SourceFile& file = *request.add_files();
      file.set_path(entry.path().string());
      file.set_text(text);
    }
    v1::SubmitResponse response;
    grpc::ClientContext context;
    grpc::Status status = Stub()->Submit(&context, request, &response);
    if (!status.ok()) return absl::UnknownError(status.error_message());
    if (response.plan_id().empty()) return absl::InvalidArgumentError("plan rejected");
    return absl::OkStatus();
  }
  // Kills the coordinator -9 `kills` times, 1.2 s apart, restarting it on its state each
  // time; then waits for the run to end, and expects it to have succeeded.
  void KillCoordinatorDuringTheRun(int kills) {
    for (int kill = 0; kill < kills; ++kill) {
      std::this_thread::sleep_for(1200ms);
      ASSERT_FALSE(Done()) << "the run ended before kill " << kill + 1 << "; make it longer";
      coordinator_->Kill(SIGKILL);
      StartCoordinator();
    }
    ASSERT_TRUE(testing::WaitFor(120s, [&] { return Done(); })) << "run did not finish";
    auto status = Status();
    ASSERT_TRUE(status.ok());
    EXPECT_TRUE(status->succeeded());
  }
  absl::StatusOr<v1::RunStatus> Status() {
    v1::RunStatus status;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 2s);
    grpc::Status rpc = Stub()->GetStatus(&context, {}, &status);
    if (!rpc.ok()) return absl::UnavailableError(rpc.error_message());
    return status;
  }
  bool Done() {
    auto status = Status();
    return status.ok() && !status->plan_id().empty() && status->done();
  }
  std::unique_ptr<v1::ControlService::Stub> Stub() {
    return v1::ControlService::NewStub(rpc::Connect(address_));
  }

  // The store, read directly: every workstream SUCCEEDED with exactly one succeeded attempt,
  // and no attempt with more than one start or finish.
  void ExpectEachSucceededExactlyOnce(size_t workstreams) {
    coordinator_.reset();  // the store is read with the coordinator stopped
    auto store = coordinator::SqliteStateStore::Open((dir_ / "state").string());
    ASSERT_TRUE(store.ok());
    auto loaded = (*store)->Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_EQ(loaded->plans.size(), 1u);
    const coordinator::StoredPlan* state = &loaded->plans[0];
    ASSERT_EQ(state->workstreams.size(), workstreams);
    for (const auto& row : state->workstreams) {
      EXPECT_EQ(row.state, v1::WORKSTREAM_STATE_SUCCEEDED) << row.workstream_id << ": " << row.message;
    }
    std::map<std::string, int> succeeded;
    for (const auto& attempt : state->attempts) {
      if (attempt.outcome == v1::ATTEMPT_OUTCOME_SUCCEEDED) ++succeeded[attempt.workstream_id];
    }
    for (const auto& row : state->workstreams) {
      EXPECT_EQ(succeeded[row.workstream_id], 1) << row.workstream_id;
    }
    std::map<std::string, int> starts, finishes;
    std::set<std::pair<std::string, uint64_t>> seen;
    for (const auto& event : state->events) {
      EXPECT_TRUE(seen.insert({event.attempt_id(), event.seq()}).second);
      if (event.has_started()) ++starts[event.attempt_id()];
      if (event.has_finished()) ++finishes[event.attempt_id()];
    }
    for (const auto& [attempt, count] : starts) EXPECT_EQ(count, 1) << attempt;
    for (const auto& [attempt, count] : finishes) EXPECT_EQ(count, 1) << attempt;
  }

  fs::path dir_;
  std::string address_;
  std::unique_ptr<testing::Process> coordinator_;
  std::map<std::string, std::unique_ptr<testing::Process>> workers_;
};

TEST_F(FaultTest, WorkerKilledMidStepIsReplaced) {
  StartCoordinator();
  StartWorker("w1", 2);
  for (int i = 1; i <= 4; ++i) WriteCard(i, "None", "echo start; sleep 1; echo done");
  ASSERT_TRUE(Submit().ok());
  ASSERT_TRUE(testing::WaitFor(20s, [&] {
    auto status = Status();
    if (!status.ok()) return false;
    for (const auto& ws : status->workstreams()) {
      if (ws.state() == v1::WORKSTREAM_STATE_RUNNING) return true;
    }
    return false;
  }));
  StartWorker("w2", 2);
  workers_["w1"]->Kill(SIGKILL);
  ASSERT_TRUE(testing::WaitFor(60s, [&] { return Done(); })) << "run did not finish";
  auto status = Status();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->succeeded());
  int retried = 0;
  for (const auto& ws : status->workstreams()) retried += ws.attempts() > 1 ? 1 : 0;
  EXPECT_GE(retried, 1);  // what w1 was running ran again on w2
  ExpectEachSucceededExactlyOnce(4);
}

TEST_F(FaultTest, CoordinatorKilledThreeTimesDuringA200WorkstreamRun) {
  for (int i = 1; i <= 200; ++i) {
    std::string deps = "None";
    if (i > 10 && i % 3 != 0) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "WS-%03d", i - 10);
      deps = buffer;
    }
    WriteCard(i, deps, "echo $WSFLEET_WORKSTREAM_ID; sleep 0.6; echo METRIC n=1");
  }
  StartCoordinator();
  for (int w = 1; w <= 3; ++w) StartWorker("w" + std::to_string(w), 4);
  ASSERT_TRUE(Submit().ok());
  KillCoordinatorDuringTheRun(3);
  if (HasFatalFailure()) return;
  ExpectEachSucceededExactlyOnce(200);
}

TEST_F(FaultTest, AGangWhoseRankLosesItsWorkerRunsAgainAsAWholeGang) {
  StartCoordinator();
  for (const char* id : {"w1", "w2", "w3"}) StartWorker(id, 1);
  WriteCard(1, "None", "echo rank $WSFLEET_NODE_RANK; sleep 8; echo done", "**Nodes**: 2\n");  // outlasts the lease
  // All three workers must have joined, so that the gang can be placed again without one.
  ASSERT_TRUE(testing::WaitFor(20s, [&] {
    v1::ListWorkersResponse workers;
    grpc::ClientContext context;
    return Stub()->ListWorkers(&context, {}, &workers).ok() && workers.workers_size() == 3;
  }));
  ASSERT_TRUE(Submit().ok());
  std::string placed;  // "wA,wB": the first gang's workers, rank order
  ASSERT_TRUE(testing::WaitFor(20s, [&] {
    auto status = Status();
    if (!status.ok() || status->workstreams_size() != 1) return false;
    placed = status->workstreams(0).worker_id();
    return status->workstreams(0).state() == v1::WORKSTREAM_STATE_RUNNING;
  }));
  ASSERT_EQ(placed.size(), 5u) << placed;
  const std::string rank1_worker = placed.substr(3);
  workers_[rank1_worker]->Kill(SIGKILL);
  ASSERT_TRUE(testing::WaitFor(60s, [&] { return Done(); })) << "run did not finish";
  auto status = Status();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->succeeded()) << status->workstreams(0).message();
  EXPECT_EQ(status->workstreams(0).attempts(), 2u);

  coordinator_.reset();
  auto store = coordinator::SqliteStateStore::Open((dir_ / "state").string());
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  const coordinator::StoredPlan* state = &loaded->plans[0];
  std::map<int, std::vector<coordinator::AttemptRow>> by_number;
  for (const auto& attempt : state->attempts) by_number[attempt.number].push_back(attempt);
  ASSERT_EQ(by_number.size(), 2u);
  // The first gang: the killed worker's rank lost, the other rank stopped for it.
  ASSERT_EQ(by_number[1].size(), 2u);
  std::set<v1::AttemptOutcome> first;
  for (const auto& rank : by_number[1]) {
    first.insert(rank.outcome);
    EXPECT_EQ(rank.GangId(), by_number[1][0].GangId());
  }
  EXPECT_EQ(first, (std::set<v1::AttemptOutcome>{v1::ATTEMPT_OUTCOME_LOST, v1::ATTEMPT_OUTCOME_CANCELLED}));
  // The second: both ranks again, on the two live workers, both succeeded.
  ASSERT_EQ(by_number[2].size(), 2u);
  std::set<std::string> second_workers;
  std::set<int> ranks;
  for (const auto& rank : by_number[2]) {
    EXPECT_EQ(rank.outcome, v1::ATTEMPT_OUTCOME_SUCCEEDED) << rank.attempt_id;
    second_workers.insert(rank.worker_id);
    ranks.insert(rank.rank);
  }
  EXPECT_EQ(ranks, (std::set<int>{0, 1}));
  EXPECT_EQ(second_workers.size(), 2u);
  EXPECT_FALSE(second_workers.count(rank1_worker));
}

// Agents in worktrees of one repository, merging back through the queue, while the
// coordinator is killed -9 twice: every workstream merges exactly once, in dependency
// order, and every attempt's agent transcript is kept.
TEST_F(FaultTest, AgentPlanLosesNoMergeAndNoTranscriptWhenTheCoordinatorIsKilled) {
  fs::path repo = dir_ / "work";
  fs::create_directories(repo);
  std::string git = "git -C " + repo.string();
  ASSERT_EQ(std::system((git + " init -q -b main && " + git +
                         " -c user.email=t@t -c user.name=t commit -q --allow-empty -m root")
                            .c_str()),
            0);
  // The stand-in CLIs (tests/agents/standin-agent) on the workers' PATH.
  fs::create_directories(dir_ / "bin");
  for (const char* name : {"claude", "codex", "opencode"}) {
    fs::create_symlink(fs::path(WSFLEET_SOURCE_DIR) / "tests/agents/standin-agent", dir_ / "bin" / name);
  }
  std::string path = (dir_ / "bin").string() + ":" + std::getenv("PATH");
  ::setenv("PATH", path.c_str(), 1);
  const char* agents[] = {"claude", "codex", "opencode"};
  const char* dependencies[] = {"None", "None", "None", "WS-01, WS-02", "WS-03", "WS-04, WS-05"};
  for (int i = 1; i <= 6; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "WS-%02d", i);
    WriteCard(i, dependencies[i - 1], std::string("sleep 0.8; test -f out/") + id + ".txt",
              std::string("**Agent Type**: `") + agents[(i - 1) % 3] + "`\n\n## Objective\n\nstandin-write: out/" +
                  id + ".txt done\n");
  }
  StartCoordinator();
  for (int w = 1; w <= 3; ++w) StartWorker("w" + std::to_string(w), 1);
  ASSERT_TRUE(Submit().ok());
  KillCoordinatorDuringTheRun(2);
  if (HasFatalFailure()) return;

  // The integration branch: one commit per workstream, each file there, dependents after.
  std::string subjects = dir_ / "subjects.txt";
  ASSERT_EQ(std::system((git + " log --format=%s --glob='refs/heads/wsfleet/*/integration' > " + subjects).c_str()), 0);
  std::ifstream in(subjects);
  std::map<std::string, int> merged;
  std::vector<std::string> order;  // newest first
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("WS-", 0) == 0) {
      std::string id = line.substr(0, line.find(':'));
      ++merged[id];
      order.push_back(id);
    }
  }
  for (int i = 1; i <= 6; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "WS-%02d", i);
    EXPECT_EQ(merged[id], 1) << id << " merged " << merged[id] << " times";
    // Every attempt's log holds its agent's event stream.
    for (const auto& log : fs::directory_iterator(dir_ / "state" / "latest" / "logs" / id)) {
      std::ifstream text(log.path());
      std::string content((std::istreambuf_iterator<char>(text)), std::istreambuf_iterator<char>());
      EXPECT_NE(content.find("standin-"), std::string::npos) << log.path() << " has no transcript";
    }
  }
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.front(), "WS-06") << "the last dependent merges last";
  ExpectEachSucceededExactlyOnce(6);
}

}  // namespace
}  // namespace wsfleet
