#include "coordinator/sqlite_state_store.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string_view>

namespace wsfleet::coordinator {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS plans(
  plan_id TEXT PRIMARY KEY, name TEXT NOT NULL, keep_going INTEGER NOT NULL,
  created_ms INTEGER NOT NULL, current INTEGER NOT NULL, share REAL NOT NULL DEFAULT 1,
  max_gpus INTEGER NOT NULL DEFAULT 0, max_workers INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS plan_parsed_parts(
  plan_id TEXT NOT NULL, part INTEGER NOT NULL, workstreams BLOB NOT NULL, PRIMARY KEY(plan_id, part));
CREATE TABLE IF NOT EXISTS plan_files(
  plan_id TEXT NOT NULL, position INTEGER NOT NULL, path TEXT NOT NULL, text BLOB NOT NULL,
  PRIMARY KEY(plan_id, position));
CREATE TABLE IF NOT EXISTS workstreams(
  plan_id TEXT NOT NULL, ws_id TEXT NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL,
  lost_left INTEGER NOT NULL, failed_left INTEGER NOT NULL, current_attempt TEXT NOT NULL,
  worker_id TEXT NOT NULL, message TEXT NOT NULL, started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL, PRIMARY KEY(plan_id, ws_id));
CREATE TABLE IF NOT EXISTS attempts(
  attempt_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, ws_id TEXT NOT NULL,
  number INTEGER NOT NULL, worker_id TEXT NOT NULL, gpus TEXT NOT NULL,
  finished INTEGER NOT NULL, outcome INTEGER NOT NULL, stored_seq INTEGER NOT NULL,
  started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL,
  rank INTEGER NOT NULL DEFAULT 0, gang TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS events(
  attempt_id TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL,
  log_offset INTEGER NOT NULL, log_length INTEGER NOT NULL, ord INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(attempt_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workers(
  worker_id TEXT PRIMARY KEY, hostname TEXT NOT NULL, state TEXT NOT NULL,
  last_seen_ms INTEGER NOT NULL);
)sql";

std::string JoinGpus(const std::vector<uint32_t>& gpus) {
  std::string text;
  for (uint32_t gpu : gpus) text += (text.empty() ? "" : ",") + std::to_string(gpu);
  return text;
}

std::vector<uint32_t> SplitGpus(const std::string& text) {
  std::vector<uint32_t> gpus;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    gpus.push_back(static_cast<uint32_t>(std::stoul(text.substr(start, comma - start))));
    start = comma + 1;
  }
  return gpus;
}

// Out of space (ENOSPC, a quota) is ResourceExhausted: a state the coordinator waits out
// (HoldingStateStore), unlike other failures.
absl::Status Errno(const std::string& what) {
  std::string message = what + ": " + std::strerror(errno);
  if (errno == ENOSPC || errno == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

// Appends `pieces` to the log at `path` with one writev, durably; returns the offset
// they start at.
absl::StatusOr<int64_t> AppendLog(const std::string& path,
                                  const std::vector<std::string_view>& pieces) {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open " + path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return Errno("stat " + path);
  }
  std::vector<struct iovec> vectors;
  for (std::string_view piece : pieces) {
    if (!piece.empty()) vectors.push_back({const_cast<char*>(piece.data()), piece.size()});
  }
  size_t next = 0;
  while (next < vectors.size()) {
    int count = static_cast<int>(std::min<size_t>(vectors.size() - next, IOV_MAX));
    ssize_t n = ::writev(fd, vectors.data() + next, count);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status status = Errno("write " + path);
      // What part of it was written goes again: the retry appends it whole.
      [[maybe_unused]] int cut = ::ftruncate(fd, info.st_size);
      ::close(fd);
      return status;
    }
    // Skip what was written, splitting a partly written vector.
    auto left = static_cast<size_t>(n);
    while (next < vectors.size() && left >= vectors[next].iov_len) left -= vectors[next++].iov_len;
    if (next < vectors.size() && left > 0) {
      vectors[next].iov_base = static_cast<char*>(vectors[next].iov_base) + left;
      vectors[next].iov_len -= left;
    }
  }
  if (::fdatasync(fd) != 0) {
    absl::Status status = Errno("fdatasync " + path);
    [[maybe_unused]] int cut = ::ftruncate(fd, info.st_size);
    ::close(fd);
    return status;
  }
  ::close(fd);
  return static_cast<int64_t>(info.st_size);
}

// A log a worker on this machine appended to itself: durable, and at least `end` bytes
// long (else the events that name its bytes must not be stored).
absl::Status SyncWrittenLog(const std::string& path, int64_t end) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  struct stat info {};
  absl::Status status = absl::OkStatus();
  if (::fstat(fd, &info) != 0) {
    status = Errno("stat " + path);
  } else if (info.st_size < end) {
    status = absl::DataLossError(path + " holds " + std::to_string(info.st_size) +
                                 " bytes; its worker's events name " + std::to_string(end));
  } else if (::fdatasync(fd) != 0) {
    status = Errno("fdatasync " + path);
  }
  ::close(fd);
  return status;
}

}  // namespace

// The statements of one transaction.
struct SqliteStateStore::Writer {
  SqliteStateStore& store;

