#include "coordinator/sqlite_state_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "coordinator/placement_policy.h"
#include "coordinator/scheduler.h"
#include "tests/support/fake_clock.h"
#include "tests/support/recording_output.h"

namespace wsfleet::coordinator {
namespace {

// RecordEvents takes its batch by reference (kept intact on failure, for a retry).
absl::Status Record(StateStore& store, std::vector<v1::Event> events, const std::vector<AttemptRow>& attempts,
                    const std::vector<WorkstreamRow>& rows) {
  return store.RecordEvents(events, attempts, rows);
}


namespace fs = std::filesystem;

class SqliteStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("wsfleet-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SqliteStateStore> Open() {
    auto store = SqliteStateStore::Open(dir_.string());
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(*store);
  }

  static v1::Event Log(const std::string& attempt, uint64_t seq, const std::string& data) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_log()->set_data(data);
    return event;
  }

  fs::path dir_;
};

TEST_F(SqliteStateStoreTest, OperationsSurviveReopening) {
  {
    auto store = Open();
    PlanRow plan{"p1", "demo", true, 1234, {{"ws1.md", "# WS-1: A\n"}}, {"[parsed]", "[part 2]"}, {}};
    WorkstreamRow row;
    row.plan_id = "p1";
    row.workstream_id = "WS-01";
    ASSERT_TRUE(store->SubmitPlan(plan, {row}, {}).ok());
    AttemptRow attempt;
    attempt.plan_id = "p1";
    attempt.attempt_id = "WS-01-a1-x";
    attempt.workstream_id = "WS-01";
    attempt.number = 1;
    attempt.worker_id = "w1";
    attempt.gpus = {0, 3};
    row.state = v1::WORKSTREAM_STATE_ASSIGNED;
    row.current_attempt = attempt.attempt_id;
    ASSERT_TRUE(store->StartAttempts({attempt}, {row}).ok());
    attempt.stored_seq = 2;
    row.state = v1::WORKSTREAM_STATE_RUNNING;
    v1::Event metric;
    metric.set_attempt_id(attempt.attempt_id);
    metric.set_seq(2);
    metric.mutable_metric()->set_name("gbps");
    metric.mutable_metric()->set_value(42);
    ASSERT_TRUE(Record(*store, {Log(attempt.attempt_id, 1, "hello\n"), metric}, {attempt}, {row}).ok());
  }
  auto store = Open();
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  const StoredPlan* state = &loaded->plans[0];
  EXPECT_EQ(state->plan.name, "demo");
  EXPECT_TRUE(state->plan.keep_going);
  ASSERT_EQ(state->plan.files.size(), 1u);
  EXPECT_EQ(state->plan.files[0].text, "# WS-1: A\n");
  EXPECT_EQ(state->plan.parsed, (std::vector<std::string>{"[parsed]", "[part 2]"}));
  ASSERT_EQ(state->workstreams.size(), 1u);
  EXPECT_EQ(state->workstreams[0].state, v1::WORKSTREAM_STATE_RUNNING);
  ASSERT_EQ(state->attempts.size(), 1u);
  EXPECT_EQ(state->attempts[0].gpus, (std::vector<uint32_t>{0, 3}));
  EXPECT_EQ(state->attempts[0].stored_seq, 2u);
  ASSERT_EQ(state->events.size(), 2u);
  EXPECT_EQ(state->events[0].log().data(), "");  // log bytes live in the file
  EXPECT_EQ(state->events[1].metric().value(), 42);
  std::ifstream log(store->LogPath("p1", "WS-01", "WS-01-a1-x"));
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "hello\n");
}

