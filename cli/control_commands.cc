#include "cli/control_commands.h"


#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include "common/exit_codes.h"
#include "cli/agent_types.h"
#include "cli/live_view.h"
#include "cli/plan_follow.h"
#include "cli/status_follower.h"
#include "cli/status_render.h"
#include "common/plan_loader.h"
#include "common/text.h"
#include "coordinator/run_json.h"
#include "launcher/launcher.h"
#include "proto/grpc_settings.h"
#include "wsfleet/v1/control.grpc.pb.h"

namespace wsfleet::cli {
namespace {

std::unique_ptr<v1::ControlService::Stub> Stub(const ClientOptions& client) {
  return ClientStub<v1::ControlService>(client);
}

std::unique_ptr<grpc::ClientContext> Context(int seconds = 10) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  context->set_wait_for_ready(false);
  return context;
}

int Report(const ClientOptions& client, const grpc::Status& status) { return ReportRpcFailure(client, status); }

}  // namespace

int SubmitCommand(const ClientOptions& client, const std::vector<std::string>& paths, bool keep_going,
                  const coordinator::PlanLimits& limits) {
  common::Plan plan = common::LoadPlan(paths);
  // The workers' configs may map it; the fleet is not known here.
  CheckAgentTypes(plan, {}, common::Severity::kWarning, plan.diagnostics);
  for (const auto& diagnostic : plan.diagnostics.Sorted()) std::cerr << diagnostic.ToString() << "\n";
  if (!plan.ok() || plan.workstreams.empty()) return kExitInvalidPlan;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  // What was checked is what goes, streamed a few MiB at a time: a plan of any size fits,
  // and its files are not copied whole into one message beside the parsed plan.
  v1::SubmitRequest request;
  request.set_plan_name(std::filesystem::path(paths.front()).filename().string());
  request.set_keep_going(keep_going);
  request.set_share(limits.share);
  request.set_max_gpus(limits.max_gpus);
  request.set_max_workers(limits.max_workers);
  v1::SubmitResponse response;
  std::unique_ptr<grpc::ClientContext> context = Context(300);
  std::unique_ptr<grpc::ClientWriter<v1::SubmitRequest>> writer = stub->SubmitStream(context.get(), &response);
  constexpr size_t kChunkBytes = size_t{4} << 20;
  size_t chunk = 0;
  bool sent = true;
  for (common::SourceFile& file : plan.sources) {
    chunk += file.text.size() + file.path.size();
    v1::SourceFile& out = *request.add_files();
    out.set_path(std::move(file.path));
    out.set_text(std::move(file.text));
    if (chunk >= kChunkBytes) {
      sent = writer->Write(request);
      request.Clear();
      chunk = 0;
      if (!sent) break;  // the coordinator ended the call: Finish says why
    }
  }
  if (sent && (request.files_size() > 0 || request.plan_name().size() > 0)) writer->Write(request);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return ReportRpcFailure(client, status, /*submitting=*/true);
  for (const v1::Diagnostic& diagnostic : response.diagnostics()) {
    std::cerr << diagnostic.file() << ":" << diagnostic.line() << ": " << diagnostic.severity()
              << ": " << diagnostic.message() << "\n";
  }
  if (response.plan_id().empty()) return kExitInvalidPlan;
  std::cout << "submitted plan " << response.plan_id() << " (" << response.workstreams()
            << " workstreams)\n";
  return kExitOk;
}

int StatusCommand(const ClientOptions& client) {
  v1::RunStatus status;
  v1::GetStatusRequest request;
  request.set_verification(client.output == "json");  // what report.json says too
  request.set_plan(client.plan);
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  grpc::Status rpc = stub->GetStatus(Context().get(), request, &status);
  if (!rpc.ok()) return Report(client, rpc);
  if (client.output == "json") {
    coordinator::WriteRunStatusJson(status, std::cout);
    std::cout << "\n";
  } else {
    std::cout << RenderStatusTable(status);
  }
  return kExitOk;
}

int WatchStatusCommand(const ClientOptions& client) {
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  v1::GetStatusRequest request;
  request.set_plan(client.plan);
  grpc::ClientContext context;  // no deadline: it follows the plan to its end
  auto reader = stub->WatchStatus(&context, request);
  // The stream is read on its own thread; the screen is drawn at its own pace.
  StatusFollower follower;
  std::atomic<bool> stream_ended{false};
  grpc::Status ended_with;
  std::thread read([&] {
    v1::RunStatus next;
    while (reader->Read(&next)) follower.Offer(next);
    ended_with = reader->Finish();
    stream_ended = true;
    follower.Wake();
  });
  std::optional<v1::RunStatus> status =
      FollowPlan(follower, std::nullopt,
                 {[](const v1::RunStatus& latest) { return latest.done(); }, [&] { return stream_ended.load(); }, {}});
  context.TryCancel();
  read.join();
  if (!status) return Report(client, ended_with);
  if (!status->done()) {
    std::cerr << "wsfleet: the coordinator ended the watch before the plan ended: " << ended_with.error_message()
              << "\n";
    return kExitUnreachable;
  }
  return status->succeeded() ? kExitOk : kExitFailed;
}

