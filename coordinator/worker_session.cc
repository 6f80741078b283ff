#include "coordinator/worker_session.h"

#include "coordinator/input_check.h"


#include "coordinator/scheduler.h"

namespace wsfleet::coordinator {

void SessionHandle::Send(const v1::CoordinatorMessage& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reactor_ != nullptr) reactor_->Enqueue(message);
}

void SessionHandle::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reactor_ != nullptr) reactor_->Flush();
}

void SessionHandle::ResumeReading() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reactor_ != nullptr) reactor_->ResumeReading();
}

void SessionHandle::SetLease(std::shared_ptr<LeaseCell> lease) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reactor_ == nullptr) return;
  std::lock_guard<std::mutex> reactor_lock(reactor_->mutex_);
  reactor_->lease_ = std::move(lease);
}

void SessionHandle::CloseIfNoHello() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reactor_ != nullptr) reactor_->CloseIfNoHello();
}

void SessionHandle::Close(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reactor_ != nullptr) reactor_->RequestFinish(status);
}

bool TokensEqual(const std::string& given, const std::string& expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    difference |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  }
  return difference == 0;
}

WorkerSessionReactor::WorkerSessionReactor(grpc::CallbackServerContext* context, common::EventLoop& loop,
                                           Scheduler& scheduler, SessionRegistry& registry, AccessPolicy& access,
                                           Caller caller, const std::string& join_token,
                                           std::atomic<size_t>& open_sessions)
    : context_(context), loop_(loop), scheduler_(scheduler), registry_(registry), access_(access),
      caller_(std::move(caller)), join_token_(join_token), open_sessions_(open_sessions) {
  handle_->reactor_ = this;
  if (open_sessions_.fetch_add(1) >= kMaxSessions) {
    finished_ = true;
    Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "the coordinator has " + std::to_string(kMaxSessions) + " sessions open; no more"));
    return;
  }
  // A stream that never says who it is would hold a session slot for as long as its peer
  // keeps the connection.
  loop_.Post([&loop = loop_, handle = handle_] {
    loop.RunAfter(kHelloDeadline, [handle] { handle->CloseIfNoHello(); });
  });
  StartRead(&incoming_);
}

void WorkerSessionReactor::CloseIfNoHello() {
  if (hello_seen_) return;
  // Finished with the read still pending: the status reaches the peer, and the read ends.
  RequestFinish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "no Hello within the deadline"));
}

void WorkerSessionReactor::OnReadDone(bool ok) {
  if (!ok) {
    RequestFinish(grpc::Status::OK);
    return;
  }
  if (worker_id_.empty()) {
    if (!incoming_.has_hello() || incoming_.hello().worker_id().empty()) {
      RequestFinish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "the first message of a session must be a Hello with a worker_id"));
      return;
    }
    // Before anything of it is kept, logged or compared: a Hello past the limits is not
    // a worker's.
    if (absl::Status valid = CheckHello(incoming_.hello()); !valid.ok()) {
      loop_.Post([&scheduler = scheduler_, why = std::string(valid.message())] { scheduler.OnInvalidHello(why); });
      RequestFinish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Hello refused: " + std::string(valid.message())));
      return;
    }
    if (auto [code, why] = Refusal(incoming_.hello()); !why.empty()) {
      access_.Record(caller_, "Session", incoming_.hello().worker_id(), false, why);
      loop_.Post([&scheduler = scheduler_, id = incoming_.hello().worker_id(), why] {
        scheduler.OnWorkerRefused(id, why);
      });
      RequestFinish(grpc::Status(code, why));
      return;
    }
    access_.Record(caller_, "Session", incoming_.hello().worker_id(), true, "");
    // Only a worker on the local socket shares this machine's files; a log token from
    // anywhere else is not believed, whoever learnt it.
    if (caller_.via != "unix socket") incoming_.mutable_hello()->clear_log_token();
    worker_id_ = incoming_.hello().worker_id();
    hello_seen_ = true;
    loop_.Post([this_handle = handle_, hello = incoming_.hello(), &registry = registry_,
                &scheduler = scheduler_] {
      registry.Bind(hello.worker_id(), this_handle);
      scheduler.OnWorkerHello(hello);
      this_handle->SetLease(scheduler.LeaseOf(hello.worker_id()));
    });
  } else if (incoming_.has_leaving()) {
    if (absl::Status valid = CheckLeaving(incoming_.leaving()); !valid.ok()) {
      RequestFinish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(valid.message())));
      return;
    }
    loop_.Post([id = worker_id_, reason = incoming_.leaving().reason(), &scheduler = scheduler_] {
      scheduler.OnWorkerLeaving(id, reason);
    });
  } else if (incoming_.has_heartbeat()) {
    OnHeartbeat(incoming_.heartbeat());
  } else if (incoming_.has_events()) {
    // Moved all the way: a batch can carry megabytes of output. The next read starts once
    // the loop has taken this one: a worker that sends faster than the coordinator stores
    // waits in gRPC's flow control, not in an ever longer queue of the loop's.
    // `incoming_` is emptied before the post: once the loop has the batch it may start the
    // next read into it, on another thread.
    v1::EventBatch batch = std::move(*incoming_.mutable_events());
    incoming_.Clear();
    loop_.Post([handle = handle_, id = worker_id_, batch = std::move(batch), &scheduler = scheduler_]() mutable {
      scheduler.OnEvents(id, std::move(batch));
      handle->ResumeReading();
    });
    return;
  }
  incoming_.Clear();
  StartRead(&incoming_);
}

