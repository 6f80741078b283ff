#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// Events not yet acknowledged by the coordinator, per attempt, in sequence order. Kept in
// memory up to a bound, beyond it appended to a spill file under the spool directory and
// read back when needed: nothing reported is lost while the coordinator is away.
// Loop thread only.
class Outbox {
 public:
  Outbox(std::string spool_dir, size_t memory_limit_bytes);
  ~Outbox();

  // Gives `event` the attempt's next sequence number and keeps it; returns the number.
  uint64_t Add(const std::string& attempt_id, v1::Event event);
  // Copies the unacknowledged events of an attempt with seq > `after` into `out`, up to
  // `max_bytes` (at least one); returns the last seq copied (or `after`).
  uint64_t CopyAfter(const std::string& attempt_id, uint64_t after, size_t max_bytes,
                     google::protobuf::RepeatedPtrField<v1::Event>* out);
  // Everything up to `seq` is stored; forget it.
  void Ack(const std::string& attempt_id, uint64_t seq);
  void Drop(const std::string& attempt_id);
  // All unacknowledged events of an attempt, oldest first (to resend after reconnecting).
  std::vector<v1::Event> Unacked(const std::string& attempt_id);

  bool Empty(const std::string& attempt_id) const;
  std::vector<std::string> Attempts() const;
  size_t memory_bytes() const { return memory_bytes_; }
  uint64_t spilled_events() const { return spilled_events_; }

 private:
  struct Queue {
    uint64_t next_seq = 1;
    uint64_t acked = 0;
    std::deque<v1::Event> memory;  // the oldest unacknowledged events
    std::string spill_path;        // newer ones, when memory was full
    uint64_t spill_read_offset = 0;
    uint64_t spilled = 0;          // events in the spill file not yet moved to memory
  };
  void Refill(Queue& queue);
  std::string SpillPath(const std::string& attempt_id) const;

  std::string spool_dir_;
  size_t memory_limit_;
  size_t memory_bytes_ = 0;
  uint64_t spilled_events_ = 0;
  std::map<std::string, Queue> queues_;
};

}  // namespace wsfleet::worker
