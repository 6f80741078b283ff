#include "coordinator/coordinator_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include <prometheus/gauge.h>
#include <spdlog/spdlog.h>

#include "coordinator/access_service.h"
#include "coordinator/control_service.h"
#include "coordinator/join_service.h"
#include "coordinator/plan_page_source.h"
#include "coordinator/file_writer.h"
#include "coordinator/sqlite_state_store.h"
#include "coordinator/state_directory_lock.h"
#include "coordinator/status_watch.h"
#include "coordinator/summary_writer.h"
#include "coordinator/holding_state_store.h"
#include "coordinator/timed_state_store.h"
#include "coordinator/worker_session.h"
#include "proto/grpc_settings.h"
#include "security/certificates.h"
#include "security/grpc_tls.h"
#include "telemetry/grpc_metrics.h"
#include "telemetry/metrics_endpoint.h"
#include "ui/plan_page_server.h"
#include "ui/viewer_logins.h"

namespace wsfleet::coordinator {

// The health service name that reports the state store: NOT_SERVING while a full disk
// holds its writes (the overall status stays SERVING: the coordinator still answers).
constexpr const char* kStoreHealthService = "wsfleet.v1.StateStore";

namespace {

// Routes the scheduler's commands to sessions and watchers; each plan's status is
// published at most every 20 ms however often it changes, and for a large plan no more
// often than keeps building it under a tenth of the loop's time: a 20,000-workstream
// status built 50 times a second was most of the coordinator's work in `wsfleet run`.
class CoordinatorOutput : public SchedulerOutput {
 public:
  CoordinatorOutput(common::Clock& clock, SessionRegistry& registry, StatusWatchers& watchers,
                    const SummaryWriter& summaries)
      : clock_(clock), registry_(registry), watchers_(watchers), summaries_(summaries) {}
  ~CoordinatorOutput() override {
    for (auto& [id, plan] : plans_) {
      if (plan.timer != 0) clock_.CancelTimer(plan.timer);
    }
  }
  // How a publish finds its plan's reader when its timer fires: a plan may have been
  // retired (and its reader gone) since.
  void set_reader_of(std::function<const RunReader*(const std::string& plan_id)> reader_of) {
    reader_of_ = std::move(reader_of);
  }
  void Send(const std::string& worker_id, const v1::CoordinatorMessage& message) override {
    registry_.Send(worker_id, message);
  }
  void StatusChanged(const RunReader& run) override { SchedulePublish(run); }
  void WorkstreamEnded(const RunReader& run, int index) override {
    plans_[run.plan_row().plan_id].ended.insert(index);
    SchedulePublish(run);
  }

 private:
  struct PerPlan {
    common::TimerId timer = 0;
    bool publish_now = false;  // the pending publish is the immediate one
    common::Nanos pace = kFastestPublish;  // between two publishes of its status to watchers
    std::set<int> ended;
    bool report_written = false;
  };

  // After the change is committed (the timer runs after the current task): summaries of
  // what ended, the plan's report when it is done, and its new status for watchers.
  void SchedulePublish(const RunReader& run) {
    std::string id = run.plan_row().plan_id;
    PerPlan& plan = plans_[id];
    // The end of a run is published at once (after the current task): `wsfleet run` and
    // watchers are waiting for it.
    if (plan.timer != 0 && plan.publish_now) return;  // the immediate publish is coming
    bool done = run.has_plan() && run.Done();
    if (plan.timer != 0 && !done) return;
    if (plan.timer != 0) clock_.CancelTimer(plan.timer);
    plan.publish_now = done;
    plan.timer = clock_.RunAfter(done ? common::Nanos(0) : plan.pace, [this, id] {
      PerPlan& due = plans_[id];
      due.timer = 0;
      due.publish_now = false;
      if (const RunReader* reader = reader_of_ ? reader_of_(id) : nullptr) {
        Publish(*reader);
      } else {
        plans_.erase(id);  // retired
      }
    });
  }

 public:
  // Summaries and the report derive from the store and are written without fsync: a
  // crash may have lost the newest version of any of them, or left one empty. Every ended
  // workstream's summary (and the report, when the run is done) is written again now.
  void RewriteSummaries(const RunReader& run) {
    if (!run.has_plan()) return;
    PerPlan& plan = plans_[run.plan_row().plan_id];
    for (size_t i = 0; i < run.plan()->workstreams.size(); ++i) {
      int index = static_cast<int>(i);
      if (Ended(run.ViewOf(index).row.state)) plan.ended.insert(index);
    }
    if (!plan.ended.empty() || run.Done()) SchedulePublish(run);
  }

