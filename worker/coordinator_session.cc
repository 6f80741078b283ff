#include "worker/coordinator_session.h"

#include <spdlog/spdlog.h>

namespace wsfleet::worker {

LiveSessions::Hold::Hold(std::shared_ptr<LiveSessions> live) : live_(std::move(live)) {
  std::lock_guard<std::mutex> lock(live_->mutex_);
  ++live_->count_;
}

LiveSessions::Hold::~Hold() {
  std::lock_guard<std::mutex> lock(live_->mutex_);
  if (--live_->count_ == 0) live_->none_.notify_all();
}

bool LiveSessions::WaitUntilNone(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return none_.wait_until(lock, deadline, [this] { return count_ == 0; });
}

CoordinatorSession::CoordinatorSession(std::shared_ptr<LiveSessions> live, OnMessage on_message, OnEnd on_end)
    : hold_(std::move(live)), on_message_(std::move(on_message)), on_end_(std::move(on_end)) {}

std::shared_ptr<CoordinatorSession> CoordinatorSession::Open(v1::WorkerService::Stub& stub,
                                                             std::shared_ptr<LiveSessions> live,
                                                             const v1::WorkerMessage& hello,
                                                             OnMessage on_message, OnEnd on_end) {
  std::shared_ptr<CoordinatorSession> session(
      new CoordinatorSession(std::move(live), std::move(on_message), std::move(on_end)));
  session->self_ = session;
  stub.async()->Session(&session->context_, session.get());
  session->AddHold();
  session->StartRead(&session->incoming_);
  session->Send(hello);
  session->StartCall();
  return session;
}

void CoordinatorSession::Send(v1::WorkerMessage message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (broken_) return;
  outgoing_.push_back(std::move(message));
  if (!writing_) StartNextWriteLocked();
}

void CoordinatorSession::StartNextWriteLocked() {
  if (outgoing_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  writing_message_ = std::move(outgoing_.front());
  outgoing_.pop_front();
  StartWrite(&writing_message_);
}

bool CoordinatorSession::TakeHoldLocked() {
  if (!holding_ || !broken_ || writing_) return false;
  holding_ = false;
  return true;
}

void CoordinatorSession::OnWriteDone(bool ok) {
  bool release = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ok) broken_ = true;
    if (broken_) {
      writing_ = false;
      outgoing_.clear();
      release = TakeHoldLocked();
    } else {
      StartNextWriteLocked();
    }
  }
  if (release) RemoveHold();
}

void CoordinatorSession::OnReadDone(bool ok) {
  if (!ok) {
    // The call is over (OnDone follows with the status, once the hold is let go): nothing
    // more is written; a write in flight lets go of the hold when it completes.
    bool release = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      broken_ = true;
      outgoing_.clear();
      release = TakeHoldLocked();
    }
    if (release) RemoveHold();
    return;
  }
  on_message_(std::move(incoming_));
  incoming_.Clear();
  StartRead(&incoming_);
}

void CoordinatorSession::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (done_) return;
  }
  // Outside the lock: a cancellation may complete the call on this thread. The context
  // outlives the call (this object does), so a cancel racing OnDone is harmless.
  context_.TryCancel();
}

void CoordinatorSession::OnDone(const grpc::Status& status) {
  std::shared_ptr<CoordinatorSession> self;
  OnEnd on_end;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    broken_ = true;
    outgoing_.clear();
    self = std::move(self_);
    on_end = std::move(on_end_);
  }
  on_end(status);
  // `self` goes here: the session is deleted now unless its owner still holds it.
}

std::shared_ptr<CoordinatorLink::Session> GrpcCoordinatorLink::Open(const v1::WorkerMessage& hello, OnMessage on_message,
                                                    OnEnd on_end) {
  v1::WorkerService::Stub* stub = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stub = channels_.back().second.get();
  }
  return CoordinatorSession::Open(*stub, live_, hello, std::move(on_message), std::move(on_end));
}

GrpcCoordinatorLink::~GrpcCoordinatorLink() {
  if (!live_->WaitUntilNone(std::chrono::steady_clock::now() + std::chrono::seconds(10))) {
    spdlog::warn("a session to the coordinator outlived the worker's wait for it (10 s)");
  }
}

void GrpcCoordinatorLink::UseChannel(std::shared_ptr<grpc::Channel> channel) {
  auto stub = v1::WorkerService::NewStub(channel);
  std::lock_guard<std::mutex> lock(mutex_);
  channels_.emplace_back(std::move(channel), std::move(stub));
}

}  // namespace wsfleet::worker
