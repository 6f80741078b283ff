#include "coordinator/control_service.h"

#include <utility>

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
  PlanLimits limits{request->share() == 0 ? 1.0 : request->share(), request->max_gpus(), request->max_workers()};
  loop_.Post([this, reactor, request, response, plan, encoded, limits] {
    auto result = scheduler_.SubmitParsed(std::move(*plan), request->plan_name(), request->keep_going(),
                                          std::move(*encoded), limits);
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
    if (const PlanScheduler* submitted = scheduler_.Plan(result->plan_id); submitted != nullptr) {
      response->set_workstreams(static_cast<uint32_t>(submitted->plan()->workstreams.size()));
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
  loop_.Post([this, reactor, response, verification = request->verification(), plan_id = request->plan()] {
    if (plan_id.empty() && !scheduler_.has_plan()) {
      *response = scheduler_.Status();  // none submitted yet: done, with nothing in it
      reactor->Finish(grpc::Status::OK);
      return;
    }
    absl::StatusOr<const PlanScheduler*> plan = std::as_const(scheduler_).Select(plan_id);
    if (!plan.ok()) {
      reactor->Finish(ToGrpc(plan.status()));
      return;
    }
    *response = (*plan)->Status();
    if (verification) AddVerification(**plan, *response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerWriteReactor<v1::RunStatus>* ControlServiceImpl::WatchStatus(
    grpc::CallbackServerContext* context, const v1::GetStatusRequest* request) {
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kViewer, "WatchStatus", ""); !allowed.ok()) {
    return new RefusedWriteReactor<v1::RunStatus>(allowed);
  }
  // Which plan is settled first, on the loop: a refusal must finish before any write.
  absl::StatusOr<std::string> plan_id = absl::UnavailableError("the coordinator is stopping");
  loop_.RunSync([&] {
    if (request->plan().empty() && !scheduler_.has_plan()) {
      plan_id = std::string();
      return;
    }
    absl::StatusOr<const PlanScheduler*> plan = std::as_const(scheduler_).Select(request->plan());
    plan_id = plan.ok() ? absl::StatusOr<std::string>((*plan)->plan_row().plan_id) : plan.status();
  });
  if (!plan_id.ok()) return new RefusedWriteReactor<v1::RunStatus>(ToGrpc(plan_id.status()));
  auto* reactor = new StatusWatchReactor();
  loop_.Post([this, watch = reactor->watch(), id = *plan_id] {
    const PlanScheduler* plan = scheduler_.Plan(id);
    watch->Publish(plan != nullptr ? plan->Status() : scheduler_.Status());
    watchers_.Add(watch, id);
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
    absl::StatusOr<PlanScheduler*> plan = scheduler_.Select(request->plan());
    if (!plan.ok()) {
      reactor->Finish(ToGrpc(plan.status()));
      return;
    }
    std::string error;
    int cancelled = (*plan)->Cancel(request->workstream_id(), request->all(), &error);
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
    absl::StatusOr<PlanScheduler*> plan = scheduler_.Select(request->plan());
    if (!plan.ok()) {
      reactor->Finish(ToGrpc(plan.status()));
      return;
    }
    if (!request->failed()) {
      reactor->Finish(ToGrpc((*plan)->Retry(request->workstream_id())));
      return;
    }
    PlanScheduler::RerunSelection selection{true, {}};
    if (!request->workstream_id().empty()) selection.workstreams.push_back(request->workstream_id());
    absl::StatusOr<int> rerun = (*plan)->Rerun(selection);
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

grpc::ServerUnaryReactor* ControlServiceImpl::ListPlans(grpc::CallbackServerContext* context,
                                                        const v1::ListPlansRequest*,
                                                        v1::ListPlansResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kViewer, "ListPlans", ""); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  loop_.Post([this, reactor, response] {
    for (const PlanScheduler* plan : scheduler_.plans()) *response->add_plans() = plan->Info();
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace wsfleet::coordinator
