#include "coordinator/worker_registry.h"

#include <algorithm>

namespace wsfleet::coordinator {

WorkerRegistry::WorkerRegistry(common::Clock& clock, common::Nanos lease, Expired expired)
    : clock_(clock), lease_(lease), expired_(std::move(expired)) {}

WorkerRegistry::~WorkerRegistry() {
  for (const auto& [id, worker] : cluster_.workers()) {
    if (worker.lease_timer != 0) clock_.CancelTimer(worker.lease_timer);
  }
}

WorkerView& WorkerRegistry::Join(const v1::Hello& hello, bool writes_logs) {
  WorkerView& worker = cluster_.Upsert(hello.worker_id());
  worker.hostname = hello.hostname();
  worker.metrics_url = hello.metrics_url();
  worker.gpu_note = hello.gpu_note();
  worker.resources = hello.resources();
  worker.slots = hello.resources().slots();
  worker.gpu_indices.clear();
  for (const v1::GpuDevice& gpu : hello.resources().gpus()) worker.gpu_indices.push_back(gpu.index());
  worker.labels = {hello.resources().labels().begin(), hello.resources().labels().end()};
  worker.connected = true;
  worker.writes_logs = writes_logs;
  worker.lost = false;
  worker.draining = false;
  // A lease of its own for each session: an older session's heartbeats renew nothing.
  worker.lease = std::make_shared<LeaseCell>(clock_, lease_);
  Watch(worker);
  cluster_.Reindex(worker.id);
  cluster_.MakeupChanged();
  return worker;
}

bool WorkerRegistry::Alive(const std::string& id, bool heartbeat) {
  WorkerView* worker = cluster_.Find(id);
  if (worker == nullptr || worker->lost || worker->lease == nullptr) return false;
  return worker->lease->Renew(heartbeat);
}

common::Nanos WorkerRegistry::lease() const { return lease_; }

void WorkerRegistry::Disconnected(const std::string& id) {
  if (WorkerView* worker = cluster_.Find(id)) {
    worker->connected = false;
    cluster_.Reindex(id);
  }
}

absl::Status WorkerRegistry::Drain(const std::string& id) {
  WorkerView* worker = cluster_.Find(id);
  if (worker == nullptr) return absl::NotFoundError("no worker " + id);
  worker->draining = true;
  cluster_.Reindex(id);
  return absl::OkStatus();
}

WorkerView& WorkerRegistry::Expect(const std::string& id) {
  WorkerView& worker = cluster_.Upsert(id);
  if (worker.lease == nullptr) worker.lease = std::make_shared<LeaseCell>(clock_, lease_);
  Watch(worker);
  return worker;
}

v1::ListWorkersResponse WorkerRegistry::List() const {
  v1::ListWorkersResponse response;
  for (const auto& [id, worker] : cluster_.workers()) {
    v1::WorkerInfo& info = *response.add_workers();
    info.set_worker_id(id);
    info.set_hostname(worker.hostname);
    info.set_metrics_url(worker.metrics_url);
    info.set_gpu_note(worker.gpu_note);
    *info.mutable_resources() = worker.resources;
    info.set_state(worker.lost       ? "lost"
                   : worker.draining ? "draining"
                   : worker.connected ? "connected"
                                      : "disconnected");
    info.set_running_attempts(static_cast<uint32_t>(worker.attempts.size()));
    info.set_last_heartbeat_unix_ms(worker.last_heartbeat_unix_ms());
  }
  return response;
}

bool WorkerRegistry::AnyAlive() const {
  return std::any_of(cluster_.workers().begin(), cluster_.workers().end(),
                     [](const auto& entry) { return !entry.second.lost; });
}

std::shared_ptr<LeaseCell> WorkerRegistry::LeaseOf(const std::string& id) const {
  const WorkerView* worker = cluster_.Find(id);
  return worker != nullptr && !worker->lost ? worker->lease : nullptr;
}

// One timer per lease period, not one per heartbeat: it looks at the lease when it could
// have run out, and again at the renewed deadline if it was renewed since.
void WorkerRegistry::Watch(WorkerView& worker, common::Nanos after) {
  if (worker.lease_timer != 0) return;
  std::string id = worker.id;
  worker.lease_timer = clock_.RunAfter(after, [this, id] {
    WorkerView* watched = cluster_.Find(id);
    if (watched == nullptr) return;
    watched->lease_timer = 0;
    common::SteadyTime look_again;
    if (watched->lease != nullptr && !watched->lease->ExpireIfDue(&look_again)) {
      Watch(*watched, std::max<common::Nanos>(look_again - clock_.Now(), common::Nanos(0)));
      return;
    }
    watched->lost = true;
    watched->connected = false;
    cluster_.Reindex(id);
    cluster_.MakeupChanged();
    expired_(*watched);
  });
}

}  // namespace wsfleet::coordinator