  void Publish(const RunReader& run) {
    PerPlan& plan = plans_[run.plan_row().plan_id];
    for (int index : plan.ended) Warn(summaries_.WriteWorkstream(run, index));
    plan.ended.clear();
    bool done = run.has_plan() && run.Done();
    if (done && !plan.report_written) Warn(summaries_.WriteReport(run));
    plan.report_written = done;
    if (watchers_.empty()) return;
    common::SteadyTime start = clock_.Now();
    watchers_.Publish(run.Status());
    plan.pace = std::clamp<common::Nanos>(10 * (clock_.Now() - start), kFastestPublish, kSlowestPublish);
  }

 private:
  static constexpr common::Nanos kFastestPublish = std::chrono::milliseconds(20);
  static constexpr common::Nanos kSlowestPublish = std::chrono::seconds(1);

  static void Warn(const absl::Status& status) {
    if (!status.ok()) spdlog::error("{}", std::string(status.message()));
  }

  common::Clock& clock_;
  SessionRegistry& registry_;
  StatusWatchers& watchers_;
  const SummaryWriter& summaries_;
  std::function<const RunReader*(const std::string&)> reader_of_;
  std::map<std::string, PerPlan> plans_;  // by plan ID ("" before any plan)
};

}  // namespace

struct CoordinatorServer::Parts {
  std::unique_ptr<StateDirectoryLock> owner;  // first in, last out: held while anything below runs
  std::shared_ptr<prometheus::Registry> metrics_registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<telemetry::GrpcMetrics> grpc_metrics;
  std::unique_ptr<CoordinatorMetrics> metrics;
  // Summaries and reports are written off the loop thread.
  FileWriter files{[](const std::string& message) { spdlog::error("{}", message); }};
  std::unique_ptr<SqliteStateStore> sqlite;
  std::unique_ptr<TimedStateStore> store;
  std::unique_ptr<HoldingStateStore> holding_store;  // over `store`: a full disk is waited out
  std::unique_ptr<SummaryWriter> summaries;
  SessionRegistry registry;
  StatusWatchers watchers;
  std::unique_ptr<CoordinatorOutput> output;
  SpreadPlacement placement;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<FleetPki> pki;  // null when nothing listens on TLS
  std::unique_ptr<AccessPolicy> access;
  std::unique_ptr<WorkerServiceImpl> worker_service;
  std::unique_ptr<ControlServiceImpl> control_service;
  std::unique_ptr<JoinServiceImpl> join_service;
  std::unique_ptr<AccessServiceImpl> access_service;
  std::unique_ptr<launcher::Launcher> launcher;  // none: workers are started by hand (static)
  // The plan page: stopped before what it reads goes.
  ui::ViewerLogins viewer_logins{common::SystemTime(), [] { return security::RandomHex(32); }};
  std::unique_ptr<SchedulerPageSource> page_source;
  std::unique_ptr<ui::PlanPageServer> page;
  // Stopped first (declared last): a scrape in progress still finds everything it reads.
  std::unique_ptr<telemetry::MetricsEndpoint> endpoint;
};

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    const CoordinatorConfig& config) {
  std::unique_ptr<CoordinatorServer> server(new CoordinatorServer());
  server->parts_ = std::make_unique<Parts>();
  Parts& parts = *server->parts_;
  absl::StatusOr<std::unique_ptr<StateDirectoryLock>> owner = StateDirectoryLock::Acquire(config.state_dir, config.owner);
  if (!owner.ok()) return owner.status();
  parts.owner = std::move(*owner);
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(config.state_dir);
  if (!store.ok()) return store.status();
  parts.sqlite = std::move(*store);
  // The store, the logs, the keys and the tokens: no one else's to read.
  ::chmod(config.state_dir.c_str(), 0700);
  bool tcp = config.listen.rfind("unix:", 0) != 0;
  if (tcp && !config.tls.insecure) {
    absl::StatusOr<std::unique_ptr<FleetPki>> pki = LoadFleetPki(config.tls, config.state_dir);
    if (!pki.ok()) return pki.status();
    parts.pki = std::move(*pki);
    server->ca_hash_ = parts.pki->tls.ca_public_key_sha256;
  }
  // Exported so that an alert catches a fleet left plaintext.
  prometheus::BuildGauge()
      .Name("wsfleet_insecure")
      .Help("1 when the coordinator's TCP listener is plaintext and trusts every caller (--insecure)")
      .Register(*parts.metrics_registry)
      .Add({})
      .Set(tcp && config.tls.insecure ? 1 : 0);
  parts.access = std::make_unique<AccessPolicy>(tcp && config.tls.insecure,
                                                (std::filesystem::path(config.state_dir) / "audit.log").string());
  parts.grpc_metrics = std::make_unique<telemetry::GrpcMetrics>(*parts.metrics_registry);
  for (const char* service : {v1::WorkerService::service_full_name(),
                              v1::ControlService::service_full_name()}) {
    parts.grpc_metrics->InitializeServer(
        *google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service));
  }
  parts.metrics = std::make_unique<CoordinatorMetrics>(*parts.metrics_registry, config.metrics);
  parts.store = std::make_unique<TimedStateStore>(
      *parts.sqlite, [metrics = parts.metrics.get()](const char* operation, double seconds) {
        metrics->StoreOperation(operation, seconds);
      });
  SchedulerOptions options = config.scheduler;
  options.state_dir = std::filesystem::absolute(config.state_dir).lexically_normal().string();
  if (!config.metrics_address.empty()) {
    // Each scrape reads the scheduler on its loop. Before the loop runs (recovery) and
    // after it stopped, RunSync does nothing and the scrape shows the last values.
    CoordinatorServer* self = server.get();
    absl::StatusOr<std::unique_ptr<telemetry::MetricsEndpoint>> endpoint =
        telemetry::MetricsEndpoint::Start(config.metrics_address, parts.metrics_registry, [self] {
          self->loop_.RunSync([self] {
            self->parts_->metrics->Refresh(*self->scheduler_, self->loop_,
                                           self->loop_.last_queue_delay());
          });
        });
    if (!endpoint.ok()) return endpoint.status();
    parts.endpoint = std::move(*endpoint);
    server->metrics_url_ = parts.endpoint->url();
    options.metrics_url = server->metrics_url_;
  }
  parts.summaries = std::make_unique<SummaryWriter>(
      StatePaths{config.state_dir},
      [files = &parts.files](std::string path, std::function<std::string()> render) {
        files->WriteRendered(std::move(path), std::move(render));
        return absl::OkStatus();
      });
  parts.output = std::make_unique<CoordinatorOutput>(server->loop_, parts.registry, parts.watchers,
                                                     *parts.summaries);
  parts.holding_store = std::make_unique<HoldingStateStore>(*parts.store, server->loop_);
  parts.scheduler = std::make_unique<Scheduler>(server->loop_, *parts.holding_store, *parts.output,
                                                parts.placement, options);
  server->scheduler_ = parts.scheduler.get();
  parts.output->set_reader_of([scheduler = parts.scheduler.get()](const std::string& plan_id) -> const RunReader* {
    if (plan_id.empty()) return scheduler;  // the fleet before any plan
    return scheduler->HeldOrRetired(plan_id);
  });
  // Recovery before serving; the loop thread is not running yet, so this thread may act
  // as the loop.
  if (absl::Status status = parts.scheduler->Recover(); !status.ok()) return status;
  parts.scheduler->set_observer(parts.metrics.get());
  for (const PlanScheduler* plan : parts.scheduler->plans()) parts.output->RewriteSummaries(*plan);
  server->loop_.SetBatchEndHook([self = server.get(), scheduler = parts.scheduler.get(),
                                 store = parts.holding_store.get(), registry = &parts.registry] {
    scheduler->FlushEvents();
    registry->FlushAll();
    bool held = store->held().has_value();
    if (held != self->store_held_ && self->health_ != nullptr) {
      self->health_->SetServingStatus(kStoreHealthService, !held);
    }
    self->store_held_ = held;
  });
  server->loop_.Start();

  parts.worker_service = std::make_unique<WorkerServiceImpl>(server->loop_, *parts.scheduler, parts.registry,
                                                             *parts.access, config.join_token);
  parts.control_service = std::make_unique<ControlServiceImpl>(
      server->loop_, *parts.scheduler, *parts.store, parts.watchers, *parts.access);
  parts.control_service->set_on_cancel_all([self = server.get()] { self->cancelled_all_ = true; });
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::vector<std::string> sockets;
  if (!tcp) sockets.push_back(config.listen.substr(5));
  std::string local_socket = std::filesystem::absolute(std::filesystem::path(config.state_dir) / "coordinator.sock")
                                 .lexically_normal().string();
  // sockaddr_un holds 108 bytes: a deeper state directory has no local socket.
  bool serve_local = tcp && config.local_socket && local_socket.size() < 100;
  if (serve_local) sockets.push_back(local_socket);
  for (const std::string& path : sockets) {
    // A socket left by a coordinator that was killed would refuse the bind.
    std::error_code ignored;
    if (std::filesystem::is_socket(path, ignored)) std::filesystem::remove(path, ignored);
  }
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen,
                           parts.pki ? security::ServerCredentialsFor(parts.pki->tls) : grpc::InsecureServerCredentials(),
                           &port);
  if (serve_local) builder.AddListeningPort("unix:" + local_socket, grpc::InsecureServerCredentials());
  rpc::ApplyServerSettings(builder);
  builder.experimental().SetInterceptorCreators(parts.grpc_metrics->ServerInterceptors());
  builder.RegisterService(parts.worker_service.get());
  builder.RegisterService(parts.control_service.get());
  if (parts.pki) {
    parts.join_service = std::make_unique<JoinServiceImpl>(server->loop_, *parts.scheduler, parts.registry,
                                                           *parts.pki, *parts.access);
    builder.RegisterService(parts.join_service.get());
  }
  // On every listener, so that `wsfleet token create` on the local socket reaches it; it
  // says so when there is nothing to administer.
  static FleetPki no_pki;
  parts.access_service = std::make_unique<AccessServiceImpl>(server->loop_, parts.pki ? *parts.pki : no_pki,
                                                             *parts.access);
  builder.RegisterService(parts.access_service.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr) {
    return absl::UnavailableError("cannot listen on " + config.listen);
  }
  if (!config.ui_address.empty()) {
    CoordinatorServer* self = server.get();
    parts.page_source = std::make_unique<SchedulerPageSource>(
        server->loop_, *parts.scheduler, StatePaths{options.state_dir},
        [self](StatusWatchers::Callback callback) { self->Watch(std::move(callback)); });
    absl::StatusOr<std::unique_ptr<ui::PlanPageServer>> page =
        ui::PlanPageServer::Start(config.ui_address, *parts.page_source, parts.viewer_logins);
    // A view, not the fleet: the coordinator serves on without it (and `wsfleet ui` says so).
    if (page.ok()) {
      parts.page = std::move(*page);
      parts.control_service->set_plan_page_login([page = parts.page.get()] { return page->LoginUrl(); });
    } else {
      spdlog::error("no plan page: {}", std::string(page.status().message()));
    }
  }
  server->server_->GetHealthCheckService()->SetServingStatus(kStoreHealthService, true);
  server->loop_.RunSync([self = server.get()] { self->health_ = self->server_->GetHealthCheckService(); });
  // Only the owner may connect: on Linux, connecting needs write permission on the socket.
  for (const std::string& path : sockets) ::chmod(path.c_str(), 0600);
  if (!tcp) {
    server->address_ = config.listen;
  } else {
    std::string host = config.listen.substr(0, config.listen.rfind(':'));
    server->address_ = host + ":" + std::to_string(port);
  }
  if (serve_local) server->local_address_ = "unix:" + local_socket;
  return server;
}

