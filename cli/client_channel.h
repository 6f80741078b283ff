#pragma once

#include <iostream>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace wsfleet::cli {

// What every client command needs: where the coordinator is, and who is asking.
struct ClientOptions {
  std::string coordinator;  // default: $WSFLEET_COORDINATOR, else unix:.wsfleet/coordinator.sock
  std::string credentials;  // default: $WSFLEET_CREDENTIALS; needed for a TCP address
  bool insecure = false;    // plaintext TCP, for a coordinator started with --insecure
  std::string output = "table";
  std::string plan;  // --plan: which plan a command on one means (empty: the only one, or the only running)
};

std::string ClientAddress(const ClientOptions& client);

// Says the coordinator's answer on stderr ("wsfleet: ADDRESS: message") and gives the exit
// code it means (common/exit_codes.h): unreachable, busy (a full state store), a bad
// argument (no such workstream, worker or plan; several plans and no --plan), a plan with
// errors (`submitting`), or 1.
int ReportRpcFailure(const ClientOptions& client, const grpc::Status& status, bool submitting = false);
// The channel to the coordinator: plaintext on a unix socket (its owner's) or with
// --insecure; else TLS with the credentials file's certificate, checking the coordinator
// against its CA. An error says what to give when nothing fits.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ClientChannel(const ClientOptions& client);

// A stub of `Service` on ClientChannel(client); null when no channel can be made (bad or
// missing credentials), the reason then said on stderr: the command exits with a usage
// error.
template <typename Service>
std::unique_ptr<typename Service::Stub> ClientStub(const ClientOptions& client) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ClientChannel(client);
  if (!channel.ok()) {
    std::cerr << "wsfleet: " << channel.status().message() << "\n";
    return nullptr;
  }
  return Service::NewStub(*channel);
}

}  // namespace wsfleet::cli
