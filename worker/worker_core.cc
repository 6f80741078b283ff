#include "worker/worker_core.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "common/hostname.h"

namespace wsfleet::worker {
namespace {

constexpr size_t kMaxMessageBytes = size_t{4} << 20;

}  // namespace

WorkerCore::WorkerCore(WorkerConfig config, common::Clock& clock, common::Executor& loop,
                       CoordinatorLink& link, WorkerMetrics& metrics,
                       std::function<void(absl::Status)> on_refused)
    : config_(std::move(config)),
      clock_(clock),
      loop_(loop),
      link_(link),
      metrics_(metrics),
      on_refused_(std::move(on_refused)),
      hostname_(common::Hostname()),
      outbox_(config_.spool_dir, config_.outbox_memory_bytes),
      window_(clock, {}, [this] { FlushEvents(); }) {
  config_.runner.worker_id = config_.worker_id;
}

WorkerCore::~WorkerCore() {
  // Timers must not outlive the core their callbacks point into.
  if (heartbeat_timer_ != 0) clock_.CancelTimer(heartbeat_timer_);
  if (reconnect_timer_ != 0) clock_.CancelTimer(reconnect_timer_);
  if (lease_timer_ != 0) clock_.CancelTimer(lease_timer_);
  if (idle_timer_ != 0) clock_.CancelTimer(idle_timer_);
  JoinAttempts();
}

void WorkerCore::BeginLeave(const std::string& reason) {
  leaving_ = reason.empty() ? "the worker is shutting down" : reason;
  SendLeaving();
  while (!queued_.empty()) {
    std::string id = queued_.front();
    queued_.pop_front();
    runners_.at(id)->EndUnstarted(v1::ATTEMPT_OUTCOME_REVOKED, "handed back before it started: " + leaving_);
  }
}

void WorkerCore::SendLeaving() {
  if (leaving_.empty() || session_ == nullptr || !welcomed_) return;
  v1::WorkerMessage message;
  message.mutable_leaving()->set_reason(leaving_);
  session_->Send(message);
}

void WorkerCore::HandBack(const std::string& reason) {
  for (auto& [id, runner] : runners_) {
    if (runner->started() && !runner->finished()) runner->HandBack(reason);
  }
}

bool WorkerCore::Settled() const {
  for (const auto& [id, runner] : runners_) {
    if (!ended_.count(id)) return false;  // its end is not in the outbox yet
  }
  for (const std::string& id : outbox_.Attempts()) {
    if (!outbox_.Empty(id)) return false;
  }
  return true;
}

void WorkerCore::BeginStop() {
  output_gate_.SetDraining(false);  // no attempt thread may wait for acknowledgements now
  stopping_ = true;
  if (session_ != nullptr) session_->Close();
  // Out of the loop's sight: JoinAttempts joins them on another thread while the loop
  // still takes in their last events (which need no runner; stopping_ starts nothing).
  std::lock_guard<std::mutex> lock(stopped_runners_mutex_);
  for (auto& [id, runner] : runners_) {
    runner->Cancel();
    stopped_runners_.push_back(std::move(runner));
  }
  runners_.clear();
  queued_.clear();
}

void WorkerCore::JoinAttempts() {
  output_gate_.SetDraining(false);
  std::vector<std::unique_ptr<AttemptRunner>> stopped;
  {
    std::lock_guard<std::mutex> lock(stopped_runners_mutex_);
    stopped.swap(stopped_runners_);
  }
  stopped.clear();  // each joins its thread
}

WorkerSnapshot WorkerCore::Snapshot() const {
  WorkerSnapshot snapshot;
  snapshot.connected = session_ != nullptr && welcomed_;
  snapshot.attempts_running = runners_.size();
  snapshot.outbox_memory_bytes = outbox_.memory_bytes();
  snapshot.outbox_spilled_events = outbox_.spilled_events();
  snapshot.in_flight_bytes = window_.in_flight_bytes();
  return snapshot;
}

void WorkerCore::CheckIdle() {
  idle_timer_ = 0;
  if (stopping_ || !leaving_.empty() || config_.idle_exit.count() <= 0) return;
  common::SteadyTime now = clock_.Now();
  if (!runners_.empty() || !queued_.empty()) {
    idle_since_.reset();
  } else if (!idle_since_) {
    idle_since_ = now;
  } else if (now - *idle_since_ >= config_.idle_exit) {
    if (on_idle_) {
      auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *idle_since_).count();
      on_idle_("idle for " + std::to_string(seconds) + " s (--idle-exit)");
    }
    return;
  }
  // Checked a tenth as often as the idle time allowed (from 0.1 s to 5 s): the worker leaves
  // at most that much later than it could.
  common::Nanos period = std::clamp<common::Nanos>(config_.idle_exit / 10, std::chrono::milliseconds(100),
                                                   std::chrono::seconds(5));
  idle_timer_ = clock_.RunAfter(period, [this] { CheckIdle(); });
}