  void Workstream(const WorkstreamRow& row) {
    SQLite::Statement& insert =
        store.Prepared("INSERT OR REPLACE INTO workstreams VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    insert.bind(1, row.plan_id);
    insert.bind(2, row.workstream_id);
    insert.bind(3, static_cast<int>(row.state));
    insert.bind(4, row.attempts);
    insert.bind(5, row.lost_retries_left);
    insert.bind(6, row.failed_retries_left);
    insert.bind(7, row.current_attempt);
    insert.bind(8, row.worker_id);
    insert.bind(9, row.message);
    insert.bind(10, static_cast<int64_t>(row.started_unix_ms));
    insert.bind(11, static_cast<int64_t>(row.finished_unix_ms));
    insert.exec();
  }

  void Attempt(const AttemptRow& row) {
    SQLite::Statement& insert =
        store.Prepared("INSERT OR REPLACE INTO attempts VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
    insert.bind(1, row.attempt_id);
    insert.bind(2, row.plan_id);
    insert.bind(3, row.workstream_id);
    insert.bind(4, row.number);
    insert.bind(5, row.worker_id);
    insert.bind(6, JoinGpus(row.gpus));
    insert.bind(7, row.finished ? 1 : 0);
    insert.bind(8, static_cast<int>(row.outcome));
    insert.bind(9, static_cast<int64_t>(row.stored_seq));
    insert.bind(10, static_cast<int64_t>(row.started_unix_ms));
    insert.bind(11, static_cast<int64_t>(row.finished_unix_ms));
    insert.bind(12, row.rank);
    insert.bind(13, row.gang);
    insert.exec();
  }

  void Worker(const WorkerRow& row) {
    SQLite::Statement& insert = store.Prepared("INSERT OR REPLACE INTO workers VALUES(?,?,?,?)");
    insert.bind(1, row.worker_id);
    insert.bind(2, row.hostname);
    insert.bind(3, row.state);
    insert.bind(4, static_cast<int64_t>(row.last_seen_unix_ms));
    insert.exec();
  }

  // A log event's row records where its bytes are in the log, not the bytes: they are
  // set aside while it is serialized (and put back: a failed commit is tried again).
  void Event(v1::Event& event, int64_t log_offset, int64_t log_length) {
    std::string data;
    if (event.has_log() && log_length > 0 && !event.log().in_file()) event.mutable_log()->mutable_data()->swap(data);
    std::string payload = event.SerializeAsString();
    if (!data.empty()) event.mutable_log()->mutable_data()->swap(data);
    SQLite::Statement& insert = store.Prepared("INSERT OR IGNORE INTO events VALUES(?,?,?,?,?,?)");
    insert.bind(1, event.attempt_id());
    insert.bind(2, static_cast<int64_t>(event.seq()));
    insert.bind(3, payload.data(), static_cast<int>(payload.size()));
    insert.bind(4, log_offset);
    insert.bind(5, log_length);
    insert.bind(6, ++store.last_event_ord_);
    insert.exec();
  }
};

// Raise it with every change to the tables, and migrate older layouts in Open().
// 2: attempts.rank, attempts.gang (multi-node gangs); 3: events.ord (the order they were
// stored in, which recovery replays them in); 4: plan_parsed (the
// workstreams as parsed at submission: recovery does not parse the cards again); 5: each
// plan's files under plans/<plan-id>/, several plans held (current=1) at once; 6: the
// parsed workstreams in parts (plan_parsed_parts), a row each.
constexpr int kSchemaVersion = 6;

SqliteStateStore::SqliteStateStore(StatePaths paths) : paths_(std::move(paths)) {}

SQLite::Statement& SqliteStateStore::Prepared(const char* sql) {
  std::unique_ptr<SQLite::Statement>& statement = statements_[sql];
  if (statement == nullptr) {
    statement = std::make_unique<SQLite::Statement>(*db_, sql);
  } else {
    // Not reset(): after a failed step (a full disk) that reports the old error again.
    statement->tryReset();
    statement->clearBindings();
  }
  return *statement;
}
SqliteStateStore::~SqliteStateStore() = default;

absl::StatusOr<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(
    const std::string& state_dir) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) return absl::InternalError("cannot create " + state_dir + ": " + error.message());
  std::unique_ptr<SqliteStateStore> store(new SqliteStateStore(StatePaths{state_dir}));
  try {
    store->db_ = std::make_unique<SQLite::Database>(
        store->paths_.Database(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    store->db_->exec("PRAGMA journal_mode=WAL");
    store->db_->exec("PRAGMA synchronous=FULL");
    store->db_->exec("PRAGMA foreign_keys=ON");
    store->db_->setBusyTimeout(5000);
    // The layout's version: a newer wsfleet may migrate an older directory; an older one
    // must not write into a newer one's (it would misread it). 0: a new database.
    int version = store->db_->execAndGet("PRAGMA user_version").getInt();
    if (version > kSchemaVersion) {
      return absl::FailedPreconditionError(
          "state store " + store->paths_.Database() + " was written by a newer wsfleet (layout " +
          std::to_string(version) + "; this one knows " + std::to_string(kSchemaVersion) +
          "): upgrade wsfleet, or use another --state directory");
    }

    if (version == 1) {
      // Layout 1 had no gangs: every attempt was rank 0 of its own.
      SQLite::Transaction migrate(*store->db_);
      store->db_->exec("ALTER TABLE attempts ADD COLUMN rank INTEGER NOT NULL DEFAULT 0");
      store->db_->exec("ALTER TABLE attempts ADD COLUMN gang TEXT NOT NULL DEFAULT ''");
      store->db_->exec("PRAGMA user_version=2");
      migrate.commit();
      version = 2;
    }
    if (version == 2) {
      // Events stored before layout 3 replay in (attempt, seq) order, as they were read then.
      SQLite::Transaction migrate(*store->db_);
      bool has_events =
          store->db_->execAndGet("SELECT count(*) FROM sqlite_master WHERE name='events'").getInt() > 0;
      if (has_events) store->db_->exec("ALTER TABLE events ADD COLUMN ord INTEGER NOT NULL DEFAULT 0");
      store->db_->exec("PRAGMA user_version=3");
      migrate.commit();
    }
    if (version >= 1 && version < 5) {
      SQLite::Transaction migrate(*store->db_);
      for (const char* column : {"share REAL NOT NULL DEFAULT 1", "max_gpus INTEGER NOT NULL DEFAULT 0",
                                 "max_workers INTEGER NOT NULL DEFAULT 0"}) {
        store->db_->exec(std::string("ALTER TABLE plans ADD COLUMN ") + column);
      }
      migrate.commit();
    }
    store->db_->exec(kSchema);
    if (store->db_->execAndGet("SELECT count(*) FROM sqlite_master WHERE name='plan_parsed'").getInt() > 0) {
      // Layouts 4 and 5 stored one blob a plan: it is its first and only part.
      SQLite::Transaction migrate(*store->db_);
      store->db_->exec("INSERT INTO plan_parsed_parts SELECT plan_id, 0, workstreams FROM plan_parsed");
      store->db_->exec("DROP TABLE plan_parsed");
      migrate.commit();
    }
    if (version < 5) store->MoveFilesIntoPlanDirectory();
    store->db_->exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
    store->last_event_ord_ = store->db_->execAndGet("SELECT COALESCE(MAX(ord), 0) FROM events").getInt64();
  } catch (const std::exception& e) {
    return absl::InternalError("state store " + store->paths_.Database() + ": " + e.what());
  }
  return store;
}

namespace {

// SQLiteCpp reports failures (disk full, I/O error, locked) by throwing; the store's
// callers get a Status instead.
absl::Status Guard(const std::function<void()>& body) {
  try {
    body();
  } catch (const SQLite::Exception& e) {
    std::string message = std::string("state store: ") + e.what();
    if (e.getErrorCode() == SQLITE_FULL) return absl::ResourceExhaustedError(message);
    return absl::InternalError(message);
  } catch (const std::exception& e) {
    return absl::InternalError(std::string("state store: ") + e.what());
  }
  return absl::OkStatus();
}

}  // namespace

void SqliteStateStore::InsertCards(const PlanRow& plan) {
  for (size_t i = 0; i < plan.files.size(); ++i) {
    SQLite::Statement file(*db_, "INSERT INTO plan_files VALUES(?,?,?,?)");
    file.bind(1, plan.plan_id);
    file.bind(2, static_cast<int64_t>(i));
    file.bind(3, plan.files[i].path);
    file.bindNoCopy(4, plan.files[i].text.data(), static_cast<int>(plan.files[i].text.size()));
    file.exec();
  }
  for (size_t part = 0; part < plan.parsed.size(); ++part) {
    SQLite::Statement parsed(*db_, "INSERT INTO plan_parsed_parts VALUES(?,?,?)");
    parsed.bind(1, plan.plan_id);
    parsed.bind(2, static_cast<int64_t>(part));
    // Not copied: SQLite reads it while it writes the row.
    parsed.bindNoCopy(3, plan.parsed[part].data(), static_cast<int>(plan.parsed[part].size()));
    parsed.exec();
  }
}

absl::Status SqliteStateStore::SubmitPlan(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                          const std::vector<std::string>& retire) {
  return Guard([&] {
    SQLite::Transaction transaction(*db_);
    for (const std::string& id : retire) {
      SQLite::Statement retired(*db_, "UPDATE plans SET current=0 WHERE plan_id=?");
      retired.bind(1, id);
      retired.exec();
    }
    SQLite::Statement insert(*db_,
                             "INSERT INTO plans(plan_id, name, keep_going, created_ms, current, share, max_gpus, "
                             "max_workers) VALUES(?,?,?,?,1,?,?,?)");
    insert.bind(1, plan.plan_id);
    insert.bind(2, plan.name);
    insert.bind(3, plan.keep_going ? 1 : 0);
    insert.bind(4, static_cast<int64_t>(plan.created_unix_ms));
    insert.bind(5, plan.limits.share);
    insert.bind(6, static_cast<int64_t>(plan.limits.max_gpus));
    insert.bind(7, static_cast<int64_t>(plan.limits.max_workers));
    insert.exec();
    InsertCards(plan);
    Writer writer{*this};
    for (const WorkstreamRow& row : workstreams) writer.Workstream(row);
    transaction.commit();
    LinkLatest(plan.plan_id);
  });
}

absl::Status SqliteStateStore::ReviseCards(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                           const std::vector<std::string>& removed) {
  return Guard([&] {
    SQLite::Transaction transaction(*db_);
    SQLite::Statement drop_files(*db_, "DELETE FROM plan_files WHERE plan_id=?");
    drop_files.bind(1, plan.plan_id);
    drop_files.exec();
    SQLite::Statement drop_parsed(*db_, "DELETE FROM plan_parsed_parts WHERE plan_id=?");
    drop_parsed.bind(1, plan.plan_id);
    drop_parsed.exec();
    InsertCards(plan);
    for (const std::string& id : removed) {
      for (const char* sql :
           {"DELETE FROM events WHERE attempt_id IN (SELECT attempt_id FROM attempts WHERE plan_id=? AND ws_id=?)",
            "DELETE FROM attempts WHERE plan_id=? AND ws_id=?", "DELETE FROM workstreams WHERE plan_id=? AND ws_id=?"}) {
        SQLite::Statement drop(*db_, sql);
        drop.bind(1, plan.plan_id);
        drop.bind(2, id);
        drop.exec();
      }
    }
    Writer writer{*this};
    for (const WorkstreamRow& row : workstreams) writer.Workstream(row);
    transaction.commit();
  });
}

absl::Status SqliteStateStore::CommitRows(const std::vector<AttemptRow>& attempts,
                                          const std::vector<WorkstreamRow>& workstreams,
                                          const std::function<void(Writer&)>& first) {
  return Guard([&] {
    SQLite::Transaction transaction(*db_);
    Writer writer{*this};
    if (first) first(writer);
    for (const AttemptRow& row : attempts) writer.Attempt(row);
    for (const WorkstreamRow& row : workstreams) writer.Workstream(row);
    transaction.commit();
  });
}

absl::Status SqliteStateStore::StartAttempts(const std::vector<AttemptRow>& attempts,
                                             const std::vector<WorkstreamRow>& workstreams) {
  return CommitRows(attempts, workstreams);
}

absl::Status SqliteStateStore::RecordEvents(std::vector<v1::Event>& events,
                                            const std::vector<AttemptRow>& attempts,
                                            const std::vector<WorkstreamRow>& workstreams) {
  std::map<std::string, const AttemptRow*> attempt_of;
  for (const AttemptRow& attempt : attempts) attempt_of[attempt.attempt_id] = &attempt;
  // Log bytes go to the files first (durably); the rows that say they exist commit after.
  // One write and one fdatasync per attempt per batch, however many chunks it holds.
  std::vector<std::pair<int64_t, int64_t>> log_ranges(events.size(), {0, 0});
  std::map<std::string, std::vector<size_t>> chunks_of;  // attempt -> event indices
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].has_log()) chunks_of[events[i].attempt_id()].push_back(i);
  }
  // Logs appended to below, with their length before: cut back if the rows do not commit,
  // so that trying the batch again does not store its bytes twice.
  std::vector<std::pair<std::string, int64_t>> appended;
  auto undo = [&](absl::Status status) {
    for (const auto& [path, length] : appended) {
      [[maybe_unused]] int cut = ::truncate(path.c_str(), length);
    }
    return status;
  };
  for (auto& [attempt, indices] : chunks_of) {
    auto found = attempt_of.find(attempt);
    if (found == attempt_of.end()) return absl::InternalError("log event without attempt row");
    PlanPaths paths = paths_.Plan(found->second->plan_id);
    const std::string& workstream = found->second->workstream_id;
    // Chunks a worker on this machine already appended: made durable here, where they are.
    int64_t written_end = 0;
    bool written_transcript = false;
    std::vector<size_t> carried;
    for (size_t i : indices) {
      const v1::LogChunk& chunk = events[i].log();
      if (!chunk.in_file()) {
        carried.push_back(i);
        continue;
      }
      log_ranges[i] = {static_cast<int64_t>(chunk.offset()), static_cast<int64_t>(chunk.length())};
      written_end = std::max(written_end, log_ranges[i].first + log_ranges[i].second);
      written_transcript = written_transcript || chunk.transcript();
    }
    if (written_end > 0) {
      if (absl::Status synced = SyncWrittenLog(paths.Log(workstream, attempt), written_end); !synced.ok()) {
        return synced;
      }
    }
    if (written_transcript) {
      if (absl::Status synced = SyncWrittenLog(paths.Transcript(workstream, attempt), 0); !synced.ok()) {
        return synced;
      }
    }
    indices = std::move(carried);
    if (indices.empty()) continue;
    std::vector<std::string_view> pieces;
    for (size_t i : indices) pieces.push_back(events[i].log().data());
    std::string log = paths.Log(workstream, attempt);
    absl::StatusOr<int64_t> offset = AppendLog(log, pieces);
    if (!offset.ok()) return undo(offset.status());
    appended.emplace_back(log, *offset);
    // The agent's own output is also its transcript, a file of its JSON lines alone.
    std::vector<std::string_view> transcript;
    for (size_t i : indices) {
      if (events[i].log().transcript()) transcript.push_back(events[i].log().data());
    }
    if (!transcript.empty()) {
      std::string path = paths.Transcript(workstream, attempt);
      absl::StatusOr<int64_t> written = AppendLog(path, transcript);
      if (!written.ok()) return undo(written.status());
      appended.emplace_back(path, *written);
    }
    int64_t at = *offset;
    for (size_t i : indices) {
      auto length = static_cast<int64_t>(events[i].log().data().size());
      log_ranges[i] = {at, length};
      at += length;
    }
  }
  absl::Status committed = CommitRows(attempts, workstreams, [&](Writer& writer) {
    for (size_t i = 0; i < events.size(); ++i) {
      writer.Event(events[i], log_ranges[i].first, log_ranges[i].second);
    }
  });
  return committed.ok() ? committed : undo(committed);
}

