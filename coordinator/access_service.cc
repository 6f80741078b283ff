#include "coordinator/access_service.h"

#include "coordinator/control_service.h"
#include "coordinator/input_check.h"
#include "security/certificates.h"
#include "security/join_token.h"

namespace wsfleet::coordinator {
namespace {

constexpr size_t kMaxRequestPem = 16 * 1024;
constexpr int64_t kMaxTtlSeconds = int64_t{10} * 365 * 24 * 3600;

int64_t Unix(security::SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

grpc::ServerUnaryReactor* AccessServiceImpl::Refused(grpc::CallbackServerContext* context, const char* method,
                                                     const std::string& target) {
  grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kAdmin, method, target);
  if (allowed.ok() && (!pki_.tokens || !pki_.tls.can_issue())) {
    allowed = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                           pki_.tokens ? "this coordinator uses an external PKI without its CA key (--tls-ca-key); "
                                         "issue certificates there"
                                       : "this coordinator has no TLS listener (it runs --insecure, or listens only "
                                         "on a unix socket): there are no tokens or certificates");
  }
  if (allowed.ok()) return nullptr;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(allowed);
  return reactor;
}

grpc::ServerUnaryReactor* AccessServiceImpl::CreateToken(grpc::CallbackServerContext* context,
                                                         const v1::CreateTokenRequest* request,
                                                         v1::CreateTokenResponse* response) {
  if (auto* refused = Refused(context, "CreateToken", request->description())) return refused;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (request->ttl_seconds() < 0 || request->ttl_seconds() > kMaxTtlSeconds ||
      request->labels_size() > static_cast<int>(InputLimits::kLabels) ||
      request->description().size() > InputLimits::kShortText) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "ttl, labels or description past their limits"));
    return reactor;
  }
  loop_.Post([this, reactor, request, response] {
    std::map<std::string, std::string> labels(request->labels().begin(), request->labels().end());
    security::SystemTime now = pki_.now();
    absl::StatusOr<security::JoinToken> token =
        pki_.tokens->Create(now, std::chrono::seconds(request->ttl_seconds()), pki_.tls.ca_public_key_sha256,
                            std::move(labels), request->description());
    if (!token.ok()) return reactor->Finish(ToGrpc(token.status()));
    response->set_token(security::FormatJoinToken(*token));
    response->set_id(token->id);
    response->set_expires_unix(request->ttl_seconds() > 0 ? Unix(now) + request->ttl_seconds() : 0);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* AccessServiceImpl::ListTokens(grpc::CallbackServerContext* context,
                                                        const v1::ListTokensRequest*,
                                                        v1::ListTokensResponse* response) {
  if (auto* refused = Refused(context, "ListTokens", "")) return refused;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  loop_.Post([this, reactor, response] {
    for (const security::TokenEntry& entry : pki_.tokens->entries()) {
      v1::TokenInfo& info = *response->add_tokens();
      info.set_id(entry.id);
      info.set_description(entry.description);
      info.mutable_labels()->insert(entry.labels.begin(), entry.labels.end());
      info.set_created_unix(entry.created_unix);
      info.set_expires_unix(entry.expires_unix);
      info.set_revoked(entry.revoked);
      info.set_uses(entry.uses);
      info.set_last_used_unix(entry.last_used_unix);
    }
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* AccessServiceImpl::RevokeToken(grpc::CallbackServerContext* context,
                                                         const v1::RevokeTokenRequest* request,
                                                         v1::RevokeTokenResponse*) {
  if (auto* refused = Refused(context, "RevokeToken", request->id().substr(0, 64))) return refused;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  loop_.Post([this, reactor, request] { reactor->Finish(ToGrpc(pki_.tokens->Revoke(request->id()))); });
  return reactor;
}

grpc::ServerUnaryReactor* AccessServiceImpl::SignClientCertificate(
    grpc::CallbackServerContext* context, const v1::SignClientCertificateRequest* request,
    v1::SignClientCertificateResponse* response) {
  if (auto* refused = Refused(context, "SignClientCertificate", request->name().substr(0, 128))) return refused;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status valid = CheckName("name", request->name());
  if (valid.ok() && request->role() != security::kRoleAdmin && request->role() != security::kRoleViewer) {
    valid = absl::InvalidArgumentError("role must be admin or viewer");
  }
  if (valid.ok() && (request->csr_pem().size() > kMaxRequestPem || request->ttl_seconds() < 0 ||
                     request->ttl_seconds() > kMaxTtlSeconds)) {
    valid = absl::InvalidArgumentError("the request or the ttl is past its limit");
  }
  if (!valid.ok()) {
    reactor->Finish(ToGrpc(valid));
    return reactor;
  }
  loop_.Post([this, reactor, request, response] {
    security::SystemTime now = pki_.now();
    int64_t ttl = request->ttl_seconds() > 0 ? request->ttl_seconds() : int64_t{365} * 24 * 3600;
    security::CertificateProfile profile{request->name(), request->role(), {}, {}, now - std::chrono::minutes(5),
                                         now + std::chrono::seconds(ttl), false};
    absl::StatusOr<std::string> certificate = security::IssueForRequest(pki_.tls.ca, request->csr_pem(), profile);
    if (!certificate.ok()) return reactor->Finish(ToGrpc(certificate.status()));
    response->set_certificate_pem(*certificate);
    response->set_ca_pem(pki_.tls.ca.certificate_pem);
    response->set_server_name(pki_.server_name);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace wsfleet::coordinator
