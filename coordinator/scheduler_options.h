#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/plan.h"
#include "coordinator/verdict.h"

namespace wsfleet::coordinator {

struct SchedulerOptions {
  common::Nanos heartbeat_interval = std::chrono::seconds(2);
  common::Nanos lease = std::chrono::seconds(10);
  int default_lost_retries = 2;    // a lost attempt is retried this often unless Retries says
  int default_failed_retries = 0;  // a failed attempt likewise
  common::Nanos backoff_initial = std::chrono::seconds(1);
  common::Nanos backoff_max = std::chrono::seconds(60);
  double backoff_jitter = 0.2;     // +-20%
  // A lost attempt's retry waits no backoff (losing a worker is not the card's doing), only
  // this long: the lost worker's guards stop its steps at the end of the lease it holds,
  // which ends no later than the coordinator's view of it (its clock starts when the
  // heartbeat leaves); the margin covers their stopping, so that the two never overlap.
  // At most a quarter of the lease.
  common::Nanos fence_margin = std::chrono::milliseconds(500);
  uint64_t random_seed = 0;        // 0: from std::random_device
  int64_t default_step_timeout_seconds = 0;
  // How long a workstream no worker could run may wait for one to join before it fails.
  // (At submit, one that none of the connected workers could run fails at once.)
  common::Nanos infeasible_grace = std::chrono::seconds(30);
  // A launcher makes workers for the work that waits (Slurm jobs): work no worker present
  // could run waits for one, with the launcher's reason, instead of failing.
  bool workers_on_demand = false;
  // How long a multi-node card may wait for its N workers to be free at once before it
  // fails with the reason (`waiting: 1 of 2 nodes have 2 free GPUs`).
  common::Nanos gang_timeout = std::chrono::minutes(10);
  // Assignments a busy worker may hold beyond its slots, queued there and started as its
  // slots free, so that short workstreams do not each wait a round trip to the coordinator
  // for the next. Only cards without GPUs, agent or gang are queued, and none while
  // ready work that needs a free slot waits. 0: none.
  uint32_t worker_queue = 1;
  // An attempt queued this long, not started, while another worker could run it now is
  // taken back (revoked) and placed again: none waits long behind a slow workstream.
  common::Nanos revoke_after = std::chrono::seconds(1);
  // What all of a plan's agents may spend (tokens, turns, dollars; its time is ignored):
  // past it, running agents are stopped and nothing more starts.
  std::optional<common::Workstream::Budget> plan_budget;
  // What must hold, besides every step passing, for a workstream to succeed.
  Verification verification = Verification::kDefault;
  // Merges also mark the card Completed and commit its summary beside it.
  bool write_back = false;
  // Shown in status so users find them: the state directory (absolute) and the metrics
  // endpoint.
  std::string state_dir;
  // Set by `wsfleet run`, which gives its workers the same: a worker whose Hello carries it
  // shares this machine and appends its attempts' output to their logs in state_dir
  // itself (see worker/local_log.h). Empty: every worker sends its output.
  std::string local_log_token;
  std::string metrics_url;
};

}  // namespace wsfleet::coordinator
