#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "common/event_loop.h"
#include "coordinator/coordinator_metrics.h"
#include "coordinator/scheduler.h"
#include "coordinator/status_watch.h"
#include "launcher/launcher.h"
#include "security/join_token.h"

namespace wsfleet::coordinator {

// How the coordinator's TCP listener is secured (see docs/security.md).
struct TlsOptions {
  bool insecure = false;  // plaintext, every caller trusted: warned at start, exported
  std::vector<std::string> advertise;  // names and addresses for the certificate, besides this machine's
  // An existing PKI instead of STATE/tls/: the server's certificate and key, the CA clients
  // chain to, and optionally that CA's key (then the coordinator issues worker certificates).
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  std::string ca_key_file;
  std::vector<security::JoinToken> bootstrap_tokens;  // registered at start (a Kubernetes Secret's)
  // How long the worker certificates it issues live; workers renew them with a third left.
  std::chrono::seconds worker_certificate_lifetime = std::chrono::hours(24 * 30);
};

struct CoordinatorConfig {
  std::string listen = "127.0.0.1:0";  // host:port (0: any free port) or unix:/path
  std::string state_dir = ".wsfleet";
  std::string owner = "wsfleet coordinator";  // what holds the state directory, for a second one's refusal
  std::string metrics_address;  // HOST:PORT for /metrics (port 0: any free one); empty: off
  std::string ui_address;       // HOST:PORT for the plan page (port 0: any free one); empty: off
  // With --insecure only: what a worker's Hello must carry; empty: any worker may join.
  std::string join_token;
  TlsOptions tls;
  // With a TCP listener, also serve STATE/coordinator.sock, only its owner's: the local
  // admin's way in (`wsfleet token create`, `wsfleet status` on this machine).
  bool local_socket = true;
  SchedulerOptions scheduler;
  CoordinatorMetricsOptions metrics;
};

// The coordinator process's composition root: state store, event loop, scheduler, gRPC
// services (worker sessions, control API, health, reflection). Recovery runs before the
// server accepts its first call.
class CoordinatorServer {
 public:
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(const CoordinatorConfig& config);
  ~CoordinatorServer();

  const std::string& address() const { return address_; }  // what clients dial
  // unix:STATE/coordinator.sock when the listener is TCP and it is served; else empty.
  const std::string& local_address() const { return local_address_; }
  // SHA-256 of the CA's public key (what join tokens pin); empty when --insecure.
  const std::string& ca_hash() const { return ca_hash_; }
  // http://HOST:PORT/metrics as bound; empty when metrics are off.
  const std::string& metrics_url() const { return metrics_url_; }
  // http://HOST:PORT of the plan page as bound; empty when it is off (or could not bind).
  std::string plan_page_url() const;
  // A one-time login URL for the plan page (what `wsfleet ui` prints); empty when it is off.
  std::string PlanPageLoginUrl();
  common::EventLoop& loop() { return loop_; }
  Scheduler& scheduler() { return *scheduler_; }  // loop thread only
  // Calls `callback` on the loop thread with the run's status now and whenever it changes
  // (coalesced to one call per 20 ms; the end of a run at once). Any thread.
  void Watch(StatusWatchers::Callback callback);
  // Writes pending summaries (and the report, when the run is done) and publishes status.
  void Flush();
  void Shutdown();
  // A join token for workers this coordinator starts itself (a launcher's), never expiring;
  // empty without TLS (a plaintext fleet has no tokens to issue).
  absl::StatusOr<std::string> CreateWorkerToken(const std::string& description);
  // From now on, each second: the work that waits for workers goes to `launcher`, which
  // asks its engine for them; a `cancel --all` that leaves no plan running gives its jobs
  // back.
  void SetLauncher(std::unique_ptr<launcher::Launcher> launcher);

 private:
  CoordinatorServer() = default;
  void LauncherTick();
  struct Parts;
  // The loop outlives the parts whose timers it holds: members are destroyed in reverse.
  common::EventLoop loop_;
  std::unique_ptr<Parts> parts_;
  Scheduler* scheduler_ = nullptr;
  std::unique_ptr<grpc::Server> server_;
  // The gRPC health service, for the loop to report the store on (wsfleet.v1.StateStore:
  // NOT_SERVING while a full disk holds its writes). Loop thread only; null until serving.
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  bool store_held_ = false;
  std::string address_;
  std::string local_address_;
  std::string ca_hash_;
  std::string metrics_url_;
  bool shut_down_ = false;
  bool cancelled_all_ = false;  // loop thread: a `cancel --all` the launcher has not acted on
};

}  // namespace wsfleet::coordinator
