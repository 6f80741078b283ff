#include "coordinator/event_intake.h"

#include "coordinator/input_check.h"

namespace wsfleet::coordinator {

void EventIntake::Queue(const std::string& worker_id, v1::EventBatch batch) {
  for (v1::Event& event : *batch.mutable_events()) queued_.emplace_back(worker_id, std::move(event));
}

std::vector<EventIntake::Admitted> EventIntake::Admit() {
  std::vector<std::pair<std::string, v1::Event>> batch;
  batch.swap(queued_);
  std::vector<Admitted> admitted;
  for (auto& [worker_id, event] : batch) {
    if (absl::Status valid = CheckEvent(event); !valid.ok()) {
      // Nothing of it is stored; the attempt it claims is told why, and ends there.
      ++counters_.invalid;
      rejects_.insert({{worker_id, event.attempt_id().substr(0, InputLimits::kAttemptId)},
                       "event " + std::to_string(event.seq()) + " refused: " + std::string(valid.message())});
      continue;
    }
    AttemptRow* attempt = fence_(worker_id, event);
    // After its end an attempt can only be sent what it already sent.
    if (attempt == nullptr || (attempt->finished && event.seq() > attempt->stored_seq)) {
      ++counters_.rejected;
      rejects_.insert({{worker_id, event.attempt_id()}, "attempt " + event.attempt_id() + " is no longer current"});
      continue;
    }
    if (event.seq() <= attempt->stored_seq) {
      ++counters_.duplicate;
      acks_[{worker_id, attempt->attempt_id}] = attempt->stored_seq;
      continue;
    }
    if (event.seq() != attempt->stored_seq + 1) continue;  // a gap: the worker resends from the ack
    attempt->stored_seq = event.seq();
    acks_[{worker_id, attempt->attempt_id}] = attempt->stored_seq;
    admitted.push_back({attempt, std::move(event)});
  }
  counters_.admitted += admitted.size();
  return admitted;
}

void EventIntake::Answer(SchedulerOutput& output,
                         const std::function<void(const std::string&, const std::string&, const std::string&)>& rejected) {
  for (const auto& [key, seq] : acks_) {
    v1::CoordinatorMessage message;
    message.mutable_ack()->set_attempt_id(key.second);
    message.mutable_ack()->set_seq(seq);
    output.Send(key.first, message);
  }
  for (const auto& [key, reason] : rejects_) {
    const auto& [worker, attempt] = key;
    v1::CoordinatorMessage message;
    message.mutable_reject()->set_attempt_id(attempt);
    message.mutable_reject()->set_reason(reason);
    output.Send(worker, message);
    if (rejected) rejected(worker, attempt, reason);
  }
  acks_.clear();
  rejects_.clear();
}

}  // namespace wsfleet::coordinator
