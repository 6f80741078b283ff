#include "coordinator/join_service.h"

#include <algorithm>

#include "coordinator/control_service.h"
#include "coordinator/input_check.h"
#include "coordinator/scheduler.h"
#include "coordinator/worker_session.h"
#include "security/certificates.h"

namespace wsfleet::coordinator {
namespace {

constexpr size_t kMaxRequestPem = 16 * 1024;

int64_t Unix(security::SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

grpc::ServerUnaryReactor* JoinServiceImpl::GetCa(grpc::CallbackServerContext* context, const v1::GetCaRequest*,
                                                 v1::GetCaResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  response->set_ca_pem(pki_.tls.ca.certificate_pem);
  response->set_server_name(pki_.server_name);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* JoinServiceImpl::Join(grpc::CallbackServerContext* context, const v1::JoinRequest* request,
                                                v1::JoinResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Caller caller = access_.Identify(*context);
  if (absl::Status name = CheckName("worker_id", request->worker_id()); !name.ok()) {
    reactor->Finish(ToGrpc(name));
    return reactor;
  }
  if (request->csr_pem().size() > kMaxRequestPem || request->token_id().size() > 64 ||
      request->token_secret().size() > 64) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Join request fields past their limits"));
    return reactor;
  }
  loop_.Post([this, reactor, request, response, caller = std::move(caller)] {
    const std::string& worker_id = request->worker_id();
    auto refuse = [&](grpc::StatusCode code, const std::string& why) {
      access_.Record(caller, "Join", worker_id, false, why);
      scheduler_.OnWorkerRefused(worker_id, why);
      reactor->Finish(grpc::Status(code, why));
    };
    if (!pki_.tokens || !pki_.tls.can_issue()) {
      return refuse(grpc::StatusCode::FAILED_PRECONDITION,
                    "this coordinator does not issue certificates (an external PKI without --tls-ca-key): "
                    "give the worker a certificate from it");
    }
    absl::StatusOr<security::TokenEntry> token =
        pki_.tokens->Authenticate({request->token_id(), request->token_secret(), ""}, pki_.now());
    if (!token.ok()) return refuse(grpc::StatusCode::UNAUTHENTICATED, std::string(token.status().message()));
    if (sessions_.Find(worker_id) != nullptr) {
      return refuse(grpc::StatusCode::ALREADY_EXISTS,
                    "worker '" + worker_id + "' is connected; a second worker cannot join under its name");
    }
    grpc::Status issued = Issue(worker_id, request->csr_pem(), *response);
    if (!issued.ok()) return refuse(issued.error_code(), issued.error_message());
    for (const auto& [key, value] : token->labels) (*response->mutable_labels())[key] = value;
    access_.Record(caller, "Join", worker_id, true, "token " + token->id);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* JoinServiceImpl::Renew(grpc::CallbackServerContext* context,
                                                 const v1::RenewRequest* request, v1::JoinResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Caller caller = access_.Identify(*context);
  if (grpc::Status allowed = access_.Check(caller, Role::kWorker, "Renew", caller.name);
      !allowed.ok() || caller.trusted) {
    reactor->Finish(allowed.ok() ? grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                                "Renew is for a worker's certificate; this call has none")
                                 : allowed);
    return reactor;
  }
  if (request->csr_pem().size() > kMaxRequestPem) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the certificate request is too large"));
    return reactor;
  }
  loop_.Post([this, reactor, request, response, name = caller.name] {
    reactor->Finish(Issue(name, request->csr_pem(), *response));
  });
  return reactor;
}

grpc::Status JoinServiceImpl::Issue(const std::string& worker_id, const std::string& csr_pem,
                                    v1::JoinResponse& response) {
  if (!pki_.tls.can_issue()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this coordinator does not issue certificates");
  }
  security::SystemTime now = pki_.now();
  // Valid a little before now, for clocks behind the coordinator's: 5 minutes, or a tenth
  // of a short life.
  auto skew = std::min<std::chrono::seconds>(std::chrono::minutes(5), pki_.worker_certificate_lifetime / 10);
  security::CertificateProfile profile{worker_id, security::kRoleWorker, {}, {},
                                       now - skew, now + pki_.worker_certificate_lifetime, false};
  absl::StatusOr<std::string> certificate = security::IssueForRequest(pki_.tls.ca, csr_pem, profile);
  if (!certificate.ok()) return ToGrpc(certificate.status());
  response.set_certificate_pem(*certificate);
  response.set_ca_pem(pki_.tls.ca.certificate_pem);
  response.set_expires_unix(Unix(profile.not_after));
  response.set_server_name(pki_.server_name);
  return grpc::Status::OK;
}

}  // namespace wsfleet::coordinator
