#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/executor.h"
#include "worker/attempt_runner.h"
#include "worker/coordinator_link.h"
#include "worker/outbox.h"
#include "worker/output_gate.h"
#include "worker/send_window.h"
#include "worker/worker_config.h"
#include "worker/worker_metrics.h"

namespace wsfleet::worker {

// Everything a worker decides, on its one loop: the session (hello, welcome, reconnecting
// with backoff), the attempts (started, queued beyond the slots, cancelled, revoked), the
// outbox of their unacknowledged events and the flow control that sends them, heartbeats.
// Time is the injected Clock's and work arrives through the Executor, so a test drives it
// on a fake clock with a scripted link; the Worker process runs it on an EventLoop over
// gRPC. Everything but the constructor, JoinAttempts and Post()ed callbacks runs on the
// loop.
class WorkerCore {
 public:
  // `on_refused`: the coordinator refused the join token; retrying cannot succeed.
  WorkerCore(WorkerConfig config, common::Clock& clock, common::Executor& loop, CoordinatorLink& link,
             WorkerMetrics& metrics, std::function<void(absl::Status)> on_refused);
  ~WorkerCore();
  WorkerCore(const WorkerCore&) = delete;
  WorkerCore& operator=(const WorkerCore&) = delete;

  void Connect();
  // Sends what the window allows, once something urgent waits or the hold has passed; the
  // loop's batch-end hook.
  void FlushEvents();
  // Shutting down in order: tells the coordinator to place nothing more here, hands back
  // what waits in the queue (now and as it arrives) and starts nothing new; running
  // attempts go on.
  void BeginLeave(const std::string& reason);
  // Stops the running attempts as handed back (the grace period is over).
  void HandBack(const std::string& reason);
  // Every attempt ended and every event of theirs acknowledged: nothing is left to lose.
  bool Settled() const;
  // Closes the session and cancels every attempt (their process groups die).
  void BeginStop();
  // After BeginStop, off the loop: waits for the attempts' threads to end.
  void JoinAttempts();
  // A session is open or closing: its call has not ended yet (gRPC still runs its
  // interceptors, which point into the worker's metrics).
  bool SessionOpen() const { return session_ != nullptr; }
  WorkerSnapshot Snapshot() const;
  // What is called (on the loop) once the worker has been idle for config.idle_exit.
  void set_on_idle(std::function<void(const std::string& reason)> on_idle) { on_idle_ = std::move(on_idle); }
  void set_metrics_url(std::string url) { metrics_url_ = std::move(url); }

 private:
  void OnMessage(const v1::CoordinatorMessage& message);
  void OnSessionEnded(const grpc::Status& status);
  void OnWelcome(const v1::Welcome& welcome);
  void OnAssign(const v1::AttemptSpec& spec);
  size_t Running() const;  // started and not ended
  void StartQueued();
  // Takes `attempt_id` out of the queue if it waits there; false if it is not queued.
  bool Unqueue(const std::string& attempt_id);
  void CancelAttempt(const std::string& attempt_id, const std::string& reason);
  void OnEmitted(const std::string& attempt_id, v1::Event event);
  void Heartbeat();
  void ReapFinished();
  // The coordinator renewed the lease until `deadline` (this core's clock): the steps'
  // guards are told, and a lease check is armed for then.
  void RenewLease(common::SteadyTime deadline);
  // Past the deadline with no renewal: the running attempts stop (self-fencing).
  void CheckLease();
  // With idle_exit: whether nothing has run or waited here for that long (then on_idle_).
  void CheckIdle();

  WorkerConfig config_;
  common::Clock& clock_;
  common::Executor& loop_;
  CoordinatorLink& link_;
  WorkerMetrics& metrics_;
  std::function<void(absl::Status)> on_refused_;
  std::string hostname_;
  std::string metrics_url_;
  std::shared_ptr<CoordinatorLink::Session> session_;
  bool welcomed_ = false;
  bool stopping_ = false;
  std::string leaving_;  // why the worker is leaving (BeginLeave); empty: it is not
  void SendLeaving();
  common::Nanos lease_ = std::chrono::seconds(10);  // as the last Welcome said
  common::SteadyTime hello_sent_{};
  common::SteadyTime lease_deadline_{};  // the epoch: no lease yet
  bool lease_lapsed_ = false;            // fenced, until the next renewal
  common::TimerId lease_timer_ = 0;
  common::TimerId heartbeat_timer_ = 0;
  common::TimerId reconnect_timer_ = 0;
  common::TimerId idle_timer_ = 0;
  std::optional<common::SteadyTime> idle_since_;  // the first check that found nothing here
  std::function<void(const std::string&)> on_idle_;
  common::Nanos heartbeat_interval_ = std::chrono::seconds(2);
  common::Nanos reconnect_delay_ = std::chrono::milliseconds(200);
  std::mt19937 random_{std::random_device{}()};
  Outbox outbox_;
  // Three quarters of the outbox's memory: room for a send window in flight and the next
  // one queued, and for the non-output events, without spilling while connected.
  OutputGate output_gate_{config_.outbox_memory_bytes / 4 * 3};
  std::map<std::string, std::unique_ptr<AttemptRunner>> runners_;
  // Moved here by BeginStop (on the loop), joined by JoinAttempts (off it).
  std::mutex stopped_runners_mutex_;
  std::vector<std::unique_ptr<AttemptRunner>> stopped_runners_;
  std::set<std::string> ended_;  // attempts whose AttemptFinished is in the outbox
  // Assigned beyond the free slots: started in this order as slots free.
  std::deque<std::string> queued_;
  // Attempts that ended without success, until the coordinator has stored that end: the
  // queue waits for them, so that a failure that halts the run (and takes the queue back,
  // revokes arriving before the acknowledgement) starts nothing new here.
  std::set<std::string> unacked_failures_;
  // Flow control: the event hold and the send window (see send_window.h).
  SendWindow window_;
};

}  // namespace wsfleet::worker