void WorkerCore::Connect() {
  if (config_.idle_exit.count() > 0 && idle_timer_ == 0 && !idle_since_) CheckIdle();
  if (stopping_ || session_ != nullptr) return;
  v1::WorkerMessage message;
  v1::Hello& hello = *message.mutable_hello();
  hello.set_worker_id(config_.worker_id);
  hello.set_hostname(hostname_);
  hello.set_version("wsfleet");
  hello.set_metrics_url(metrics_url_);
  hello.set_token(config_.join_token);
  hello.set_log_token(config_.log_token);
  hello.mutable_resources()->set_slots(config_.slots);
  for (const v1::GpuDevice& gpu : config_.gpus) *hello.mutable_resources()->add_gpus() = gpu;
  hello.set_gpu_note(config_.gpu_note);
  for (const auto& [key, value] : config_.labels) (*hello.mutable_resources()->mutable_labels())[key] = value;
  // Everything still running, or with events the coordinator has not acknowledged.
  std::set<std::string> attempts;
  for (const auto& [id, runner] : runners_) attempts.insert(id);
  for (const std::string& id : outbox_.Attempts()) {
    if (!outbox_.Empty(id)) attempts.insert(id);
  }
  for (const std::string& id : attempts) {
    v1::RunningAttempt& running = *hello.add_attempts();
    running.set_attempt_id(id);
    auto found = runners_.find(id);
    if (found != runners_.end()) {
      running.set_workstream_id(found->second->spec().workstream_id());
      running.set_finished(found->second->finished());
      running.set_queued(!found->second->started() && !found->second->finished());
    }
  }
  welcomed_ = false;
  hello_sent_ = clock_.Now();
  session_ = link_.Open(
      message,
      [this](v1::CoordinatorMessage incoming) {
        loop_.Post([this, incoming = std::move(incoming)] { OnMessage(incoming); });
      },
      [this](grpc::Status status) { loop_.Post([this, status] { OnSessionEnded(status); }); });
}

void WorkerCore::OnSessionEnded(const grpc::Status& status) {
  session_ = nullptr;
  welcomed_ = false;
  output_gate_.SetDraining(false);  // spill rather than hold steps up while away
  window_.Restart();
  if (heartbeat_timer_ != 0) clock_.CancelTimer(heartbeat_timer_);
  heartbeat_timer_ = 0;
  if (stopping_) return;
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    on_refused_(absl::UnauthenticatedError("the coordinator refused this worker: " + status.error_message()));
    return;
  }
  metrics_.SessionEnded();
  spdlog::warn("session ended ({}); reconnecting", status.error_message());
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  common::Nanos delay(static_cast<int64_t>(static_cast<double>(reconnect_delay_.count()) * jitter(random_)));
  // Back well within the lease after a coordinator restart, or its attempts are lost.
  common::Nanos cap = std::min<common::Nanos>(std::chrono::seconds(5), lease_ / 4);
  reconnect_delay_ = std::min<common::Nanos>(reconnect_delay_ * 2, std::max<common::Nanos>(cap, std::chrono::milliseconds(200)));
  reconnect_timer_ = clock_.RunAfter(delay, [this] {
    reconnect_timer_ = 0;
    Connect();
  });
}

