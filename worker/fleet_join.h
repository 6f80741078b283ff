#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "proto/grpc_settings.h"

namespace wsfleet::worker {

struct JoinInputs {
  std::string coordinator;       // host:port
  std::string worker_id;
  std::string credentials_path;  // the worker's key, certificate and CA (0600), kept across restarts
  std::string token;             // wsf1.<id>.<secret>[.<ca-hash>]; empty: the credentials must do
  std::string ca_file;           // the CA out of band (an external PKI, or a token without its hash)
};

struct Joined {
  rpc::ChannelSecurity security;               // mutual TLS as this worker
  std::map<std::string, std::string> labels;  // the token's, to advertise
  std::string how;                             // for the log: joined with token X, or renewed, or kept
};

// A TLS identity for this worker (see docs/security.md): the credentials file when it holds a
// certificate for this worker ID with a third of its life left; else one renewed with it;
// else a new one from the join token: the coordinator's CA fetched and checked against
// the token's hash (or `ca_file`) before the token's secret is sent, over a channel that
// checks that CA. A coordinator that is not up yet is retried for `wait`; everything else
// fails at once, saying why. Blocking; the caller's thread.
// Whether a join, renewal or CA call that failed so is tried again (within the wait):
// no answer (UNAVAILABLE, DEADLINE_EXCEEDED) yes; a failed TLS handshake or any answer no.
bool JoinCallWorthRetrying(const grpc::Status& status);

absl::StatusOr<Joined> JoinFleet(const JoinInputs& inputs, std::chrono::seconds wait,
                                 const std::function<void(const std::string&)>& say);

// When the certificate in the credentials file is due for renewal (a third of its life
// left): renews it as JoinFleet would and returns the new identity; else nothing. An error
// when it is due and renewing failed. `next_check` is set to when to ask again.
absl::StatusOr<std::optional<Joined>> RenewIfDue(const JoinInputs& inputs, std::chrono::seconds* next_check);

}  // namespace wsfleet::worker
