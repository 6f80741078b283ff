#include "coordinator/held_output.h"

namespace wsfleet::coordinator {

void HeldOutput::Send(const std::string& worker_id, const v1::CoordinatorMessage& message) {
  bool promises_nothing = message.has_lease() || message.has_rejoin();
  if (promises_nothing || (held_.empty() && !store_.held())) {
    inner_.Send(worker_id, message);
    return;
  }
  held_.emplace_back(worker_id, message);
}

void HeldOutput::Release() {
  if (store_.held()) return;
  while (!held_.empty()) {
    inner_.Send(held_.front().first, held_.front().second);
    held_.pop_front();
  }
}

}  // namespace wsfleet::coordinator
