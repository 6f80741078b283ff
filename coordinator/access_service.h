#pragma once

#include <grpcpp/grpcpp.h>

#include "common/event_loop.h"
#include "coordinator/access_policy.h"
#include "coordinator/fleet_pki.h"
#include "wsfleet/v1/access.grpc.pb.h"

namespace wsfleet::coordinator {

// Join tokens and operators' certificates, for admins (`wsfleet token ...`,
// `wsfleet admin-cert create`). Runs on the loop, where the token registry is.
class AccessServiceImpl : public v1::AccessService::CallbackService {
 public:
  AccessServiceImpl(common::EventLoop& loop, FleetPki& pki, AccessPolicy& access)
      : loop_(loop), pki_(pki), access_(access) {}

  grpc::ServerUnaryReactor* CreateToken(grpc::CallbackServerContext* context, const v1::CreateTokenRequest* request,
                                        v1::CreateTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListTokens(grpc::CallbackServerContext* context, const v1::ListTokensRequest* request,
                                       v1::ListTokensResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* context, const v1::RevokeTokenRequest* request,
                                        v1::RevokeTokenResponse* response) override;
  grpc::ServerUnaryReactor* SignClientCertificate(grpc::CallbackServerContext* context,
                                                  const v1::SignClientCertificateRequest* request,
                                                  v1::SignClientCertificateResponse* response) override;

 private:
  // The admin check, and whether this coordinator issues at all; the reactor when refused.
  grpc::ServerUnaryReactor* Refused(grpc::CallbackServerContext* context, const char* method,
                                    const std::string& target);

  common::EventLoop& loop_;
  FleetPki& pki_;
  AccessPolicy& access_;
};

}  // namespace wsfleet::coordinator
