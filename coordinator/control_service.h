#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <vector>

#include "common/plan.h"

#include "absl/status/status.h"
#include "common/event_loop.h"
#include "coordinator/access_policy.h"
#include "coordinator/status_watch.h"
#include "wsfleet/v1/control.grpc.pb.h"

namespace wsfleet::coordinator {

class Scheduler;
class StateStore;

// The ControlService for the CLI. Every call runs its work on the loop and finishes its
// reactor from there; nothing touches scheduler state from a gRPC thread.
class ControlServiceImpl : public v1::ControlService::CallbackService {
 public:
  // Every call is checked by `access` first: viewers read (status, logs, workers), admins
  // also change things.
  ControlServiceImpl(common::EventLoop& loop, Scheduler& scheduler, StateStore& store,
                     StatusWatchers& watchers, AccessPolicy& access)
      : loop_(loop), scheduler_(scheduler), store_(store), watchers_(watchers), access_(access) {}

  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context,
                                   const v1::SubmitRequest* request,
                                   v1::SubmitResponse* response) override;
  // Called on the loop after a `cancel --all` (the coordinator's launcher gives its jobs back).
  void set_on_cancel_all(std::function<void()> on_cancel_all) { on_cancel_all_ = std::move(on_cancel_all); }
  grpc::ServerReadReactor<v1::SubmitRequest>* SubmitStream(grpc::CallbackServerContext* context,
                                                          v1::SubmitResponse* response) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::RunStatus* response) override;
  grpc::ServerWriteReactor<v1::RunStatus>* WatchStatus(
      grpc::CallbackServerContext* context, const v1::GetStatusRequest* request) override;
  grpc::ServerWriteReactor<v1::LogChunk>* StreamLogs(grpc::CallbackServerContext* context,
                                                      const v1::LogsRequest* request) override;
  grpc::ServerUnaryReactor* Cancel(grpc::CallbackServerContext* context,
                                   const v1::CancelRequest* request,
                                   v1::CancelResponse* response) override;
  grpc::ServerUnaryReactor* Retry(grpc::CallbackServerContext* context,
                                  const v1::RetryRequest* request,
                                  v1::RetryResponse* response) override;
  grpc::ServerUnaryReactor* ListWorkers(grpc::CallbackServerContext* context,
                                        const v1::ListWorkersRequest* request,
                                        v1::ListWorkersResponse* response) override;
  grpc::ServerUnaryReactor* Drain(grpc::CallbackServerContext* context,
                                  const v1::DrainRequest* request,
                                  v1::DrainResponse* response) override;
  grpc::ServerUnaryReactor* ListPlans(grpc::CallbackServerContext* context, const v1::ListPlansRequest* request,
                                      v1::ListPlansResponse* response) override;
  grpc::ServerUnaryReactor* OpenPlanPage(grpc::CallbackServerContext* context, const v1::OpenPlanPageRequest* request,
                                         v1::OpenPlanPageResponse* response) override;
  // Makes a one-time plan page login URL; unset when the coordinator serves no page.
  void set_plan_page_login(std::function<std::string()> login) { plan_page_login_ = std::move(login); }

 private:
  // Parses the plan's files (on the calling gRPC thread), submits it on the loop, fills
  // `response` and calls `finish` there.
  void SubmitFiles(std::vector<common::SourceFile> files, const v1::SubmitRequest& settings,
                   v1::SubmitResponse* response, std::function<void(grpc::Status)> finish);

  common::EventLoop& loop_;
  Scheduler& scheduler_;
  StateStore& store_;
  StatusWatchers& watchers_;
  AccessPolicy& access_;
  std::function<void()> on_cancel_all_;
  std::function<std::string()> plan_page_login_;
};

// A server stream refused before it started: finishes with `status` at once.
template <typename Message>
class RefusedWriteReactor : public grpc::ServerWriteReactor<Message> {
 public:
  explicit RefusedWriteReactor(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

// A client stream refused before it started: finishes with `status` at once.
template <typename Message>
class RefusedReadReactor : public grpc::ServerReadReactor<Message> {
 public:
  explicit RefusedReadReactor(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

// absl::Status -> grpc::Status, keeping the code and the message.
grpc::Status ToGrpc(const absl::Status& status);

}  // namespace wsfleet::coordinator
