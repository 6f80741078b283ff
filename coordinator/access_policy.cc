#include "coordinator/access_policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "security/certificates.h"
#include "security/grpc_tls.h"

namespace wsfleet::coordinator {
namespace {

Role RoleFrom(const std::string& name) {
  if (name == security::kRoleAdmin) return Role::kAdmin;
  if (name == security::kRoleViewer) return Role::kViewer;
  if (name == security::kRoleWorker) return Role::kWorker;
  return Role::kNone;
}

bool Holds(Role have, Role needed) {
  if (have == needed) return true;
  return have == Role::kAdmin && needed == Role::kViewer;
}

std::string Now() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&seconds));
  return text;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kWorker: return "worker";
    case Role::kViewer: return "viewer";
    case Role::kAdmin: return "admin";
    case Role::kNone: break;
  }
  return "none";
}

AccessPolicy::AccessPolicy(bool insecure, std::string audit_path) : insecure_(insecure) {
  if (audit_path.empty()) return;
  int fd = ::open(audit_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) ::fchmod(fd, 0600);
  audit_ = fd >= 0 ? ::fdopen(fd, "a") : nullptr;
  if (audit_ == nullptr) spdlog::warn("{}: cannot open the audit log; control calls go unrecorded", audit_path);
}

AccessPolicy::~AccessPolicy() {
  if (audit_ != nullptr) std::fclose(audit_);
}

Caller AccessPolicy::Identify(const grpc::ServerContextBase& context) const {
  Caller caller;
  caller.peer = context.peer();
  if (caller.peer.rfind("unix:", 0) == 0) {
    caller.name = "local";
    caller.role = Role::kAdmin;
    caller.via = "unix socket";
    caller.trusted = true;
    return caller;
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  std::string pem = auth ? security::PeerCertificatePem(*auth) : "";
  if (!pem.empty()) {
    absl::StatusOr<security::CertificateInfo> info = security::ReadCertificate(pem);
    if (info.ok()) {
      caller.name = info->common_name;
      caller.role = RoleFrom(info->role);
      caller.via = "certificate";
      return caller;
    }
  }
  caller.name = "anonymous";
  if (insecure_) {
    caller.role = Role::kAdmin;
    caller.via = "insecure";
    caller.trusted = true;
  } else {
    caller.via = "none";
  }
  return caller;
}

grpc::Status AccessPolicy::Check(const Caller& caller, Role needed, std::string_view method,
                                 std::string_view target) {
  if (caller.trusted || Holds(caller.role, needed)) {
    Record(caller, method, target, true, "");
    return grpc::Status::OK;
  }
  std::string why;
  grpc::StatusCode code = grpc::StatusCode::PERMISSION_DENIED;
  if (caller.via == "none") {
    code = grpc::StatusCode::UNAUTHENTICATED;
    why = std::string(method) + " needs a client certificate (wsfleet admin-cert create NAME --role " +
          RoleName(needed) + "; then --credentials FILE)";
  } else {
    why = std::string(method) + " needs role " + RoleName(needed) + "; " + caller.name + " has role " +
          RoleName(caller.role);
  }
  Record(caller, method, target, false, why);
  WarnRefused(caller, method, why);
  return grpc::Status(code, why);
}

void AccessPolicy::WarnRefused(const Caller& caller, std::string_view method, std::string_view why) {
  // At most a line a second: a client refused in a loop must not fill the log.
  auto now = std::chrono::steady_clock::now();
  uint64_t held = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (now - last_warning_ < std::chrono::seconds(1)) {
      ++warnings_held_;
      return;
    }
    last_warning_ = now;
    held = std::exchange(warnings_held_, 0);
  }
  spdlog::warn("refused {} from {} ({}, {}): {}{}", method, caller.name, caller.via, caller.peer, why,
               held > 0 ? " (" + std::to_string(held) + " more refusals since the last line)" : "");
}

void AccessPolicy::Record(const Caller& caller, std::string_view method, std::string_view target, bool allowed,
                          std::string_view why) {
  if (audit_ == nullptr) return;
  nlohmann::json line = {{"ts", Now()},         {"caller", caller.name}, {"role", RoleName(caller.role)},
                         {"via", caller.via},    {"peer", caller.peer},   {"method", method},
                         {"target", target},     {"allowed", allowed}};
  if (!why.empty()) line[allowed ? "detail" : "why"] = why;
  // Replaced, not refused: a hostile name must not break the log's JSON.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  std::fputs(text.c_str(), audit_);
  std::fflush(audit_);
}

}  // namespace wsfleet::coordinator
