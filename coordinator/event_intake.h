#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/scheduler_output.h"
#include "coordinator/state_store.h"
#include "wsfleet/v1/worker.pb.h"

namespace wsfleet::coordinator {

// The events workers send, on their way to the store: fencing (only an attempt's own
// worker may report for it, and only while it is current), sequence numbers (in order, no
// gaps), duplicates (acknowledged again, never applied twice), and the acks and rejects
// that answer a batch, sent only once it is stored. Loop thread only.
class EventIntake {
 public:
  // The attempt `worker_id` may report `event` for, or nullptr when it may not.
  using Fence = std::function<AttemptRow*(const std::string& worker_id, const v1::Event& event)>;
  explicit EventIntake(Fence fence) : fence_(std::move(fence)) {}

  void Queue(const std::string& worker_id, v1::EventBatch batch);
  bool empty() const { return queued_.empty(); }

  struct Admitted {
    AttemptRow* attempt;  // its stored_seq is now the event's
    v1::Event event;
  };
  // The new events of what was queued, in the order they came. The answers to them wait
  // for Answer().
  std::vector<Admitted> Admit();
  // Acks (each attempt's stored high-water mark) and rejects for what was admitted;
  // `rejected` hears of each reject (worker, attempt, why).
  void Answer(SchedulerOutput& output,
              const std::function<void(const std::string&, const std::string&, const std::string&)>& rejected = {});

  struct Counters {
    uint64_t admitted = 0;
    uint64_t duplicate = 0;
    uint64_t rejected = 0;  // stale: the attempt is not current, or not the sender's
    uint64_t invalid = 0;   // malformed or past a limit (CheckEvent): its attempt is rejected
  };
  const Counters& counters() const { return counters_; }

 private:
  Fence fence_;
  std::vector<std::pair<std::string, v1::Event>> queued_;
  std::map<std::pair<std::string, std::string>, uint64_t> acks_;  // (worker, attempt) -> seq
  std::map<std::pair<std::string, std::string>, std::string> rejects_;  // (worker, attempt) -> why
  Counters counters_;
};

}  // namespace wsfleet::coordinator