// Edited cards (a re-run): the texts and parsed workstreams are replaced, the rows given
// written, and a workstream no card holds any more goes with its attempts and events.
TEST_F(SqliteStateStoreTest, RevisedCardsReplaceTheOldAndTakeRemovedWorkstreamsAlong) {
  {
    auto store = Open();
    WorkstreamRow one;
    one.workstream_id = "WS-01";
    WorkstreamRow two;
    two.workstream_id = "WS-02";
    one.plan_id = two.plan_id = "p1";
    ASSERT_TRUE(store->SubmitPlan({"p1", "demo", false, 0, {{"a.md", "old a"}, {"b.md", "old b"}}, {"[old]"}, {}},
                                  {one, two}, {})
                    .ok());
    AttemptRow attempt;
    attempt.plan_id = "p1";
    attempt.attempt_id = "WS-02-a1-x";
    attempt.workstream_id = "WS-02";
    attempt.number = 1;
    ASSERT_TRUE(store->StartAttempts({attempt}, {two}).ok());
    ASSERT_TRUE(Record(*store, {Log(attempt.attempt_id, 1, "two\n")}, {attempt}, {two}).ok());
    WorkstreamRow three;
    three.plan_id = "p1";
    three.workstream_id = "WS-03";
    one.state = v1::WORKSTREAM_STATE_PENDING;
    one.message = "edited";
    ASSERT_TRUE(store->ReviseCards({"p1", "demo", false, 0, {{"a.md", "new a"}}, {"[new]"}, {}}, {one, three}, {"WS-02"})
                    .ok());
  }
  auto store = Open();
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  const StoredPlan* state = &loaded->plans[0];
  ASSERT_EQ(state->plan.files.size(), 1u);
  EXPECT_EQ(state->plan.files[0].text, "new a");
  EXPECT_EQ(state->plan.parsed, std::vector<std::string>{"[new]"});
  ASSERT_EQ(state->workstreams.size(), 2u);
  EXPECT_EQ(state->workstreams[0].workstream_id, "WS-01");
  EXPECT_EQ(state->workstreams[0].message, "edited");
  EXPECT_EQ(state->workstreams[1].workstream_id, "WS-03");
  EXPECT_TRUE(state->attempts.empty());
  EXPECT_TRUE(state->events.empty());
}

TEST_F(SqliteStateStoreTest, LogBytesWithoutCommittedEventsAreCutOnLoad) {
  auto store = Open();
  ASSERT_TRUE(store->SubmitPlan({"p1", "demo", false, 0, {}, {}, {}}, {}, {}).ok());
  AttemptRow attempt;
  attempt.plan_id = "p1";
  attempt.attempt_id = "a1";
  attempt.workstream_id = "WS-02";
  WorkstreamRow row;
  row.plan_id = "p1";
  row.workstream_id = "WS-02";
  ASSERT_TRUE(store->StartAttempts({attempt}, {row}).ok());
  ASSERT_TRUE(Record(*store, {Log("a1", 1, "kept\n")}, {attempt}, {}).ok());
  // A crash after the log append, before the commit: the bytes are there, the row is not.
  std::ofstream(store->LogPath("p1", "WS-02", "a1"), std::ios::app) << "uncommitted\n";
  ASSERT_TRUE(store->Load().ok());
  EXPECT_EQ(fs::file_size(store->LogPath("p1", "WS-02", "a1")), 5u);
}

TEST_F(SqliteStateStoreTest, TheAgentsOutputIsAlsoItsTranscriptCutLikeTheLog) {
  auto store = Open();
  ASSERT_TRUE(store->SubmitPlan({"p1", "demo", false, 0, {}, {}, {}}, {}, {}).ok());
  AttemptRow attempt;
  attempt.plan_id = "p1";
  attempt.attempt_id = "a1";
  attempt.workstream_id = "WS-02";
  ASSERT_TRUE(store->StartAttempts({attempt}, {}).ok());
  v1::Event agent = Log("a1", 1, "{\"type\":\"turn.started\"}\n");
  agent.mutable_log()->set_transcript(true);
  ASSERT_TRUE(Record(*store, {agent, Log("a1", 2, "test output\n")}, {attempt}, {}).ok());
  fs::path transcript = dir_ / "plans" / "p1" / "transcripts" / "WS-02" / "a1.jsonl";
  std::ifstream in(transcript);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{\"type\":\"turn.started\"}\n") << "the step's other output is not in it";
  EXPECT_EQ(fs::file_size(store->LogPath("p1", "WS-02", "a1")), 36u) << "and the log has both";
  std::ofstream(transcript, std::ios::app) << "{\"uncommitted\":1}\n";
  ASSERT_TRUE(store->Load().ok());
  EXPECT_EQ(fs::file_size(transcript), 24u);
}

