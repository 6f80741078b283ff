#include "cli/client_channel.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/status/status.h"
#include "common/exit_codes.h"
#include "proto/grpc_settings.h"
#include "security/client_identity.h"
#include "security/grpc_tls.h"

namespace wsfleet::cli {

std::string ClientAddress(const ClientOptions& client) {
  if (!client.coordinator.empty()) return client.coordinator;
  if (const char* env = std::getenv("WSFLEET_COORDINATOR"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  return "unix:" + std::filesystem::absolute(".wsfleet/coordinator.sock", error).string();
}

int ReportRpcFailure(const ClientOptions& client, const grpc::Status& status, bool submitting) {
  if (status.ok()) return kExitOk;
  std::cerr << "wsfleet: " << ClientAddress(client) << ": " << status.error_message() << "\n";
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kExitUnreachable;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:  // the state store is full
    case grpc::StatusCode::ABORTED:
      return kExitBusy;
    case grpc::StatusCode::FAILED_PRECONDITION:  // for a plan: the coordinator cannot take it now
      return submitting ? kExitBusy : kExitFailed;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return submitting ? kExitInvalidPlan : kExitUsage;
    case grpc::StatusCode::NOT_FOUND:  // no such workstream or worker
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ClientChannel(const ClientOptions& client) {
  std::string address = ClientAddress(client);
  if (address.rfind("unix:", 0) == 0 || client.insecure) return rpc::Connect(address);
  std::string path = client.credentials;
  if (path.empty()) {
    if (const char* env = std::getenv("WSFLEET_CREDENTIALS"); env != nullptr) path = env;
  }
  if (path.empty()) {
    return absl::InvalidArgumentError(
        address + " is reached over TLS with a client certificate: give --credentials FILE (or "
                  "$WSFLEET_CREDENTIALS; `wsfleet admin-cert create` makes one), or on the coordinator's machine "
                  "use its local socket (--coordinator unix:STATE/coordinator.sock); --insecure only for a "
                  "coordinator started with --insecure");
  }
  absl::StatusOr<security::ClientIdentity> identity = security::ReadClientIdentity(path);
  if (!identity.ok()) return identity.status();
  return rpc::Connect(address, security::ChannelSecurityFor(identity->ca_pem, &*identity, identity->server_name));
}

}  // namespace wsfleet::cli
