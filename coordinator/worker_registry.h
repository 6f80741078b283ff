#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "coordinator/cluster_view.h"
#include "wsfleet/v1/control.pb.h"
#include "wsfleet/v1/worker.pb.h"

namespace wsfleet::coordinator {

// The workers that joined: whether each is connected, draining or lost, its lease, and what
// it offers and holds (the ClusterView that placement reads). A worker that sends nothing
// for a lease is lost, and `expired` is told. Loop thread only.
class WorkerRegistry {
 public:
  using Expired = std::function<void(WorkerView& worker)>;
  WorkerRegistry(common::Clock& clock, common::Nanos lease, Expired expired);
  ~WorkerRegistry();  // its lease timers point into it
  WorkerRegistry(const WorkerRegistry&) = delete;
  WorkerRegistry& operator=(const WorkerRegistry&) = delete;

  // A worker's Hello: what it offers now; connected (again), not draining, a new lease.
  WorkerView& Join(const v1::Hello& hello, bool writes_logs);
  // A worker that proves itself alive (a heartbeat, events) keeps its lease; a lost one
  // must say Hello again. `heartbeat`: also the time it was last heard from. False when
  // nothing was renewed (unknown, or lost already).
  bool Alive(const std::string& id, bool heartbeat);
  common::Nanos lease() const;
  // The lease its session renews on each heartbeat (see LeaseCell); none when unknown or
  // lost.
  std::shared_ptr<LeaseCell> LeaseOf(const std::string& id) const;
  // Its session ended; its lease keeps running: back within it, it keeps its attempts.
  void Disconnected(const std::string& id);
  // No new work goes to it.
  absl::Status Drain(const std::string& id);
  // A worker a recovered attempt ran on: it gets one lease to come back.
  WorkerView& Expect(const std::string& id);

  v1::ListWorkersResponse List() const;
  // Whether any worker that joined is not lost.
  bool AnyAlive() const;
  ClusterView& cluster() { return cluster_; }
  const ClusterView& cluster() const { return cluster_; }

 private:
  void Watch(WorkerView& worker) { Watch(worker, lease_); }
  void Watch(WorkerView& worker, common::Nanos after);

  common::Clock& clock_;
  common::Nanos lease_;
  Expired expired_;
  ClusterView cluster_;
};

}  // namespace wsfleet::coordinator