TEST_F(SqliteStateStoreTest, OutputAWorkerOnThisMachineWroteIsStoredWhereItIs) {
  auto store = Open();
  ASSERT_TRUE(store->SubmitPlan({"p1", "demo", false, 0, {}, {}, {}}, {}, {}).ok());
  AttemptRow attempt;
  attempt.plan_id = "p1";
  attempt.attempt_id = "a1";
  attempt.workstream_id = "WS-03";
  ASSERT_TRUE(store->StartAttempts({attempt}, {}).ok());
  // The worker appended "first\nsecond\n" itself and names the two ranges.
  fs::create_directories(fs::path(store->LogPath("p1", "WS-03", "a1")).parent_path());
  std::ofstream(store->LogPath("p1", "WS-03", "a1")) << "first\nsecond\n";
  auto named = [](uint64_t seq, uint64_t offset, uint64_t length) {
    v1::Event event = Log("a1", seq, "");
    event.mutable_log()->set_in_file(true);
    event.mutable_log()->set_offset(offset);
    event.mutable_log()->set_length(length);
    return event;
  };
  attempt.stored_seq = 2;
  ASSERT_TRUE(Record(*store, {named(1, 0, 6), named(2, 6, 7)}, {attempt}, {}).ok());
  // One the worker sent with its bytes lands after them.
  attempt.stored_seq = 3;
  ASSERT_TRUE(Record(*store, {Log("a1", 3, "third\n")}, {attempt}, {}).ok());
  std::ifstream in(store->LogPath("p1", "WS-03", "a1"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "first\nsecond\nthird\n");
  // Ranges past the end of the file are not stored: those bytes are not there.
  EXPECT_EQ(Record(*store, {named(4, 19, 10)}, {attempt}, {}).code(), absl::StatusCode::kDataLoss);
  // Reloading keeps every byte a stored event names.
  ASSERT_TRUE(store->Load().ok());
  EXPECT_EQ(fs::file_size(store->LogPath("p1", "WS-03", "a1")), 19u);
}

TEST_F(SqliteStateStoreTest, DuplicateEventsAreStoredOnce) {
  auto store = Open();
  ASSERT_TRUE(store->SubmitPlan({"p1", "demo", false, 0, {}, {}, {}}, {}, {}).ok());
  AttemptRow attempt;
  attempt.plan_id = "p1";
  attempt.attempt_id = "a1";
  attempt.workstream_id = "WS-01";
  ASSERT_TRUE(store->StartAttempts({attempt}, {}).ok());
  v1::Event event;
  event.set_attempt_id("a1");
  event.set_seq(1);
  event.mutable_started();
  ASSERT_TRUE(Record(*store, {event}, {attempt}, {}).ok());
  ASSERT_TRUE(Record(*store, {event}, {attempt}, {}).ok());
  EXPECT_EQ(store->Load()->plans.at(0).events.size(), 1u);
}

TEST_F(SqliteStateStoreTest, AnUnusableStateDirectoryIsAClearError) {
  std::ofstream(dir_.string()) << "a file, not a directory";
  auto store = SqliteStateStore::Open(dir_.string());
  EXPECT_FALSE(store.ok());
  fs::remove(dir_);
}

TEST_F(SqliteStateStoreTest, RefusesAStateDirectoryWrittenByANewerWsfleet) {
  Open().reset();  // creates it with this version's layout
  {
    SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version=999");
  }
  auto store = SqliteStateStore::Open(dir_.string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("written by a newer wsfleet (layout 999"), std::string::npos)
      << store.status();
}

TEST_F(SqliteStateStoreTest, GangRanksRoundTrip) {
  auto store = Open();
  PlanRow plan{"p1", "test", false, 1, {{"ws1.md", "# WS-01: One\n"}}, {}, {}};
  WorkstreamRow row;
  row.plan_id = "p1";
  row.workstream_id = "WS-01";
  ASSERT_TRUE(store->SubmitPlan(plan, {row}, {}).ok());
  AttemptRow rank0, rank1;
  rank0.plan_id = "p1";
  rank0.attempt_id = "a0";
  rank1.plan_id = "p1";
  rank1.attempt_id = "a1";
  rank0.workstream_id = rank1.workstream_id = "WS-01";
  rank0.worker_id = "w1";
  rank1.worker_id = "w2";
  rank1.rank = 1;
  rank1.gang = "a0";
  ASSERT_TRUE(store->StartAttempts({rank0, rank1}, {}).ok());
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  const StoredPlan* state = &loaded->plans[0];
  ASSERT_EQ(state->attempts.size(), 2u);
  EXPECT_EQ(state->attempts[0].GangId(), "a0");
  EXPECT_EQ(state->attempts[1].rank, 1);
  EXPECT_EQ(state->attempts[1].GangId(), "a0");
}

// The plans and attempts tables as layout 1 had them (before gangs).
constexpr const char* kLayoutOnePlansAndAttempts = R"sql(
  CREATE TABLE plans(plan_id TEXT PRIMARY KEY, name TEXT NOT NULL, keep_going INTEGER NOT NULL,
    created_ms INTEGER NOT NULL, current INTEGER NOT NULL);
  CREATE TABLE attempts(attempt_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, ws_id TEXT NOT NULL,
    number INTEGER NOT NULL, worker_id TEXT NOT NULL, gpus TEXT NOT NULL,
    finished INTEGER NOT NULL, outcome INTEGER NOT NULL, stored_seq INTEGER NOT NULL,
    started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL))sql";
