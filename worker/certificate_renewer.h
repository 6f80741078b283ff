#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "worker/fleet_join.h"

namespace wsfleet::worker {

// Keeps a running worker's certificate fresh: looks at its credentials file every twelfth
// of the certificate's life and renews it (RenewIfDue) once a third is left, then hands
// the new identity to `renewed` so that the next session uses it. A failure is said and
// tried again at the next look. Its own thread; stops when destroyed.
class CertificateRenewer {
 public:
  CertificateRenewer(JoinInputs inputs, std::function<void(const Joined&)> renewed,
                     std::function<void(const std::string&)> say);
  ~CertificateRenewer();
  CertificateRenewer(const CertificateRenewer&) = delete;
  CertificateRenewer& operator=(const CertificateRenewer&) = delete;

 private:
  void Loop();

  const JoinInputs inputs_;
  const std::function<void(const Joined&)> renewed_;
  const std::function<void(const std::string&)> say_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: started once everything it uses is there
};

}  // namespace wsfleet::worker
