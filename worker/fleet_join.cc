#include "worker/fleet_join.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "absl/status/status.h"
#include "security/certificates.h"
#include "security/client_identity.h"
#include "security/grpc_tls.h"
#include "security/join_token.h"
#include "security/secret_file.h"
#include "wsfleet/v1/access.grpc.pb.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

absl::Status FromGrpc(const grpc::Status& status, const std::string& what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), what + ": " + status.error_message());
}

}  // namespace

bool JoinCallWorthRetrying(const grpc::Status& status) {
  // A failed TLS handshake is an answer: the coordinator is there, and is not the one the
  // CA says (or the worker's certificate is not accepted). Trying again cannot help.
  if (status.error_message().find("andshake") != std::string::npos) return false;
  // No answer in time is no answer: the coordinator still starting, or a container
  // network's name service not yet answering (seen: one of two workers started together
  // on a new podman network timed out on its first call, the other joined in 80 ms).
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

namespace {

// A stub on a channel of its own for each try, with its own connection: a try that timed out
// may have left its connection stalled (seen once in three runs: two workers joining
// together on a new podman network, one's every try over 60 s timing out on the same
// channel while the other joined in 80 ms), and a channel would keep it.
std::unique_ptr<v1::JoinService::Stub> FreshStub(const std::string& address, const rpc::ChannelSecurity& security) {
  return v1::JoinService::NewStub(rpc::ConnectAlone(address, security));
}

// Calls `call` until it answers with what JoinCallWorthRetrying refuses, or `wait` is over.
template <typename Call>
grpc::Status Retrying(std::chrono::seconds wait, const std::function<void(const std::string&)>& say,
                      const std::string& address, Call call) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  auto pause = std::chrono::milliseconds(200);
  bool said = false;
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = call(context);
    if (!JoinCallWorthRetrying(status) || std::chrono::steady_clock::now() + pause > deadline) {
      return status;
    }
    if (!said) say("waiting for the coordinator at " + address + " (" + status.error_message() + ")");
    said = true;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

absl::StatusOr<security::ClientIdentity> Existing(const JoinInputs& inputs) {
  std::error_code error;
  if (!fs::exists(inputs.credentials_path, error)) return absl::NotFoundError("none");
  absl::StatusOr<security::ClientIdentity> identity = security::ReadClientIdentity(inputs.credentials_path);
  if (!identity.ok()) return identity.status();
  absl::StatusOr<security::CertificateInfo> info = security::ReadCertificate(identity->certificate_pem);
  if (!info.ok()) return absl::InvalidArgumentError(inputs.credentials_path + ": " + std::string(info.status().message()));
  if (info->common_name != inputs.worker_id || info->role != security::kRoleWorker) {
    return absl::InvalidArgumentError(inputs.credentials_path + " holds the certificate of " + info->role + " '" +
                                      info->common_name + "', not of worker '" + inputs.worker_id + "'");
  }
  return identity;
}

// Whether a third of the certificate's life is left.
bool Fresh(const security::ClientIdentity& identity) {
  absl::StatusOr<security::CertificateInfo> info = security::ReadCertificate(identity.certificate_pem);
  if (!info.ok()) return false;
  auto now = std::chrono::system_clock::now();
  return (info->not_after - now) * 3 > (info->not_after - info->not_before);
}

bool Expired(const security::ClientIdentity& identity) {
  absl::StatusOr<security::CertificateInfo> info = security::ReadCertificate(identity.certificate_pem);
  return !info.ok() || info->not_after <= std::chrono::system_clock::now();
}

absl::StatusOr<Joined> Save(const JoinInputs& inputs, const std::string& key_pem, const v1::JoinResponse& response,
                            std::string how) {
  security::ClientIdentity identity{key_pem, response.certificate_pem(), response.ca_pem(), response.server_name(),
                                    {response.labels().begin(), response.labels().end()}};
  if (absl::Status status = security::EnsurePrivateDirectory(fs::path(inputs.credentials_path).parent_path().string());
      !status.ok()) {
    return status;
  }
  if (absl::Status status = security::WriteClientIdentity(inputs.credentials_path, identity,
                                                          "wsfleet worker " + inputs.worker_id);
      !status.ok()) {
    return status;
  }
  return Joined{security::ChannelSecurityFor(identity.ca_pem, &identity, identity.server_name), identity.labels,
                std::move(how)};
}

absl::StatusOr<Joined> Renew(const JoinInputs& inputs, const security::ClientIdentity& identity,
                             std::chrono::seconds wait, const std::function<void(const std::string&)>& say) {
  absl::StatusOr<std::string> key = security::NewPrivateKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> request = security::CreateRequest(*key, inputs.worker_id);
  if (!request.ok()) return request.status();
  rpc::ChannelSecurity channel = security::ChannelSecurityFor(identity.ca_pem, &identity, identity.server_name);
  v1::RenewRequest renew;
  renew.set_csr_pem(*request);
  v1::JoinResponse response;
  grpc::Status status = Retrying(wait, say, inputs.coordinator, [&](grpc::ClientContext& context) {
    return FreshStub(inputs.coordinator, channel)->Renew(&context, renew, &response);
  });
  if (!status.ok()) return FromGrpc(status, "renewing the worker certificate");
  for (const auto& [k, v] : identity.labels) response.mutable_labels()->insert({k, v});
  return Save(inputs, *key, response, "renewed its certificate");
}

absl::StatusOr<Joined> JoinWithToken(const JoinInputs& inputs, std::chrono::seconds wait,
                                     const std::function<void(const std::string&)>& say) {
  if (inputs.token.empty()) {
    return absl::UnauthenticatedError("this worker has no certificate for " + inputs.coordinator +
                                      " (" + inputs.credentials_path + "); give it a join token "
                                      "(--join-token-file or $WSFLEET_JOIN_TOKEN, from `wsfleet token create`)");
  }
  absl::StatusOr<security::JoinToken> token = security::ParseJoinToken(inputs.token);
  if (!token.ok()) return token.status();
  std::string ca_pem;
  std::string server_name;
  if (!inputs.ca_file.empty()) {
    absl::StatusOr<std::string> ca = security::ReadSecretFile(inputs.ca_file, false);
    if (!ca.ok()) return absl::Status(ca.status().code(), "--tls-ca " + std::string(ca.status().message()));
    ca_pem = *ca;
  } else {
    if (token->ca_hash.empty()) {
      return absl::InvalidArgumentError("the join token has no CA hash (wsf1.<id>.<secret>.<ca-hash>); "
                                        "give the coordinator's CA with --tls-ca");
    }
    v1::GetCaResponse response;
    grpc::Status status = Retrying(wait, say, inputs.coordinator, [&](grpc::ClientContext& context) {
      return FreshStub(inputs.coordinator, security::UncheckedChannelSecurity())
          ->GetCa(&context, v1::GetCaRequest(), &response);
    });
    if (!status.ok()) {
      bool handshake = status.error_message().find("andshake") != std::string::npos;
      return FromGrpc(status, "fetching the coordinator's CA from " + inputs.coordinator +
                                  (handshake ? " (no TLS there: a coordinator started with --insecure needs "
                                               "--insecure on the worker too)"
                                             : ""));
    }
    ca_pem = response.ca_pem();
    server_name = response.server_name();
  }
  absl::StatusOr<std::string> hash = security::PublicKeySha256(ca_pem);
  if (!hash.ok()) return absl::InvalidArgumentError("the coordinator's CA: " + std::string(hash.status().message()));
  if (!token->ca_hash.empty() && *hash != token->ca_hash) {
    return absl::PermissionDeniedError("the coordinator at " + inputs.coordinator + " has CA key sha256 " + *hash +
                                       ", not the join token's " + token->ca_hash +
                                       ": another coordinator, or someone in between; the token was not sent");
  }
  absl::StatusOr<std::string> key = security::NewPrivateKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> request = security::CreateRequest(*key, inputs.worker_id);
  if (!request.ok()) return request.status();
  rpc::ChannelSecurity channel = security::ChannelSecurityFor(ca_pem, nullptr, server_name);
  v1::JoinRequest join;
  join.set_token_id(token->id);
  join.set_token_secret(token->secret);
  join.set_worker_id(inputs.worker_id);
  join.set_csr_pem(*request);
  v1::JoinResponse response;
  grpc::Status status = Retrying(wait, say, inputs.coordinator, [&](grpc::ClientContext& context) {
    return FreshStub(inputs.coordinator, channel)->Join(&context, join, &response);
  });
  if (!status.ok()) return FromGrpc(status, "joining " + inputs.coordinator);
  if (!security::VerifySignedBy(response.certificate_pem(), ca_pem).ok()) {
    return absl::PermissionDeniedError("the coordinator issued a certificate its CA did not sign");
  }
  return Save(inputs, *key, response, "joined with token " + token->id);
}

// How often to look at a certificate of this life: a twelfth of it, 1 s to 1 h.
std::chrono::seconds CheckEvery(const security::ClientIdentity& identity) {
  absl::StatusOr<security::CertificateInfo> info = security::ReadCertificate(identity.certificate_pem);
  if (!info.ok()) return std::chrono::hours(1);
  auto life = std::chrono::duration_cast<std::chrono::seconds>(info->not_after - info->not_before);
  return std::clamp(life / 12, std::chrono::seconds(1), std::chrono::seconds(3600));
}

}  // namespace

absl::StatusOr<std::optional<Joined>> RenewIfDue(const JoinInputs& inputs, std::chrono::seconds* next_check) {
  *next_check = std::chrono::hours(1);
  absl::StatusOr<security::ClientIdentity> existing = Existing(inputs);
  if (!existing.ok()) return existing.status();
  *next_check = CheckEvery(*existing);
  if (Fresh(*existing)) return std::optional<Joined>();
  absl::StatusOr<Joined> renewed = Renew(inputs, *existing, std::chrono::seconds(0), [](const std::string&) {});
  if (!renewed.ok()) return renewed.status();
  return std::optional<Joined>(std::move(*renewed));
}

absl::StatusOr<Joined> JoinFleet(const JoinInputs& inputs, std::chrono::seconds wait,
                                 const std::function<void(const std::string&)>& say) {
  absl::StatusOr<security::ClientIdentity> existing = Existing(inputs);
  if (existing.ok()) {
    if (Fresh(*existing)) {
      return Joined{security::ChannelSecurityFor(existing->ca_pem, &*existing, existing->server_name),
                    existing->labels, "certificate from " + inputs.credentials_path};
    }
    if (!Expired(*existing)) {
      absl::StatusOr<Joined> renewed = Renew(inputs, *existing, wait, say);
      if (renewed.ok() || inputs.token.empty()) return renewed;
      say("renewing the certificate failed (" + std::string(renewed.status().message()) + "); joining with the token");
    }
  } else if (existing.status().code() != absl::StatusCode::kNotFound) {
    return existing.status();
  }
  return JoinWithToken(inputs, wait, say);
}

}  // namespace wsfleet::worker
