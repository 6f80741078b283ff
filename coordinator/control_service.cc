#include "coordinator/control_service.h"

#include "common/plan_loader.h"
#include "coordinator/log_follower.h"
#include "coordinator/plan_codec.h"
#include "coordinator/scheduler.h"
#include "coordinator/state_store.h"
#include "coordinator/verification_view.h"

namespace wsfleet::coordinator {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::ServerUnaryReactor* ControlServiceImpl::Submit(grpc::CallbackServerContext* context,
                                                     const v1::SubmitRequest* request,
                                                     v1::SubmitResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kAdmin, "Submit", request->plan_name()); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  // Parsed here, on the gRPC thread, so the loop is not held up by a large plan.
  std::vector<common::SourceFile> files;
  for (const v1::SourceFile& file : request->files()) files.push_back({file.path(), file.text()});
  auto plan = std::make_shared<common::Plan>(common::AssemblePlan(files));
  auto encoded = std::make_shared<std::string>(plan->ok() ? EncodeWorkstreams(plan->workstreams) : "");
  loop_.Post([this, reactor, request, response, plan, encoded] {
    auto result = scheduler_.SubmitParsed(std::move(*plan), request->plan_name(), request->keep_going(),
                                          std::move(*encoded));
    if (!result.ok()) {
      reactor->Finish(ToGrpc(result.status()));
      return;
    }
    response->set_plan_id(result->plan_id);
    for (const common::Diagnostic& diagnostic : result->diagnostics.Sorted()) {
      v1::Diagnostic& out = *response->add_diagnostics();
      out.set_file(diagnostic.where.file);
      out.set_line(static_cast<uint32_t>(diagnostic.where.line));
      out.set_severity(diagnostic.severity == common::Severity::kError ? "error" : "warning");
      out.set_message(diagnostic.message);
    }
    if (scheduler_.plan() != nullptr && !result->plan_id.empty()) {
      response->set_workstreams(static_cast<uint32_t>(scheduler_.plan()->workstreams.size()));
    }
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlServiceImpl::GetStatus(grpc::CallbackServerContext* context,
                                                        const v1::GetStatusRequest* request,
                                                        v1::RunStatus* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kViewer, "GetStatus", ""); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  loop_.Post([this, reactor, response, verification = request->verification()] {
    *response = scheduler_.Status();
    if (verification) AddVerification(scheduler_, *response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerWriteReactor<v1::RunStatus>* ControlServiceImpl::WatchStatus(
    grpc::CallbackServerContext* context, const v1::GetStatusRequest*) {
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kViewer, "WatchStatus", ""); !allowed.ok()) {
    return new RefusedWriteReactor<v1::RunStatus>(allowed);
  }
  auto* reactor = new StatusWatchReactor();
  loop_.Post([this, watch = reactor->watch()] {
    watch->Publish(scheduler_.Status());
    watchers_.Add(watch);
  });
  return reactor;
}

grpc::ServerWriteReactor<v1::LogChunk>* ControlServiceImpl::StreamLogs(
    grpc::CallbackServerContext* context, const v1::LogsRequest* request) {
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kViewer, "StreamLogs", request->workstream_id()); !allowed.ok()) {
    return new RefusedWriteReactor<v1::LogChunk>(allowed);
  }
  return LogFollower::Start(loop_, scheduler_, store_, *context, *request);
}

grpc::ServerUnaryReactor* ControlServiceImpl::Cancel(grpc::CallbackServerContext* context,
                                                     const v1::CancelRequest* request,
                                                     v1::CancelResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kAdmin, "Cancel", request->all() ? "--all" : request->workstream_id()); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  loop_.Post([this, reactor, request, response] {
    std::string error;
    int cancelled = scheduler_.Cancel(request->workstream_id(), request->all(), &error);
    response->set_cancelled(static_cast<uint32_t>(cancelled));
    reactor->Finish(error.empty() ? grpc::Status::OK
                                  : grpc::Status(grpc::StatusCode::NOT_FOUND, error));
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlServiceImpl::Retry(grpc::CallbackServerContext* context,
                                                    const v1::RetryRequest* request,
                                                    v1::RetryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kAdmin, "Retry", request->workstream_id()); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  loop_.Post([this, reactor, request, response] {
    if (!request->failed()) {
      reactor->Finish(ToGrpc(scheduler_.Retry(request->workstream_id())));
      return;
    }
    Scheduler::RerunSelection selection{true, {}};
    if (!request->workstream_id().empty()) selection.workstreams.push_back(request->workstream_id());
    absl::StatusOr<int> rerun = scheduler_.Rerun(selection);
    if (rerun.ok()) response->set_rerun(static_cast<uint32_t>(*rerun));
    reactor->Finish(ToGrpc(rerun.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlServiceImpl::ListWorkers(grpc::CallbackServerContext* context,
                                                          const v1::ListWorkersRequest*,
                                                          v1::ListWorkersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kViewer, "ListWorkers", ""); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  loop_.Post([this, reactor, response] {
    *response = scheduler_.Workers();
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlServiceImpl::Drain(grpc::CallbackServerContext* context,
                                                    const v1::DrainRequest* request,
                                                    v1::DrainResponse*) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kAdmin, "Drain", request->worker_id()); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  loop_.Post([this, reactor, request] {
    reactor->Finish(ToGrpc(scheduler_.Drain(request->worker_id())));
  });
  return reactor;
}

}  // namespace wsfleet::coordinator
