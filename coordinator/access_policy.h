#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

// Who is calling, and whether they may: every control call and every worker session is
// checked here and written to the audit log (STATE/audit.log, one JSON object a line).
// Any thread.
namespace wsfleet::coordinator {

enum class Role { kNone, kWorker, kViewer, kAdmin };
const char* RoleName(Role role);

struct Caller {
  std::string name;  // the certificate's CN; "local" on the unix socket; else "anonymous"
  Role role = Role::kNone;
  std::string via;   // how the identity was learnt: certificate, unix socket, insecure, none
  std::string peer;  // the transport address
  // The local socket (only its owner reaches it) and a --insecure listener may act as any
  // worker and call anything: no certificate is there to say otherwise.
  bool trusted = false;
};

class AccessPolicy {
 public:
  // `insecure`: TCP listeners are plaintext (--insecure), and their callers are trusted.
  AccessPolicy(bool insecure, std::string audit_path);
  ~AccessPolicy();
  AccessPolicy(const AccessPolicy&) = delete;
  AccessPolicy& operator=(const AccessPolicy&) = delete;

  Caller Identify(const grpc::ServerContextBase& context) const;
  // OK when `caller` holds `needed` (admin includes viewer); else PERMISSION_DENIED or
  // UNAUTHENTICATED saying what would do. Either way one audit line: time, caller,
  // method, target (a workstream, worker or plan) and the decision.
  grpc::Status Check(const Caller& caller, Role needed, std::string_view method, std::string_view target);
  // An audit line for a decision made elsewhere (a worker session refused, say).
  void Record(const Caller& caller, std::string_view method, std::string_view target, bool allowed,
              std::string_view why);
  bool insecure() const { return insecure_; }

 private:
  void WarnRefused(const Caller& caller, std::string_view method, std::string_view why);

  const bool insecure_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_warning_;
  uint64_t warnings_held_ = 0;
  std::FILE* audit_ = nullptr;
};

}  // namespace wsfleet::coordinator