absl::Status SqliteStateStore::UpdateWorkstreams(const std::vector<WorkstreamRow>& workstreams,
                                                 const std::vector<AttemptRow>& attempts) {
  return CommitRows(attempts, workstreams);
}

absl::Status SqliteStateStore::MarkWorkerLost(const WorkerRow& worker,
                                              const std::vector<AttemptRow>& attempts,
                                              const std::vector<WorkstreamRow>& workstreams) {
  return CommitRows(attempts, workstreams, [&](Writer& writer) { writer.Worker(worker); });
}

absl::Status SqliteStateStore::RecordWorkers(const std::vector<WorkerRow>& workers) {
  return Guard([&] {
    SQLite::Transaction transaction(*db_);
    Writer writer{*this};
    for (const WorkerRow& worker : workers) writer.Worker(worker);
    transaction.commit();
  });
}

std::string SqliteStateStore::LogPath(const std::string& plan_id, const std::string& workstream_id,
                                      const std::string& attempt_id) const {
  return paths_.Plan(plan_id).Log(workstream_id, attempt_id);
}

void SqliteStateStore::LinkLatest(const std::string& plan_id) const {
  // A convenience for people and scripts: a failure to link costs nothing else.
  std::error_code error;
  std::filesystem::create_directories(paths_.Plan(plan_id).root, error);
  std::string temporary = paths_.Latest() + ".tmp";
  std::filesystem::remove(temporary, error);
  std::filesystem::create_directory_symlink("plans/" + plan_id, temporary, error);
  if (!error) std::filesystem::rename(temporary, paths_.Latest(), error);
}

