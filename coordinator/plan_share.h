#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "coordinator/state_store.h"

namespace wsfleet::coordinator {

// What one plan holds of the fleet now (slots, GPUs, workers), what it held over time
// (slot- and GPU-seconds), and the limits it was given (PlanLimits). Every placement of
// the plan is Held here and Released when its attempt ends, whichever path ends it (both
// are idempotent). Loop thread only.
class PlanShare {
 public:
  PlanShare(const common::Clock& clock, PlanLimits limits);

  void Hold(const std::string& attempt_id, const std::string& worker_id, size_t gpus);
  void Release(const std::string& attempt_id);

  const PlanLimits& limits() const { return limits_; }
  uint32_t slots() const { return static_cast<uint32_t>(held_.size()); }
  uint32_t gpus() const { return gpus_; }
  size_t workers() const { return workers_.size(); }
  bool HoldsWorker(const std::string& worker_id) const { return workers_.count(worker_id) > 0; }
  std::set<std::string> Workers() const;
  // Slot-seconds and GPU-seconds held since the plan started, up to now.
  double slot_seconds() const;
  double gpu_seconds() const;

  // Why the plan may not take `gpus` more GPUs on `new_workers` workers it does not hold
  // yet (its quotas), or nothing when it may.
  std::optional<std::string> OverQuota(size_t gpus, size_t new_workers) const;
  // Why the plan could never run a card asking for `gpus` GPUs on each of `nodes` workers
  // under its quotas, or nothing.
  std::optional<std::string> BeyondQuota(size_t gpus, int nodes) const;

 private:
  void Advance() const;  // adds what was held since the last change

  const common::Clock& clock_;
  PlanLimits limits_;
  struct Holding {
    std::string worker_id;
    size_t gpus = 0;
  };
  std::unordered_map<std::string, Holding> held_;  // by attempt
  std::map<std::string, int> workers_;             // worker → attempts held there
  uint32_t gpus_ = 0;
  mutable common::SteadyTime since_;
  mutable double slot_seconds_ = 0;
  mutable double gpu_seconds_ = 0;
};

// How plans held at once share the fleet: a plan's standing is its dominant share (the
// larger of its fraction of the fleet's slots and of its GPUs) divided by its weight, and
// the next placement goes to the plan that stands lowest, so that over time each holds
// slots and GPUs in proportion to its --share. Ties go to the plan that held least over
// time (per weight), then to the older.
struct ShareStanding {
  double share = 1;
  uint32_t slots = 0;
  uint32_t gpus = 0;
  double slot_seconds = 0;
};
struct FleetSize {
  uint32_t slots = 0;
  uint32_t gpus = 0;
};
double DominantShare(const ShareStanding& plan, const FleetSize& fleet);
// The index in `plans` of the plan that gets the next placement; `plans` is not empty.
size_t NextByShare(const std::vector<ShareStanding>& plans, const FleetSize& fleet);

}  // namespace wsfleet::coordinator
