#include "cli/access_commands.h"

#include <CLI/CLI.hpp>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/client_channel.h"
#include "common/exit_codes.h"
#include "common/field_values.h"
#include "security/certificates.h"
#include "security/client_identity.h"
#include "security/secret_file.h"
#include "wsfleet/v1/access.grpc.pb.h"

namespace wsfleet::cli {
namespace {

struct TokenCreateOptions {
  std::string ttl = "24h";
  std::vector<std::string> labels;
  std::string description;
  std::string output;  // write the token to this file (0600) instead of stdout
};

struct AdminCertOptions {
  std::string name;
  std::string role = "viewer";
  std::string output;  // default: NAME.pem
  std::string ttl = "365d";
};

std::unique_ptr<v1::AccessService::Stub> Stub(const ClientOptions& client) {
  return ClientStub<v1::AccessService>(client);
}

grpc::ClientContext* Deadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return &context;
}

int Failed(const ClientOptions& client, const grpc::Status& status) { return ReportRpcFailure(client, status); }

// A duration such as 24h, 30m or 7d; 0 for never. -1 (said on stderr) when it is not one.
int64_t TtlSeconds(const std::string& text, const char* flag) {
  if (text == "0") return 0;
  absl::StatusOr<int64_t> seconds = common::ParseTimeoutSeconds(text);
  if (!seconds.ok() || *seconds <= 0) {
    std::cerr << "wsfleet: " << flag << " '" << text << "': a duration such as 24h, 30m or 7d (0: never)\n";
    return -1;
  }
  return *seconds;
}

std::string Date(int64_t unix_seconds) {
  if (unix_seconds == 0) return "never";
  std::time_t time = unix_seconds;
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&time));
  return text;
}

int TokenCreate(const ClientOptions& client, const TokenCreateOptions& options) {
  int64_t ttl = TtlSeconds(options.ttl, "--ttl");
  if (ttl < 0) return kExitUsage;
  v1::CreateTokenRequest request;
  request.set_ttl_seconds(ttl);
  request.set_description(options.description);
  for (const std::string& label : options.labels) {
    size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "wsfleet: --label '" << label << "' is not key=value\n";
      return kExitUsage;
    }
    (*request.mutable_labels())[label.substr(0, eq)] = label.substr(eq + 1);
  }
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  v1::CreateTokenResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub->CreateToken(Deadline(context), request, &response);
  if (!status.ok()) return Failed(client, status);
  if (!options.output.empty()) {
    if (absl::Status written = security::WriteSecretFile(options.output, response.token() + "\n"); !written.ok()) {
      std::cerr << "wsfleet: " << written.message() << "\n";
      return kExitFailed;
    }
    std::cerr << "token " << response.id() << " written to " << options.output << " (expires "
              << Date(response.expires_unix()) << ")\n";
    return kExitOk;
  }
  std::cout << response.token() << "\n";
  std::cerr << "token " << response.id() << ", expires " << Date(response.expires_unix())
            << ". Give it to workers in a file (--join-token-file) or $WSFLEET_JOIN_TOKEN, never on a "
               "command line.\n";
  return kExitOk;
}

int TokenList(const ClientOptions& client) {
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  v1::ListTokensResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub->ListTokens(Deadline(context), {}, &response);
  if (!status.ok()) return Failed(client, status);
  std::time_t now = std::time(nullptr);
  std::cout << "ID      STATE    EXPIRES               USES  LABELS  DESCRIPTION\n";
  for (const v1::TokenInfo& token : response.tokens()) {
    std::string state = token.revoked()                                              ? "revoked"
                        : token.expires_unix() != 0 && token.expires_unix() <= now ? "expired"
                                                                                   : "valid";
    std::string labels;
    for (const auto& [key, value] : token.labels()) labels += (labels.empty() ? "" : ",") + key + "=" + value;
    std::cout << token.id() << "  " << state << "  " << Date(token.expires_unix()) << "  " << token.uses() << "  "
              << (labels.empty() ? "-" : labels) << "  " << token.description() << "\n";
  }
  return kExitOk;
}

int TokenRevoke(const ClientOptions& client, const std::string& id) {
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  v1::RevokeTokenRequest request;
  request.set_id(id);
  v1::RevokeTokenResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub->RevokeToken(Deadline(context), request, &response);
  if (!status.ok()) return Failed(client, status);
  std::cout << "revoked token " << id << "; workers that joined with it keep their certificates\n";
  return kExitOk;
}