// Layout 2's gang columns, on top of layout 1's tables.
constexpr const char* kLayoutTwoGangColumns = R"sql(;
  ALTER TABLE attempts ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE attempts ADD COLUMN gang TEXT NOT NULL DEFAULT '')sql";

TEST_F(SqliteStateStoreTest, ALayoutFourDirectorysFilesMoveIntoItsPlansDirectory) {
  fs::create_directories(dir_ / "logs" / "WS-01");
  fs::create_directories(dir_ / "summaries");
  {
    // What wsfleet wrote before plans had directories: one current plan, its files at the top.
    SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(std::string(kLayoutOnePlansAndAttempts) + kLayoutTwoGangColumns + R"sql(;
      INSERT INTO plans VALUES('old-1', 'old', 0, 1, 0);
      INSERT INTO plans VALUES('p1', 'demo', 0, 2, 1);
      INSERT INTO attempts VALUES('a1', 'p1', 'WS-01', 1, 'w1', '', 1, 1, 0, 10, 20, 0, '');
      PRAGMA user_version=4;)sql");
  }
  std::ofstream(dir_ / "logs" / "WS-01" / "a1.log") << "kept\n";
  std::ofstream(dir_ / "summaries" / "WS-01-COMPLETION_SUMMARY.md") << "# summary\n";
  std::ofstream(dir_ / "report.json") << "{}\n";
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(fs::exists(dir_ / "plans" / "p1" / "logs" / "WS-01" / "a1.log"));
  EXPECT_TRUE(fs::exists(dir_ / "plans" / "p1" / "summaries" / "WS-01-COMPLETION_SUMMARY.md"));
  EXPECT_TRUE(fs::exists(dir_ / "plans" / "p1" / "report.json"));
  EXPECT_FALSE(fs::exists(dir_ / "logs"));
  EXPECT_EQ(fs::read_symlink(dir_ / "latest"), fs::path("plans/p1"));
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u) << "only the plan that was current";
  EXPECT_EQ(loaded->plans[0].plan.limits.share, 1);
  std::ifstream log(store->LogPath("p1", "WS-01", "a1"));
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_EQ(text, "") << "cut back to what its (no) events committed, as any log is";
}