// Answered here while the lease holds: the loop need not wake for it. A heartbeat that
// finds the lease expired goes to the loop, which tells a lost worker to say Hello again.
// One that comes before the loop has taken the session's Hello is dropped: the lease the
// Hello gets covers it (joins in a crowd wait behind the loop's turns; their heartbeats
// need not add to them).
void WorkerSessionReactor::OnHeartbeat(const v1::Heartbeat& heartbeat) {
  std::shared_ptr<LeaseCell> lease;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    lease = lease_;
  }
  if (lease == nullptr) return;
  if (!lease->Renew(/*heartbeat=*/true)) {
    loop_.Post([id = worker_id_, heartbeat, &scheduler = scheduler_] { scheduler.OnHeartbeat(id, heartbeat); });
    return;
  }
  if (!lease->TellRenewal()) return;
  v1::CoordinatorMessage reply;
  // The worker's steps may run a lease from when it sent this; past that, it stops them.
  reply.mutable_lease()->set_heartbeat_sent_ms(heartbeat.sent_ms());
  reply.mutable_lease()->set_lease_ms(std::chrono::duration_cast<std::chrono::milliseconds>(lease->lease()).count());
  Enqueue(reply);
  Flush();
}

void WorkerSessionReactor::ResumeReading() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!finish_requested_ && !finished_) StartRead(&incoming_);
}

std::pair<grpc::StatusCode, std::string> WorkerSessionReactor::Refusal(const v1::Hello& hello) const {
  if (caller_.trusted) {
    if (caller_.via == "insecure" && !join_token_.empty() && !TokensEqual(hello.token(), join_token_)) {
      return {grpc::StatusCode::UNAUTHENTICATED, "the join token does not match the coordinator's"};
    }
    return {grpc::StatusCode::OK, ""};
  }
  if (caller_.role != Role::kWorker) {
    return {caller_.via == "none" ? grpc::StatusCode::UNAUTHENTICATED : grpc::StatusCode::PERMISSION_DENIED,
            caller_.via == "none" ? "a worker needs a worker certificate: join with a token from `wsfleet token create`"
                                  : "certificate '" + caller_.name + "' (role " + RoleName(caller_.role) +
                                        ") is not a worker's"};
  }
  if (hello.worker_id() != caller_.name) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "this certificate is worker '" + caller_.name + "''s; it cannot speak for '" + hello.worker_id() + "'"};
  }
  return {grpc::StatusCode::OK, ""};
}