void WorkerCore::OnMessage(const v1::CoordinatorMessage& message) {
  if (session_ == nullptr || stopping_) return;
  switch (message.kind_case()) {
    case v1::CoordinatorMessage::kWelcome:
      OnWelcome(message.welcome());
      break;
    case v1::CoordinatorMessage::kAssign:
      OnAssign(message.assign().attempt());
      break;
    case v1::CoordinatorMessage::kCancel:
      CancelAttempt(message.cancel().attempt_id(), message.cancel().reason());
      break;
    case v1::CoordinatorMessage::kRevoke: {
      const std::string& id = message.revoke().attempt_id();
      if (Unqueue(id)) {
        runners_.at(id)->EndUnstarted(v1::ATTEMPT_OUTCOME_REVOKED,
                                      "revoked before it started: another worker was free");
      }
      break;
    }
    case v1::CoordinatorMessage::kAck:
      outbox_.Ack(message.ack().attempt_id(), message.ack().seq());
      output_gate_.SetHeld(outbox_.memory_bytes());
      metrics_.EventsAcked(window_.Acked(message.ack().attempt_id(), message.ack().seq()));
      if (ended_.count(message.ack().attempt_id()) && outbox_.Empty(message.ack().attempt_id()) &&
          unacked_failures_.erase(message.ack().attempt_id())) {
        StartQueued();
      }
      ReapFinished();
      FlushEvents();  // due again when the ack made room in a full window
      break;
    case v1::CoordinatorMessage::kReject: {
      const std::string& id = message.reject().attempt_id();
      if (Unqueue(id)) runners_.erase(id);  // never started: nothing to stop or report
      if (unacked_failures_.erase(id)) StartQueued();  // its end will never be stored
      auto found = runners_.find(id);
      if (found != runners_.end()) found->second->Cancel();
      outbox_.Drop(id);
      window_.Forget(id);
      ReapFinished();
      break;
    }
    case v1::CoordinatorMessage::kRendezvous: {
      auto found = runners_.find(message.rendezvous().attempt_id());
      if (found != runners_.end()) {
        found->second->OfferRendezvous(message.rendezvous().key(), message.rendezvous().value());
      }
      break;
    }
    case v1::CoordinatorMessage::kMergeTurn: {
      auto found = runners_.find(message.merge_turn().attempt_id());
      if (found != runners_.end()) found->second->GrantMergeTurn(message.merge_turn().summary());
      break;
    }
    case v1::CoordinatorMessage::kBatch:
      for (const v1::CoordinatorMessage& inner : message.batch().messages()) OnMessage(inner);
      break;
    case v1::CoordinatorMessage::kLease:
      if (message.lease().heartbeat_sent_ms() > 0) {
        RenewLease(common::SteadyTime(std::chrono::milliseconds(message.lease().heartbeat_sent_ms())) +
                   std::chrono::milliseconds(message.lease().lease_ms()));
      }
      break;
    case v1::CoordinatorMessage::kRejoin:
      spdlog::warn("the coordinator says: {}; rejoining", message.rejoin().reason());
      session_->Close();  // its end reconnects; the Hello takes this worker back
      break;
    case v1::CoordinatorMessage::kDrain:
      spdlog::info("draining: no new work; running attempts finish");
      break;
    default:
      break;
  }
}

