#pragma once

#include <string>
#include <utility>
#include <vector>

#include "coordinator/scheduler_output.h"

namespace wsfleet::testing {

// A SchedulerOutput that keeps every message, for tests to inspect and consume.
class RecordingOutput : public coordinator::SchedulerOutput {
 public:
  void Send(const std::string& worker_id, const v1::CoordinatorMessage& message) override {
    sent.emplace_back(worker_id, message);
  }
  void WorkstreamEnded(const coordinator::RunReader&, int index) override { ended.push_back(index); }

  // The Assign messages sent so far (removing them), as (worker, attempt spec).
  std::vector<std::pair<std::string, v1::AttemptSpec>> TakeAssigns() {
    std::vector<std::pair<std::string, v1::AttemptSpec>> assigns;
    std::vector<std::pair<std::string, v1::CoordinatorMessage>> rest;
    for (auto& [worker, message] : sent) {
      if (message.has_assign()) {
        assigns.emplace_back(worker, message.assign().attempt());
      } else {
        rest.emplace_back(worker, std::move(message));
      }
    }
    sent = std::move(rest);
    return assigns;
  }
  template <typename Predicate>
  int Count(Predicate predicate) const {
    int count = 0;
    for (const auto& [worker, message] : sent) count += predicate(message) ? 1 : 0;
    return count;
  }

  std::vector<std::pair<std::string, v1::CoordinatorMessage>> sent;
  std::vector<int> ended;
};

}  // namespace wsfleet::testing