void WorkerSessionReactor::Enqueue(const v1::CoordinatorMessage& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finish_requested_ || finished_) return;
  outgoing_bytes_ += message.ByteSizeLong();
  if (outgoing_bytes_ > kMaxQueuedBytes) {
    // The worker stopped reading (or cannot keep up by far): what it would be sent next
    // would only pile up here. Its session ends; it may reconnect and be sent it again.
    finish_requested_ = true;
    finish_status_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                  "the session stopped reading what the coordinator sends");
    outgoing_.clear();
    outgoing_bytes_ = 0;
    loop_.Post([&scheduler = scheduler_, id = worker_id_] {
      scheduler.OnWorkerRefused(id, "closed: it stopped reading (over " + std::to_string(kMaxQueuedBytes >> 20) +
                                        " MiB waiting to be sent)");
    });
    if (writing_) {
      context_->TryCancel();  // the write it is stuck on ends, and OnWriteDone finishes
    } else {
      finished_ = true;
      Finish(finish_status_);
    }
    return;
  }
  outgoing_.push_back(message);
}

void WorkerSessionReactor::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!writing_) StartNextWriteLocked();
}

void WorkerSessionReactor::StartNextWriteLocked() {
  if (outgoing_.empty()) {
    writing_ = false;
    if (finish_requested_ && !finished_) {
      finished_ = true;
      Finish(finish_status_);
    }
    return;
  }
  writing_ = true;
  if (outgoing_.size() == 1) {
    writing_message_ = std::move(outgoing_.front());
  } else {
    // Everything queued while the last write was out (or in one turn of the loop) goes
    // in one write: an acknowledgement and the next assignment, say.
    writing_message_.Clear();
    for (v1::CoordinatorMessage& message : outgoing_) {
      *writing_message_.mutable_batch()->add_messages() = std::move(message);
    }
  }
  outgoing_.clear();
  outgoing_bytes_ = 0;
  StartWrite(&writing_message_);
}

void WorkerSessionReactor::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!ok) {
    outgoing_.clear();
    writing_ = false;
    if (!finished_) {
      finished_ = true;
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write to worker failed"));
    }
    return;
  }
  StartNextWriteLocked();
}

void WorkerSessionReactor::RequestFinish(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finish_requested_ || finished_) return;
  finish_requested_ = true;
  finish_status_ = status;
  outgoing_.clear();
  if (!writing_) {
    finished_ = true;
    Finish(status);
  }
}

void WorkerSessionReactor::OnDone() {
  {
    std::lock_guard<std::mutex> lock(handle_->mutex_);
    handle_->reactor_ = nullptr;
  }
  if (!worker_id_.empty()) {
    loop_.Post([id = worker_id_, handle = handle_, &registry = registry_, &scheduler = scheduler_] {
      if (registry.Unbind(id, handle.get())) scheduler.OnWorkerDisconnected(id);
    });
  }
  open_sessions_.fetch_sub(1);
  delete this;
}

void SessionRegistry::Send(const std::string& worker_id, const v1::CoordinatorMessage& message) {
  auto found = sessions_.find(worker_id);
  if (found == sessions_.end()) return;
  const std::shared_ptr<SessionHandle>& handle = found->second;
  handle->Send(message);
  if (!handle->flush_pending_) {
    handle->flush_pending_ = true;
    sent_to_.push_back(handle);
  }
}

void SessionRegistry::FlushAll() {
  for (const std::shared_ptr<SessionHandle>& handle : sent_to_) {
    handle->flush_pending_ = false;
    handle->Flush();
  }
  sent_to_.clear();
}

void SessionRegistry::Bind(const std::string& worker_id, std::shared_ptr<SessionHandle> handle) {
  auto& slot = sessions_[worker_id];
  if (slot && slot != handle) {
    slot->Close(grpc::Status(grpc::StatusCode::ABORTED, "replaced by a newer session"));
  }
  slot = std::move(handle);
}

bool SessionRegistry::Unbind(const std::string& worker_id, const SessionHandle* handle) {
  auto found = sessions_.find(worker_id);
  if (found == sessions_.end() || found->second.get() != handle) return false;
  sessions_.erase(found);
  return true;
}

SessionHandle* SessionRegistry::Find(const std::string& worker_id) const {
  auto found = sessions_.find(worker_id);
  return found == sessions_.end() ? nullptr : found->second.get();
}

grpc::ServerBidiReactor<v1::WorkerMessage, v1::CoordinatorMessage>* WorkerServiceImpl::Session(
    grpc::CallbackServerContext* context) {
  return new WorkerSessionReactor(context, loop_, scheduler_, registry_, access_, access_.Identify(*context),
                                  join_token_, open_sessions_);
}

}  // namespace wsfleet::coordinator
