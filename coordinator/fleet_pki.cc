#include "coordinator/fleet_pki.h"

#include <filesystem>

#include "coordinator/coordinator_server.h"
#include "security/secret_file.h"

namespace wsfleet::coordinator {

absl::StatusOr<std::unique_ptr<FleetPki>> LoadFleetPki(const TlsOptions& options, const std::string& state_dir) {
  auto pki = std::make_unique<FleetPki>();
  std::string dir = (std::filesystem::path(state_dir) / "tls").string();
  absl::StatusOr<security::ServerTls> tls;
  if (!options.cert_file.empty() || !options.key_file.empty() || !options.client_ca_file.empty()) {
    if (options.cert_file.empty() || options.key_file.empty() || options.client_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls-cert, --tls-key and --tls-client-ca go together");
    }
    tls = security::LoadExternalServerTls(options.cert_file, options.key_file, options.client_ca_file,
                                          options.ca_key_file);
  } else {
    std::vector<std::string> names = security::LocalNames();
    names.insert(names.end(), options.advertise.begin(), options.advertise.end());
    tls = security::LoadOrCreateServerTls(dir, names, pki->now());
    pki->server_name = security::kCoordinatorName;
  }
  if (!tls.ok()) return tls.status();
  pki->tls = std::move(*tls);
  pki->worker_certificate_lifetime = options.worker_certificate_lifetime;
  if (pki->tls.can_issue()) {
    if (absl::Status status = security::EnsurePrivateDirectory(dir); !status.ok()) return status;
    absl::StatusOr<security::TokenRegistry> tokens = security::TokenRegistry::Open(dir + "/tokens.json");
    if (!tokens.ok()) return tokens.status();
    pki->tokens = std::move(*tokens);
    for (const security::JoinToken& token : options.bootstrap_tokens) {
      if (!token.ca_hash.empty() && token.ca_hash != pki->tls.ca_public_key_sha256) {
        return absl::InvalidArgumentError("join token " + token.id + " pins another CA than this coordinator's");
      }
      if (absl::Status status = pki->tokens->Register(token, pki->now(), "from --join-token-file"); !status.ok()) {
        return status;
      }
    }
  } else if (!options.bootstrap_tokens.empty()) {
    return absl::InvalidArgumentError("a join token needs a coordinator that issues certificates (--tls-ca-key)");
  }
  return pki;
}

}  // namespace wsfleet::coordinator
