#include "coordinator/control_service.h"

#include <malloc.h>

#include <utility>

#include "common/plan_loader.h"
#include "coordinator/log_follower.h"
#include "coordinator/plan_codec.h"
#include "coordinator/scheduler.h"
#include "coordinator/state_store.h"
#include "coordinator/verification_view.h"
#include "ui/viewer_logins.h"

namespace wsfleet::coordinator {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

void ControlServiceImpl::SubmitFiles(std::vector<common::SourceFile> files, const v1::SubmitRequest& settings,
                                     v1::SubmitResponse* response, std::function<void(grpc::Status)> finish) {
  // Parsed here, on the gRPC thread, so the loop is not held up by a large plan.
  auto plan = std::make_shared<common::Plan>(common::AssemblePlan(std::move(files)));  // the plan holds them now
  // What the parse left free goes back before the encoding and the store take their share,
  // not after: the submit's peak is the larger of the two, not their sum.
  malloc_trim(0);
  auto encoded = std::make_shared<std::vector<std::string>>();
  if (plan->ok()) *encoded = EncodeWorkstreams(plan->workstreams);
  PlanLimits limits{settings.share() == 0 ? 1.0 : settings.share(), settings.max_gpus(), settings.max_workers()};
  loop_.Post([this, response, plan, encoded, limits, name = settings.plan_name(), keep_going = settings.keep_going(),
              finish = std::move(finish)]() mutable {
    auto result = scheduler_.SubmitParsed(std::move(*plan), name, keep_going, std::move(*encoded), limits);
    plan.reset();
    encoded.reset();
    // Parsing a large plan (on gRPC's threads, each with its own malloc arena) took many
    // times what the plan keeps: hand the rest back rather than hold the peak for the
    // coordinator's life (100,000 cards: 852 MB held after the submission; see
    // docs/benchmarks.md).
    malloc_trim(0);
    if (!result.ok()) {
      finish(ToGrpc(result.status()));
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
    finish(grpc::Status::OK);
  });
}

grpc::ServerUnaryReactor* ControlServiceImpl::Submit(grpc::CallbackServerContext* context,
                                                     const v1::SubmitRequest* request,
                                                     v1::SubmitResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kAdmin, "Submit", request->plan_name()); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  std::vector<common::SourceFile> files;
  for (const v1::SourceFile& file : request->files()) files.push_back({file.path(), file.text()});
  SubmitFiles(std::move(files), *request, response, [reactor](grpc::Status status) { reactor->Finish(status); });
  return reactor;
}

namespace {

// Reads a SubmitStream's requests: the plan's files, gathered until the client is done,
// then submitted like Submit's. Deletes itself when the call is done.
class SubmitStreamReader : public grpc::ServerReadReactor<v1::SubmitRequest> {
 public:
  using Submit = std::function<void(std::vector<common::SourceFile>, const v1::SubmitRequest&,
                                    std::function<void(grpc::Status)>)>;
  explicit SubmitStreamReader(Submit submit) : submit_(std::move(submit)) { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client is done: every file is here
      submit_(std::move(files_), settings_, [this](grpc::Status status) { Finish(status); });
      return;
    }
    google::protobuf::RepeatedPtrField<v1::SourceFile> files;
    files.Swap(request_.mutable_files());  // the settings are copied without them
    if (first_) {
      settings_ = request_;
      first_ = false;
    }
    for (v1::SourceFile& file : files) {
      bytes_ += file.text().size();
      files_.push_back({std::move(*file.mutable_path()), std::move(*file.mutable_text())});
    }
    if (bytes_ > kMaxPlanBytes) {
      Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "the plan's files pass " + std::to_string(kMaxPlanBytes >> 20) + " MiB"));
      return;
    }
    request_.Clear();
    StartRead(&request_);
  }
  void OnDone() override { delete this; }

 private:
  // What one plan's files may add up to: bounds what a submit can make the coordinator hold.
  static constexpr size_t kMaxPlanBytes = size_t{1} << 30;

  Submit submit_;
  v1::SubmitRequest request_;
  v1::SubmitRequest settings_;  // the first request's, its files left out
  bool first_ = true;
  std::vector<common::SourceFile> files_;
  size_t bytes_ = 0;
};

}  // namespace

grpc::ServerReadReactor<v1::SubmitRequest>* ControlServiceImpl::SubmitStream(grpc::CallbackServerContext* context,
                                                                           v1::SubmitResponse* response) {
  // Who may submit is known before the plan's name arrives: the audit line names no plan.
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kAdmin, "Submit", ""); !allowed.ok()) {
    return new RefusedReadReactor<v1::SubmitRequest>(allowed);
  }
  return new SubmitStreamReader([this, response](std::vector<common::SourceFile> files,
                                                 const v1::SubmitRequest& settings,
                                                 std::function<void(grpc::Status)> finish) {
    SubmitFiles(std::move(files), settings, response, std::move(finish));
  });
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
    if (request->all() && on_cancel_all_) on_cancel_all_();
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

grpc::ServerUnaryReactor* ControlServiceImpl::OpenPlanPage(grpc::CallbackServerContext* context,
                                                           const v1::OpenPlanPageRequest*,
                                                           v1::OpenPlanPageResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status allowed = access_.Check(access_.Identify(*context), Role::kViewer, "OpenPlanPage", ""); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  if (!plan_page_login_) {
    reactor->Finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                 "this coordinator serves no plan page (started with --ui-addr off, or its address could not be bound: see its log)"));
    return reactor;
  }
  response->set_url(plan_page_login_());
  response->set_expires_unix_ms(common::ToUnixMillis(std::chrono::system_clock::now() + ui::ViewerLogins::kLoginLifetime));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace wsfleet::coordinator