void SqliteStateStore::MoveFilesIntoPlanDirectory() const {
  SQLite::Statement current(*db_, "SELECT plan_id FROM plans WHERE current=1 ORDER BY created_ms DESC");
  if (!current.executeStep()) return;
  std::string plan_id = current.getColumn(0).getString();
  PlanPaths plan = paths_.Plan(plan_id);
  std::error_code error;
  std::filesystem::create_directories(plan.root, error);
  for (const char* name : {"logs", "transcripts", "summaries", "report.md", "report.json"}) {
    std::filesystem::path from = std::filesystem::path(paths_.root) / name;
    if (std::filesystem::exists(from, error)) std::filesystem::rename(from, std::filesystem::path(plan.root) / name, error);
    if (error) spdlog::warn("moving {} into {}: {}", from.string(), plan.root, error.message());
  }
  LinkLatest(plan_id);
}

absl::StatusOr<StoredState> SqliteStateStore::Load() {
  StoredState state;
  std::vector<std::string> held;
  try {
    SQLite::Statement plans(*db_, "SELECT plan_id FROM plans WHERE current=1 ORDER BY created_ms, rowid");
    while (plans.executeStep()) held.push_back(plans.getColumn(0).getString());
    SQLite::Statement workers(*db_, "SELECT * FROM workers ORDER BY worker_id");
    while (workers.executeStep()) {
      state.workers.push_back({workers.getColumn(0).getString(), workers.getColumn(1).getString(),
                               workers.getColumn(2).getString(), workers.getColumn(3).getInt64()});
    }
  } catch (const std::exception& e) {
    return absl::InternalError(std::string("state store: ") + e.what());
  }
  for (const std::string& plan_id : held) {
    absl::StatusOr<StoredPlan> plan = LoadPlan(plan_id);
    if (!plan.ok()) return plan.status();
    state.plans.push_back(std::move(*plan));
  }
  return state;
}

