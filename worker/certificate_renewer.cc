#include "worker/certificate_renewer.h"

namespace wsfleet::worker {

CertificateRenewer::CertificateRenewer(JoinInputs inputs, std::function<void(const Joined&)> renewed,
                                       std::function<void(const std::string&)> say)
    : inputs_(std::move(inputs)), renewed_(std::move(renewed)), say_(std::move(say)), thread_([this] { Loop(); }) {}

CertificateRenewer::~CertificateRenewer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CertificateRenewer::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    lock.unlock();
    std::chrono::seconds next{3600};
    absl::StatusOr<std::optional<Joined>> result = RenewIfDue(inputs_, &next);
    if (!result.ok()) {
      say_("renewing the worker certificate failed (trying again in " + std::to_string(next.count()) +
           " s): " + std::string(result.status().message()));
    } else if (result->has_value()) {
      renewed_(**result);
    }
    lock.lock();
    wake_.wait_for(lock, next, [this] { return stop_; });
  }
}

}  // namespace wsfleet::worker
