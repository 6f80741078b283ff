#include "cli/client_channel.h"

#include <cstdlib>
#include <filesystem>

#include "absl/status/status.h"
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