TEST_F(SqliteStateStoreTest, ALayoutFiveDirectorysParsedPlanBecomesItsFirstPart) {
  fs::create_directories(dir_);
  {
    SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(std::string(kLayoutOnePlansAndAttempts) + kLayoutTwoGangColumns + R"sql(;
      ALTER TABLE plans ADD COLUMN share REAL NOT NULL DEFAULT 1;
      ALTER TABLE plans ADD COLUMN max_gpus INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE plans ADD COLUMN max_workers INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE plan_parsed(plan_id TEXT PRIMARY KEY, workstreams BLOB NOT NULL);
      INSERT INTO plans VALUES('p1', 'demo', 0, 2, 1, 1, 0, 0);
      INSERT INTO plan_parsed VALUES('p1', '{"format": 3}');
      PRAGMA user_version=5;)sql");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  EXPECT_EQ(loaded->plans[0].plan.parsed, std::vector<std::string>{"{\"format\": 3}"});
  SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name='plan_parsed'").getInt(), 0);
}

TEST_F(SqliteStateStoreTest, MigratesALayoutOneDirectoryKeepingItsAttempts) {
  fs::create_directories(dir_);
  {
    // What wsfleet wrote before gangs: attempts without rank and gang.
    SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(std::string(kLayoutOnePlansAndAttempts) + R"sql(;
      INSERT INTO plans VALUES('p1', 'old', 0, 1, 1);
      INSERT INTO attempts VALUES('a1', 'p1', 'WS-01', 1, 'w1', '0', 1, 1, 4, 10, 20);
      PRAGMA user_version=1;)sql");
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  const StoredPlan* state = &loaded->plans[0];
  ASSERT_EQ(state->attempts.size(), 1u);
  EXPECT_EQ(state->attempts[0].attempt_id, "a1");
  EXPECT_EQ(state->attempts[0].stored_seq, 4u);
  EXPECT_EQ(state->attempts[0].rank, 0);
  EXPECT_EQ(state->attempts[0].GangId(), "a1");
  SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 6);
}

TEST_F(SqliteStateStoreTest, MigratesALayoutTwoDirectoryKeepingItsEventsInAttemptOrder) {
  fs::create_directories(dir_);
  {
    // What wsfleet wrote before events kept the order they were stored in.
    SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(std::string(kLayoutOnePlansAndAttempts) + kLayoutTwoGangColumns + R"sql(;
      CREATE TABLE events(attempt_id TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL,
        log_offset INTEGER NOT NULL, log_length INTEGER NOT NULL,
        PRIMARY KEY(attempt_id, seq)) WITHOUT ROWID;
      INSERT INTO plans VALUES('p1', 'old', 0, 1, 1);
      INSERT INTO attempts VALUES('b1', 'p1', 'WS-02', 1, 'w1', '', 0, 0, 1, 10, 0, 0, '');
      INSERT INTO attempts VALUES('a1', 'p1', 'WS-01', 1, 'w1', '', 0, 0, 1, 10, 0, 0, '');
      PRAGMA user_version=2;)sql");
    for (const char* attempt : {"b1", "a1"}) {
      v1::Event event;
      event.set_attempt_id(attempt);
      event.set_seq(1);
      std::string payload = event.SerializeAsString();
      SQLite::Statement insert(db, "INSERT INTO events VALUES(?, 1, ?, 0, 0)");
      insert.bind(1, attempt);
      insert.bind(2, payload.data(), static_cast<int>(payload.size()));
      insert.exec();
    }
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  // Stored from now on: after the old ones, whatever their attempts are called.
  v1::Event later;
  later.set_attempt_id("a1");
  later.set_seq(2);
  AttemptRow a1;
  a1.plan_id = "p1";
  a1.attempt_id = "a1";
  a1.workstream_id = "WS-01";
  a1.number = 1;
  a1.stored_seq = 2;
  ASSERT_TRUE(Record(*store, {later}, {a1}, {}).ok());
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  const StoredPlan* state = &loaded->plans[0];
  ASSERT_EQ(state->events.size(), 3u);
  EXPECT_EQ(state->events[0].attempt_id(), "a1");
  EXPECT_EQ(state->events[1].attempt_id(), "b1");
  EXPECT_EQ(state->events[2].attempt_id(), "a1");
  EXPECT_EQ(state->events[2].seq(), 2u);
  SQLite::Database db((dir_ / "wsfleet.db").string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 6);
}

TEST_F(SqliteStateStoreTest, LoadsEventsInTheOrderTheyWereStored) {
  auto store = Open();
  ASSERT_TRUE(store->SubmitPlan({"p1", "n", false, 1, {}, {}, {}}, {}, {}).ok());
  std::vector<AttemptRow> attempts;
  for (const char* id : {"z-late-name", "a-early-name"}) {
    AttemptRow row;
    row.plan_id = "p1";
    row.attempt_id = id;
    row.plan_id = "p1";
    row.workstream_id = "WS-01";
    attempts.push_back(row);
  }
  ASSERT_TRUE(store->StartAttempts(attempts, {}).ok());
  for (const auto& [id, seq] : std::vector<std::pair<std::string, uint64_t>>{
           {"z-late-name", 1}, {"a-early-name", 1}, {"z-late-name", 2}}) {
    v1::Event event;
    event.set_attempt_id(id);
    event.set_seq(seq);
    ASSERT_TRUE(Record(*store, {event}, {}, {}).ok());
  }
  store.reset();
  store = Open();  // the order survives a restart
  absl::StatusOr<StoredState> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->plans.size(), 1u);
  const StoredPlan* state = &loaded->plans[0];
  ASSERT_EQ(state->events.size(), 3u);
  EXPECT_EQ(state->events[0].attempt_id(), "z-late-name");
  EXPECT_EQ(state->events[1].attempt_id(), "a-early-name");
  EXPECT_EQ(state->events[2].attempt_id(), "z-late-name");
  EXPECT_EQ(state->events[2].seq(), 2u);
}