void CoordinatorServer::Watch(StatusWatchers::Callback callback) {
  loop_.RunSync([this, &callback] {
    parts_->watchers.AddLocal(std::move(callback));
    parts_->output->Publish(*parts_->scheduler);  // where things stand now (the plan submitted last)
  });
}

std::string CoordinatorServer::plan_page_url() const { return parts_->page ? parts_->page->url() : ""; }

std::string CoordinatorServer::PlanPageLoginUrl() { return parts_->page ? parts_->page->LoginUrl() : ""; }

void CoordinatorServer::Flush() {
  loop_.RunSync([this] {
    if (parts_->scheduler->plans().empty()) parts_->output->Publish(*parts_->scheduler);
    for (const PlanScheduler* plan : parts_->scheduler->plans()) parts_->output->Publish(*plan);
  });
  parts_->files.Drain();
}

void CoordinatorServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (parts_ && parts_->output) Flush();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  loop_.Stop();
}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

absl::StatusOr<std::string> CoordinatorServer::CreateWorkerToken(const std::string& description) {
  if (!parts_->pki || !parts_->pki->tokens) return std::string();
  absl::StatusOr<std::string> made = absl::UnavailableError("the loop is not running");
  loop_.RunSync([&] {
    FleetPki& pki = *parts_->pki;
    absl::StatusOr<security::JoinToken> token =
        pki.tokens->Create(pki.now(), std::chrono::seconds(0), pki.tls.ca_public_key_sha256, {}, description);
    made = token.ok() ? absl::StatusOr<std::string>(security::FormatJoinToken(*token)) : token.status();
  });
  return made;
}

void CoordinatorServer::SetLauncher(std::unique_ptr<launcher::Launcher> launcher) {
  loop_.RunSync([&] {
    parts_->launcher = std::move(launcher);
    LauncherTick();
  });
}

void CoordinatorServer::LauncherTick() {
  launcher::Launcher& launcher = *parts_->launcher;
  Scheduler& scheduler = *parts_->scheduler;
  launcher.Update(scheduler.WorkerDemand(), scheduler.ConnectedWorkersBy(launcher::kSlurmJobLabel));
  scheduler.SetLauncherView(launcher.View());
  if (cancelled_all_ && scheduler.AllPlansDone()) {
    // Nothing is left for the jobs' workers to do: give the nodes back now rather than
    // after their --idle-exit.
    launcher.CancelAll();
    cancelled_all_ = false;
  }
  loop_.RunAfter(std::chrono::seconds(1), [this] { LauncherTick(); });
}

}  // namespace wsfleet::coordinator