void WorkerCore::OnWelcome(const v1::Welcome& welcome) {
  welcomed_ = true;
  if (welcome.lease_ms() > 0) {
    lease_ = std::chrono::milliseconds(welcome.lease_ms());
    RenewLease(hello_sent_ + lease_);  // the coordinator counts its lease from the Hello on
  }
  output_gate_.SetDraining(true);
  reconnect_delay_ = std::chrono::milliseconds(200);
  if (welcome.heartbeat_interval_ms() > 0) {
    heartbeat_interval_ = std::chrono::milliseconds(welcome.heartbeat_interval_ms());
  }
  for (const std::string& id : welcome.cancelled_attempt_ids()) {
    spdlog::info("attempt {} ran elsewhere while this worker was away: stopped, its events dropped", id);
    if (Unqueue(id)) runners_.erase(id);
    unacked_failures_.erase(id);  // dropped below: its end will never be stored
    auto found = runners_.find(id);
    if (found != runners_.end()) found->second->Cancel();
    outbox_.Drop(id);
  }
  SendLeaving();  // a Hello undid it
  // Resend what the coordinator may not have stored; it drops what it already has.
  window_.Restart();
  FlushEvents();
  ReapFinished();
  StartQueued();
  Heartbeat();
}

void WorkerCore::Heartbeat() {
  if (session_ == nullptr || !welcomed_) return;
  v1::WorkerMessage message;
  message.mutable_heartbeat()->set_running_attempts(static_cast<uint32_t>(runners_.size()));
  message.mutable_heartbeat()->set_sent_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count());
  session_->Send(message);

  metrics_.HeartbeatSent();
  heartbeat_timer_ = clock_.RunAfter(heartbeat_interval_, [this] { Heartbeat(); });
}

void WorkerCore::RenewLease(common::SteadyTime deadline) {
  if (deadline <= lease_deadline_) return;  // an older heartbeat's answer
  lease_deadline_ = deadline;
  common::Nanos left = deadline - clock_.Now();
  if (StepFence* fence = config_.runner.fence) {
    // Relative: this core's clock may be a test's.
    fence->RenewFor(std::chrono::duration_cast<std::chrono::milliseconds>(left));
  }
  if (lease_lapsed_) {
    lease_lapsed_ = false;
    spdlog::info("lease renewed: taking work again");
    StartQueued();
  }
  if (lease_timer_ != 0) clock_.CancelTimer(lease_timer_);
  lease_timer_ = clock_.RunAfter(std::max<common::Nanos>(left, common::Nanos(0)), [this] {
    lease_timer_ = 0;
    CheckLease();
  });
}

void WorkerCore::CheckLease() {
  if (lease_lapsed_ || stopping_ || clock_.Now() < lease_deadline_) return;
  lease_lapsed_ = true;
  std::string reason = "fenced: this worker's lease lapsed (no renewal from the coordinator for " +
                       std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(lease_).count()) +
                       " ms: the worker was frozen or cut off)";
  size_t stopped = 0;
  for (auto& [id, runner] : runners_) {
    if (!runner->started() || runner->finished()) continue;
    runner->HandBack(reason);
    ++stopped;
  }
  metrics_.LeaseLapsed(stopped);
  spdlog::warn("{}: stopped {} running attempt(s), which the coordinator runs again elsewhere; starting nothing "
               "until the lease is renewed",
               reason, stopped);
}

void WorkerCore::OnAssign(const v1::AttemptSpec& assigned) {
  if (runners_.count(assigned.attempt_id())) return;
  std::string id = assigned.attempt_id();
  v1::AttemptSpec spec = assigned;
  if (config_.log_token.empty()) {
    // Only `wsfleet run`'s own workers write into the coordinator's state directory.
    spec.clear_log_path();
    spec.clear_transcript_path();
  }
  auto runner = std::make_unique<AttemptRunner>(
      std::move(spec), config_.runner, [this, id](v1::Event event) {
        if (event.has_log()) output_gate_.Acquire(event.log().data().size());  // what memory holds
        loop_.Post([this, id, event = std::move(event)]() mutable { OnEmitted(id, std::move(event)); });
      });
  bool slot_free = Running() < config_.slots;
  if (!leaving_.empty()) {
    // Sent before the coordinator heard that this worker is leaving.
    runner->EndUnstarted(v1::ATTEMPT_OUTCOME_REVOKED, "handed back before it started: " + leaving_);
  } else if (slot_free) {
    runner->Start();
  } else {
    queued_.push_back(id);
  }
  runners_.emplace(id, std::move(runner));
}