// The scheduler on the real store: a restarted coordinator resumes where it stopped.
TEST_F(SqliteStateStoreTest, SchedulerRecoversFromSqlite) {
  testing::FakeClock clock;
  testing::RecordingOutput output;
  SpreadPlacement placement;
  SchedulerOptions options;
  options.random_seed = 1;
  std::string running;
  {
    auto store = Open();
    Scheduler scheduler(clock, *store, output, placement, options);
    auto submitted = scheduler.Submit(
        {{"a.md", "# WS-01: A\n**Duration**: 1 day\n\n## Test Commands\n\n```bash\ntrue\n```\n"},
         {"b.md", "# WS-02: B\n**Duration**: 1 day\n**Dependencies**: WS-01\n\n## Test Commands\n\n```bash\ntrue\n```\n"}},
        "demo", false);
    ASSERT_TRUE(submitted.ok());
    v1::Hello hello;
    hello.set_worker_id("w1");
    hello.mutable_resources()->set_slots(1);
    scheduler.OnWorkerHello(hello);
    scheduler.FlushEvents();
    auto assigns = output.TakeAssigns();
    ASSERT_EQ(assigns.size(), 1u);
    running = assigns[0].second.attempt_id();
    v1::EventBatch batch;
    v1::Event* started = batch.add_events();
    started->set_attempt_id(running);
    started->set_seq(1);
    started->mutable_started();
    scheduler.OnEvents("w1", batch);
    scheduler.FlushEvents();
  }
  auto store = Open();
  Scheduler scheduler(clock, *store, output, placement, options);
  ASSERT_TRUE(scheduler.Recover().ok());
  EXPECT_EQ(scheduler.Status().workstreams(0).state(), v1::WORKSTREAM_STATE_RUNNING);
  EXPECT_EQ(scheduler.Status().workstreams(1).state(), v1::WORKSTREAM_STATE_PENDING);
  v1::Hello hello;
  hello.set_worker_id("w1");
  hello.mutable_resources()->set_slots(1);
  hello.add_attempts()->set_attempt_id(running);
  scheduler.OnWorkerHello(hello);
  scheduler.FlushEvents();
  EXPECT_TRUE(output.TakeAssigns().empty());
  v1::EventBatch batch;
  v1::Event* finished = batch.add_events();
  finished->set_attempt_id(running);
  finished->set_seq(2);
  finished->mutable_finished()->set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
  scheduler.OnEvents("w1", batch);
  scheduler.FlushEvents();
  EXPECT_EQ(scheduler.Status().workstreams(0).state(), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(output.TakeAssigns().size(), 1u);
}

}  // namespace
}  // namespace wsfleet::coordinator