int AdminCertCreate(const ClientOptions& client, const AdminCertOptions& options) {
  int64_t ttl = TtlSeconds(options.ttl, "--ttl");
  if (ttl < 0) return kExitUsage;
  std::string output = options.output.empty() ? options.name + ".pem" : options.output;
  std::error_code error;
  if (std::filesystem::exists(output, error)) {
    std::cerr << "wsfleet: " << output << " exists; give another --out, or remove it first\n";
    return kExitUsage;
  }
  absl::StatusOr<std::string> key = security::NewPrivateKey();
  absl::StatusOr<std::string> csr = key.ok() ? security::CreateRequest(*key, options.name) : key.status();
  if (!csr.ok()) {
    std::cerr << "wsfleet: " << csr.status().message() << "\n";
    return kExitFailed;
  }
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  v1::SignClientCertificateRequest request;
  request.set_name(options.name);
  request.set_role(options.role);
  request.set_csr_pem(*csr);
  request.set_ttl_seconds(ttl);
  v1::SignClientCertificateResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub->SignClientCertificate(Deadline(context), request, &response);
  if (!status.ok()) return Failed(client, status);
  security::ClientIdentity identity{*key, response.certificate_pem(), response.ca_pem(), response.server_name(), {}};
  if (absl::Status written = security::WriteClientIdentity(output, identity,
                                                           "wsfleet " + options.role + " " + options.name);
      !written.ok()) {
    std::cerr << "wsfleet: " << written.message() << "\n";
    return kExitFailed;
  }
  std::cout << "wrote " << output << " (" << options.role << " " << options.name
            << "); use it with --credentials " << output << " or $WSFLEET_CREDENTIALS\n";
  return kExitOk;
}

void AddClientFlags(CLI::App* command, ClientOptions& client) {
  command->add_option("--coordinator", client.coordinator,
                      "Coordinator address (default: $WSFLEET_COORDINATOR, else unix:.wsfleet/coordinator.sock, "
                      "the local socket of a coordinator with --state .wsfleet)");
  command->add_option("--credentials", client.credentials,
                      "An admin's credentials file, for a TCP address (default: $WSFLEET_CREDENTIALS)");
  command->add_flag("--insecure", client.insecure, "Plaintext TCP, for a coordinator started with --insecure");
}

}  // namespace

void AddAccessCommands(CLI::App& app, std::function<int()>& run) {
  // Owned by the callbacks that read them once the command line is parsed.
  struct Options {
    ClientOptions client;
    TokenCreateOptions create;
    std::string revoke_id;
    AdminCertOptions cert;
  };
  auto options = std::make_shared<Options>();
  ClientOptions& client = options->client;
  TokenCreateOptions& create = options->create;
  AdminCertOptions& cert = options->cert;

  CLI::App* token = app.add_subcommand("token", "Join tokens: create, list or revoke them (admins)");
  token->require_subcommand(1);
  token->footer(
      "A token is wsf1.<id>.<secret>.<ca-hash>. A worker given only the coordinator's address and a\n"
      "token checks the coordinator's CA against the hash, then trades the secret for its own\n"
      "certificate. The coordinator keeps only a hash of the secret.");
  CLI::App* token_create = token->add_subcommand("create", "Print a new join token");
  token_create->add_option("--ttl", create.ttl, "How long it joins workers: 24h, 30m, 7d; 0: never expires")
      ->capture_default_str();
  token_create->add_option("--label", create.labels, "key=value given to every worker that joins with it");
  token_create->add_option("--description", create.description, "What it is for, shown by token list");
  token_create->add_option("--out", create.output, "Write it to this file (0600) instead of stdout");
  AddClientFlags(token_create, client);
  token_create->callback([&run, options] { run = [options] { return TokenCreate(options->client, options->create); }; });

  CLI::App* token_list = token->add_subcommand("list", "List join tokens (never their secrets)");
  AddClientFlags(token_list, client);
  token_list->callback([&run, options] { run = [options] { return TokenList(options->client); }; });

  CLI::App* token_revoke = token->add_subcommand("revoke", "Revoke a join token: no worker joins with it again");
  token_revoke->add_option("id", options->revoke_id, "The token's ID (the part after wsf1.)")->required();
  AddClientFlags(token_revoke, client);
  token_revoke->callback([&run, options] { run = [options] { return TokenRevoke(options->client, options->revoke_id); }; });

  CLI::App* admin_cert = app.add_subcommand("admin-cert", "Credentials for operators (admins)");
  admin_cert->require_subcommand(1);
  CLI::App* admin_create = admin_cert->add_subcommand(
      "create", "Write NAME.pem: a key, a certificate for NAME with a role, and the fleet's CA");
  admin_create->add_option("name", cert.name, "Who it is for; shown in the audit log")->required();
  admin_create->add_option("--role", cert.role, "admin: everything; viewer: status, logs, workers")
      ->check(CLI::IsMember({"admin", "viewer"}))
      ->capture_default_str();
  admin_create->add_option("--out", cert.output, "The file to write (default NAME.pem; 0600)");
  admin_create->add_option("--ttl", cert.ttl, "How long the certificate is valid")->capture_default_str();
  AddClientFlags(admin_create, client);
  admin_create->footer("Then, from any machine: wsfleet status --coordinator HOST:7447 --credentials NAME.pem");
  admin_create->callback([&run, options] { run = [options] { return AdminCertCreate(options->client, options->cert); }; });
}

}  // namespace wsfleet::cli