absl::StatusOr<StoredPlan> SqliteStateStore::LoadPlan(const std::string& plan_id) {
  StoredPlan state;
  std::map<std::string, std::string> workstream_of;
  std::map<std::string, int64_t> committed_log_end;
  std::map<std::string, int64_t> committed_transcript_end;  // the transcript: the sum of its chunks
  try {
    SQLite::Statement plan(*db_,
                           "SELECT name, keep_going, created_ms, share, max_gpus, max_workers FROM plans "
                           "WHERE plan_id=?");
    plan.bind(1, plan_id);
    if (!plan.executeStep()) return absl::DataLossError("state store: plan " + plan_id + " vanished");
    state.plan.plan_id = plan_id;
    state.plan.name = plan.getColumn(0).getString();
    state.plan.keep_going = plan.getColumn(1).getInt() != 0;
    state.plan.created_unix_ms = plan.getColumn(2).getInt64();
    state.plan.limits = {plan.getColumn(3).getDouble(), static_cast<uint32_t>(plan.getColumn(4).getInt64()),
                         static_cast<uint32_t>(plan.getColumn(5).getInt64())};
    SQLite::Statement parsed(*db_, "SELECT workstreams FROM plan_parsed_parts WHERE plan_id=? ORDER BY part");
    parsed.bind(1, plan_id);
    while (parsed.executeStep()) {
      SQLite::Column blob = parsed.getColumn(0);
      state.plan.parsed.emplace_back(static_cast<const char*>(blob.getBlob()), static_cast<size_t>(blob.getBytes()));
    }
    SQLite::Statement files(*db_,
                            "SELECT path, text FROM plan_files WHERE plan_id=? ORDER BY position");
    files.bind(1, plan_id);
    while (files.executeStep()) {
      SQLite::Column text = files.getColumn(1);
      state.plan.files.push_back(
          {files.getColumn(0).getString(),
           std::string(static_cast<const char*>(text.getBlob()), static_cast<size_t>(text.getBytes()))});
    }
    SQLite::Statement rows(*db_, "SELECT * FROM workstreams WHERE plan_id=? ORDER BY ws_id");
    rows.bind(1, plan_id);
    while (rows.executeStep()) {
      WorkstreamRow row;
      row.plan_id = plan_id;
      row.workstream_id = rows.getColumn(1).getString();
      row.state = static_cast<v1::WorkstreamState>(rows.getColumn(2).getInt());
      row.attempts = rows.getColumn(3).getInt();
      row.lost_retries_left = rows.getColumn(4).getInt();
      row.failed_retries_left = rows.getColumn(5).getInt();
      row.current_attempt = rows.getColumn(6).getString();
      row.worker_id = rows.getColumn(7).getString();
      row.message = rows.getColumn(8).getString();
      row.started_unix_ms = rows.getColumn(9).getInt64();
      row.finished_unix_ms = rows.getColumn(10).getInt64();
      state.workstreams.push_back(std::move(row));
    }
    SQLite::Statement attempts(*db_, "SELECT * FROM attempts WHERE plan_id=? ORDER BY rowid");
    attempts.bind(1, plan_id);
    while (attempts.executeStep()) {
      AttemptRow row;
      row.plan_id = plan_id;
      row.attempt_id = attempts.getColumn(0).getString();
      row.workstream_id = attempts.getColumn(2).getString();
      row.number = attempts.getColumn(3).getInt();
      row.worker_id = attempts.getColumn(4).getString();
      row.gpus = SplitGpus(attempts.getColumn(5).getString());
      row.finished = attempts.getColumn(6).getInt() != 0;
      row.outcome = static_cast<v1::AttemptOutcome>(attempts.getColumn(7).getInt());
      row.stored_seq = static_cast<uint64_t>(attempts.getColumn(8).getInt64());
      row.started_unix_ms = attempts.getColumn(9).getInt64();
      row.finished_unix_ms = attempts.getColumn(10).getInt64();
      row.rank = attempts.getColumn(11).getInt();
      row.gang = attempts.getColumn(12).getString();
      workstream_of[row.attempt_id] = row.workstream_id;
      state.attempts.push_back(std::move(row));
    }
    SQLite::Statement events(*db_,
                             "SELECT e.payload, e.log_offset, e.log_length FROM events e "
                             "JOIN attempts a ON a.attempt_id = e.attempt_id "
                             "WHERE a.plan_id=? ORDER BY e.ord, e.attempt_id, e.seq");
    events.bind(1, plan_id);
    while (events.executeStep()) {
      SQLite::Column payload = events.getColumn(0);
      v1::Event event;
      if (!event.ParseFromArray(payload.getBlob(), payload.getBytes())) {
        return absl::DataLossError("state store: an event row does not parse");
      }
      int64_t end = events.getColumn(1).getInt64() + events.getColumn(2).getInt64();
      int64_t& committed = committed_log_end[event.attempt_id()];
      committed = std::max(committed, end);
      if (event.has_log() && event.log().transcript()) {
        committed_transcript_end[event.attempt_id()] += events.getColumn(2).getInt64();
      }
      state.events.push_back(std::move(event));
    }
  } catch (const std::exception& e) {
    return absl::InternalError(std::string("state store: ") + e.what());
  }
  // Log bytes written before a crash whose events never committed are cut off; the worker
  // sends those events again.
  PlanPaths paths = paths_.Plan(plan_id);
  for (const auto& [attempt, workstream] : workstream_of) {
    for (auto [path, ends] : {std::pair{paths.Log(workstream, attempt), &committed_log_end},
                              std::pair{paths.Transcript(workstream, attempt), &committed_transcript_end}}) {
      std::error_code error;
      uintmax_t size = std::filesystem::file_size(path, error);
      int64_t committed = ends->count(attempt) ? ends->at(attempt) : 0;
      if (!error && static_cast<int64_t>(size) > committed) {
        std::filesystem::resize_file(path, static_cast<uintmax_t>(committed), error);
      }
    }
  }
  return state;
}

}  // namespace wsfleet::coordinator
