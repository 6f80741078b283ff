#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/plan_loader.h"
#include "wsfleet/v1/types.pb.h"

// The coordinator's durable state and the named operations that change it. Each
// operation is one transaction: after it returns OK, a crash loses none of it. Rows carry
// their plan: one transaction may change several plans' rows.
namespace wsfleet::coordinator {

// How a plan shares the fleet with the other plans held at once.
struct PlanLimits {
  double share = 1;          // its weight in the fair share of slots and GPUs (--share)
  uint32_t max_gpus = 0;     // GPUs it may hold at once; 0: no limit (--max-gpus)
  uint32_t max_workers = 0;  // workers it may run on at once; 0: no limit (--max-workers)
};

struct PlanRow {
  std::string plan_id;
  std::string name;
  bool keep_going = false;
  int64_t created_unix_ms = 0;
  std::vector<common::SourceFile> files;  // the cards as submitted
  // Their workstreams as parsed then (plan_codec.h), which recovery rebuilds the plan from;
  // in parts; empty when there are none stored (an older state directory): the files are
  // parsed.
  std::vector<std::string> parsed;
  PlanLimits limits;
};

struct WorkstreamRow {
  std::string plan_id;  // the plan it belongs to (several run at once)
  std::string workstream_id;
  v1::WorkstreamState state = v1::WORKSTREAM_STATE_PENDING;
  int attempts = 0;
  int lost_retries_left = 0;
  int failed_retries_left = 0;
  std::string current_attempt;
  std::string worker_id;
  std::string message;
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
};

struct AttemptRow {
  std::string plan_id;
  std::string attempt_id;
  std::string workstream_id;
  int number = 0;
  std::string worker_id;
  std::vector<uint32_t> gpus;
  bool finished = false;
  v1::AttemptOutcome outcome = v1::ATTEMPT_OUTCOME_UNSPECIFIED;
  uint64_t stored_seq = 0;  // every event up to here is stored
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  // A multi-node card's attempt is a gang of one attempt per node: `rank` is this one's
  // node, `gang` the rank-0 attempt's ID (what the workstream row names as current).
  int rank = 0;
  std::string gang;  // empty for rank 0 and for single-node cards

  const std::string& GangId() const { return gang.empty() ? attempt_id : gang; }
};

struct WorkerRow {
  std::string worker_id;
  std::string hostname;
  std::string state;  // connected | lost
  int64_t last_seen_unix_ms = 0;
};

// One plan the coordinator holds, as last committed.
struct StoredPlan {
  PlanRow plan;
  std::vector<WorkstreamRow> workstreams;
  std::vector<AttemptRow> attempts;
  // In the order they were stored (so in seq order within an attempt); log data is in the
  // log files.
  std::vector<v1::Event> events;
};

// Everything recovery needs, as last committed.
struct StoredState {
  std::vector<StoredPlan> plans;  // every plan held (running, or ended and not yet retired), oldest first
  std::vector<WorkerRow> workers;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // A new plan with its workstreams' first rows, held beside the others; the plans named in
  // `retire` (ended ones) are no longer held: recovery leaves them out.
  virtual absl::Status SubmitPlan(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                  const std::vector<std::string>& retire) = 0;
  // The same plan with edited cards: its files and parsed workstreams replaced, the rows of
  // workstreams new or run again written, and the workstreams no card holds any more
  // deleted with their attempts and events.
  virtual absl::Status ReviseCards(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                   const std::vector<std::string>& removed) = 0;
  // Attempts about to be assigned, with their workstreams' rows: one commit for all the
  // assignments of one dispatch round, before any Assign goes out.
  virtual absl::Status StartAttempts(const std::vector<AttemptRow>& attempts,
                                     const std::vector<WorkstreamRow>& workstreams) = 0;
  // Events of one group commit, with the attempt and workstream rows they changed. On
  // failure nothing of it is stored (log bytes already appended are cut off again) and
  // `events` are as they came, to be tried again; on success they may have been moved from.
  virtual absl::Status RecordEvents(std::vector<v1::Event>& events,
                                    const std::vector<AttemptRow>& attempts,
                                    const std::vector<WorkstreamRow>& workstreams) = 0;
  // State changes not caused by events: blocked, cancelled, retried, backoff.
  virtual absl::Status UpdateWorkstreams(const std::vector<WorkstreamRow>& workstreams,
                                         const std::vector<AttemptRow>& attempts) = 0;
  // A worker whose lease expired, with its attempts (lost) and their workstreams.
  virtual absl::Status MarkWorkerLost(const WorkerRow& worker,
                                      const std::vector<AttemptRow>& attempts,
                                      const std::vector<WorkstreamRow>& workstreams) = 0;
  // Workers that joined (or came back): one transaction for all that joined in one turn
  // of the loop, so a fleet joining at once does not cost an fsync per worker.
  virtual absl::Status RecordWorkers(const std::vector<WorkerRow>& workers) = 0;

  virtual absl::StatusOr<StoredState> Load() = 0;

  // Writes held for want of space (HoldingStateStore): why, since when, how many. None
  // for a store that never holds.
  struct Hold {
    std::string reason;
    int64_t since_unix_ms = 0;
    size_t writes = 0;
  };
  virtual std::optional<Hold> held() const { return std::nullopt; }
  // Tries the held writes again, in order; true once none is left.
  virtual bool RetryHeld() { return true; }
  // Writes refused for want of space so far, retries included.
  virtual uint64_t failed_writes() const { return 0; }

  // Where an attempt's log lives (for `wsfleet logs` and the summaries).
  virtual std::string LogPath(const std::string& plan_id, const std::string& workstream_id,
                              const std::string& attempt_id) const = 0;
};

}  // namespace wsfleet::coordinator
