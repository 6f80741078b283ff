#pragma once

#include <functional>
#include <memory>
#include <string>

#include "coordinator/state_paths.h"
#include "coordinator/state_store.h"

#include <map>

namespace SQLite {
class Database;
class Statement;
}

namespace wsfleet::coordinator {

// The StateStore on SQLite in WAL mode with synchronous=FULL (an ack follows each commit),
// plus the per-attempt log files. Loop thread only.
class SqliteStateStore : public StateStore {
 public:
  // Creates the state directory and schema if needed.
  static absl::StatusOr<std::unique_ptr<SqliteStateStore>> Open(const std::string& state_dir);
  ~SqliteStateStore() override;

  absl::Status SubmitPlan(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                          const std::vector<std::string>& retire) override;
  absl::Status StartAttempts(const std::vector<AttemptRow>& attempts,
                             const std::vector<WorkstreamRow>& workstreams) override;
  absl::Status RecordEvents(std::vector<v1::Event>& events,
                            const std::vector<AttemptRow>& attempts,
                            const std::vector<WorkstreamRow>& workstreams) override;
  absl::Status UpdateWorkstreams(const std::vector<WorkstreamRow>& workstreams,
                                 const std::vector<AttemptRow>& attempts) override;
  absl::Status MarkWorkerLost(const WorkerRow& worker, const std::vector<AttemptRow>& attempts,
                              const std::vector<WorkstreamRow>& workstreams) override;
  absl::Status RecordWorkers(const std::vector<WorkerRow>& workers) override;
  absl::Status ReviseCards(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                           const std::vector<std::string>& removed) override;
  absl::StatusOr<StoredState> Load() override;
  std::string LogPath(const std::string& plan_id, const std::string& workstream_id,
                      const std::string& attempt_id) const override;

 private:
  explicit SqliteStateStore(StatePaths paths);
  // The plan's card texts and parsed workstreams (plan_files, plan_parsed), in a transaction.
  void InsertCards(const PlanRow& plan);
  // One held plan's rows, attempts and events (log files cut back to what committed).
  absl::StatusOr<StoredPlan> LoadPlan(const std::string& plan_id);
  // `latest` names the plan submitted last.
  void LinkLatest(const std::string& plan_id) const;
  // A state directory from before plans had their own directories: its one plan's files
  // move into plans/<plan-id>/.
  void MoveFilesIntoPlanDirectory() const;
  struct Writer;  // one transaction's statements
  // One transaction: what `first` writes, then the attempt and workstream rows.
  absl::Status CommitRows(const std::vector<AttemptRow>& attempts,
                          const std::vector<WorkstreamRow>& workstreams,
                          const std::function<void(Writer&)>& first = {});

  // The statement for `sql` (a string literal), prepared once and reset for each use:
  // preparing them was a tenth of the coordinator's loop on a plan of short steps.
  SQLite::Statement& Prepared(const char* sql);

  StatePaths paths_;
  std::unique_ptr<SQLite::Database> db_;
  std::map<const char*, std::unique_ptr<SQLite::Statement>> statements_;  // after db_: finalized first
  int64_t last_event_ord_ = 0;  // events.ord of the last event stored
};

}  // namespace wsfleet::coordinator
