#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "security/server_tls.h"
#include "security/token_registry.h"

namespace wsfleet::coordinator {

// The coordinator's TLS material and join tokens, shared by the join and access services.
// `tokens` is used on the loop thread only.
struct FleetPki {
  security::ServerTls tls;
  std::optional<security::TokenRegistry> tokens;  // empty: this coordinator issues nothing
  std::function<security::SystemTime()> now = [] { return std::chrono::system_clock::now(); };
  std::chrono::seconds worker_certificate_lifetime = std::chrono::hours(24 * 30);
  // What clients check the server's certificate for: kCoordinatorName when the PKI is the
  // coordinator's own; empty (the dialled host) for an external one.
  std::string server_name;
};

}  // namespace wsfleet::coordinator

namespace wsfleet::coordinator {

struct TlsOptions;

// The PKI for a TLS listener: `options`' files, or STATE/tls/ made or loaded (the server
// certificate carrying this machine's names and the advertised ones); the token registry
// beside it, with the bootstrap tokens registered.
absl::StatusOr<std::unique_ptr<FleetPki>> LoadFleetPki(const TlsOptions& options, const std::string& state_dir);

}  // namespace wsfleet::coordinator