int WorkersCommand(const ClientOptions& client) {
  v1::ListWorkersResponse response;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  grpc::Status rpc = stub->ListWorkers(Context().get(), {}, &response);
  if (!rpc.ok()) return Report(client, rpc);
  if (client.output == "json") {
    std::cout << coordinator::WorkersJson(response).dump(2) << "\n";  // labels: gpu.* from the burn-in
    return kExitOk;
  }
  std::map<std::string, const v1::LaunchedJob*> jobs;
  for (const v1::LaunchedJob& job : response.jobs()) jobs[job.job_id()] = &job;
  // "(Slurm job 12 RUNNING)": the job's state as Slurm last said it.
  auto job_note = [&](const std::string& id) {
    auto found = jobs.find(id);
    std::string state = found == jobs.end() ? "" : " " + found->second->state();
    return "  (Slurm job " + id + state + ")";
  };
  std::cout << "WORKER  HOST  STATE  SLOTS  GPUS  RUNNING  METRICS\n";
  for (const v1::WorkerInfo& worker : response.workers()) {
    auto job = worker.resources().labels().find(launcher::kSlurmJobLabel);
    std::cout << worker.worker_id() << "  " << worker.hostname() << "  " << worker.state() << "  "
              << worker.resources().slots() << "  " << worker.resources().gpus_size() << "  "
              << worker.running_attempts() << "  "
              << (worker.metrics_url().empty() ? "-" : worker.metrics_url())
              << (job == worker.resources().labels().end() ? "" : job_note(job->second))
              << (worker.gpu_note().empty() ? "" : "  (" + worker.gpu_note() + ")") << "\n";
  }
  if (response.jobs_size() > 0) {
    std::cout << "\nSLURM JOB  STATE  ASKED FOR\n";
    for (const v1::LaunchedJob& job : response.jobs()) {
      std::cout << job.job_id() << "  " << job.state() << (job.reason().empty() ? "" : " (" + job.reason() + ")")
                << "  " << job.shape() << "\n";
    }
  }
  return kExitOk;
}

int LogsCommand(const ClientOptions& client, const std::string& workstream, bool follow) {
  v1::LogsRequest request;
  request.set_workstream_id(workstream);
  request.set_follow(follow);
  request.set_plan(client.plan);
  grpc::ClientContext context;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  auto reader = stub->StreamLogs(&context, request);
  v1::LogChunk chunk;
  while (reader->Read(&chunk)) std::cout << chunk.data() << std::flush;
  return Report(client, reader->Finish());
}

int CancelCommand(const ClientOptions& client, const std::string& workstream, bool all) {
  v1::CancelRequest request;
  request.set_workstream_id(workstream);
  request.set_all(all);
  request.set_plan(client.plan);
  v1::CancelResponse response;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  grpc::Status rpc = stub->Cancel(Context().get(), request, &response);
  if (!rpc.ok()) return Report(client, rpc);
  std::cout << "cancelling " << response.cancelled() << " workstream"
            << (response.cancelled() == 1 ? "" : "s") << "\n";
  return kExitOk;
}

int RetryCommand(const ClientOptions& client, const std::string& workstream, bool failed) {
  if (workstream.empty() && !failed) {
    std::cerr << "wsfleet retry: give a workstream ID, or --failed\n";
    return kExitUsage;
  }
  v1::RetryRequest request;
  request.set_workstream_id(workstream);
  request.set_failed(failed);
  request.set_plan(client.plan);
  v1::RetryResponse response;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  grpc::Status rpc = stub->Retry(Context().get(), request, &response);
  if (rpc.ok() && failed) {
    std::cout << "running " << response.rerun() << " workstream" << (response.rerun() == 1 ? "" : "s")
              << " again\n";
  } else if (rpc.ok()) {
    std::cout << "retrying " << workstream << "\n";
  }
  return Report(client, rpc);
}

int DrainCommand(const ClientOptions& client, const std::string& worker) {
  v1::DrainRequest request;
  request.set_worker_id(worker);
  v1::DrainResponse response;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  grpc::Status rpc = stub->Drain(Context().get(), request, &response);
  if (rpc.ok()) std::cout << "draining " << worker << "\n";
  return Report(client, rpc);
}

int PlansCommand(const ClientOptions& client) {
  v1::ListPlansResponse response;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  grpc::Status rpc = stub->ListPlans(Context().get(), {}, &response);
  if (!rpc.ok()) return Report(client, rpc);
  std::cout << (client.output == "json" ? coordinator::PlansJson(response).dump(2) + "\n" : RenderPlansTable(response));
  return kExitOk;
}

std::string PageUrlFor(const std::string& url, const std::string& coordinator) {
  // A page served on every address names none a browser can open: the host the client
  // dialled does (or this machine, over a unix socket).
  for (const char* wildcard : {"http://0.0.0.0:", "http://[::]:"}) {
    if (url.rfind(wildcard, 0) != 0) continue;
    std::string host = "127.0.0.1";
    if (coordinator.rfind("unix:", 0) != 0 && coordinator.rfind(':') != std::string::npos) {
      host = coordinator.substr(0, coordinator.rfind(':'));
    }
    return "http://" + host + ":" + url.substr(std::string(wildcard).size());
  }
  return url;
}

int UiCommand(const ClientOptions& client) {
  v1::OpenPlanPageResponse response;
  auto stub = Stub(client);
  if (!stub) return kExitUsage;
  grpc::Status rpc = stub->OpenPlanPage(Context().get(), {}, &response);
  if (!rpc.ok()) return Report(client, rpc);
  std::cout << PageUrlFor(response.url(), ClientAddress(client)) << "\n";
  std::cerr << "Open it in a browser: it signs you in to the plan page once; it expires at "
            << common::UtcDateTime(response.expires_unix_ms()) << " unused.\n";
  return kExitOk;
}

}  // namespace wsfleet::cli