size_t WorkerCore::Running() const {
  return static_cast<size_t>(std::count_if(runners_.begin(), runners_.end(), [this](const auto& entry) {
    return entry.second->started() && !ended_.count(entry.first);
  }));
}

void WorkerCore::StartQueued() {
  while (!stopping_ && !lease_lapsed_ && !queued_.empty() && unacked_failures_.empty() && Running() < config_.slots) {
    std::string id = std::move(queued_.front());
    queued_.pop_front();
    runners_.at(id)->Start();
  }
}

bool WorkerCore::Unqueue(const std::string& attempt_id) {
  auto found = std::find(queued_.begin(), queued_.end(), attempt_id);
  if (found == queued_.end()) return false;
  queued_.erase(found);
  return true;
}

void WorkerCore::CancelAttempt(const std::string& attempt_id, const std::string& reason) {
  if (Unqueue(attempt_id)) {
    runners_.at(attempt_id)->EndUnstarted(v1::ATTEMPT_OUTCOME_CANCELLED,
                                          "cancelled before it started: " + reason);
    return;
  }
  auto found = runners_.find(attempt_id);
  if (found != runners_.end()) found->second->Cancel();
}

void WorkerCore::OnEmitted(const std::string& attempt_id, v1::Event event) {
  metrics_.EventEmitted(event);
  if (event.has_log()) output_gate_.Arrived(event.log().data().size());  // what memory holds
  bool ended = event.has_finished();
  window_.Emitted(event);
  if (ended) ended_.insert(attempt_id);
  if (ended && event.finished().outcome() != v1::ATTEMPT_OUTCOME_SUCCEEDED &&
      event.finished().outcome() != v1::ATTEMPT_OUTCOME_REVOKED) {
    unacked_failures_.insert(attempt_id);
  }
  outbox_.Add(attempt_id, std::move(event));  // sent by FlushEvents, now or once the hold passes
  if (ended) StartQueued();
}

void WorkerCore::FlushEvents() {
  output_gate_.SetHeld(outbox_.memory_bytes());
  if (session_ == nullptr || !welcomed_) return;  // the outbox keeps them for the next session
  if (!window_.TakeDue()) return;
  for (const std::string& attempt : outbox_.Attempts()) {
    while (window_.has_room()) {
      v1::WorkerMessage message;
      uint64_t sent = window_.SentUpTo(attempt);
      uint64_t last = outbox_.CopyAfter(attempt, sent, kMaxMessageBytes,
                                        message.mutable_events()->mutable_events());
      if (last == sent) break;
      for (const v1::Event& event : message.events().events()) window_.Sent(attempt, event);
      metrics_.EventsSent(static_cast<size_t>(message.events().events_size()));
      session_->Send(std::move(message));
    }
  }
  window_.FlushEnded();  // the rest goes as acks make room
}

void WorkerCore::ReapFinished() {
  for (auto it = runners_.begin(); it != runners_.end();) {
    // Everything it reported, its end included, is stored: its queue goes too, so that
    // sending stays proportional to the attempts running, not to every attempt ever run.
    // (Its end may still be on its way to the loop after its thread finished; reaped
    // before that, the end would get sequence number 1 again and be dropped.)
    if (it->second->finished() && ended_.count(it->first) != 0 && outbox_.Empty(it->first)) {
      ended_.erase(it->first);
      outbox_.Drop(it->first);
      window_.Forget(it->first);
      it = runners_.erase(it);  // joins its (finished) thread
    } else {
      ++it;
    }
  }
}

}  // namespace wsfleet::worker
