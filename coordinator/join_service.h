#pragma once

#include <grpcpp/grpcpp.h>

#include "common/event_loop.h"
#include "coordinator/access_policy.h"
#include "coordinator/fleet_pki.h"
#include "wsfleet/v1/access.grpc.pb.h"

namespace wsfleet::coordinator {

class Scheduler;
class SessionRegistry;

// How a worker with only an address and a join token becomes one with a certificate:
// GetCa (anyone), Join (a valid token), Renew (its own certificate). Token checks and
// signing run on the loop, where the tokens and the live sessions are.
class JoinServiceImpl : public v1::JoinService::CallbackService {
 public:
  JoinServiceImpl(common::EventLoop& loop, Scheduler& scheduler, SessionRegistry& sessions, FleetPki& pki,
                  AccessPolicy& access)
      : loop_(loop), scheduler_(scheduler), sessions_(sessions), pki_(pki), access_(access) {}

  grpc::ServerUnaryReactor* GetCa(grpc::CallbackServerContext* context, const v1::GetCaRequest* request,
                                  v1::GetCaResponse* response) override;
  grpc::ServerUnaryReactor* Join(grpc::CallbackServerContext* context, const v1::JoinRequest* request,
                                 v1::JoinResponse* response) override;
  grpc::ServerUnaryReactor* Renew(grpc::CallbackServerContext* context, const v1::RenewRequest* request,
                                  v1::JoinResponse* response) override;

 private:
  // A worker certificate for `worker_id` and the CSR's key, into `response`.
  grpc::Status Issue(const std::string& worker_id, const std::string& csr_pem, v1::JoinResponse& response);

  common::EventLoop& loop_;
  Scheduler& scheduler_;
  SessionRegistry& sessions_;
  FleetPki& pki_;
  AccessPolicy& access_;
};

}  // namespace wsfleet::coordinator
