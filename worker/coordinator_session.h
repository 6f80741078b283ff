#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "worker/coordinator_link.h"
#include "wsfleet/v1/worker.grpc.pb.h"

namespace wsfleet::worker {

// The worker's end of one session stream (client bidi reactor): one read always pending,
// writes queued one at a time. Messages and the end of the stream are handed to callbacks
// (which post them to the worker's loop). It holds itself until OnDone, and its owner
// holds it until it has seen the end: the loop may still Send or Close in between (its
// end is on the way to the loop), and that must not find the session deleted.
class CoordinatorSession
    : public grpc::ClientBidiReactor<v1::WorkerMessage, v1::CoordinatorMessage>,
      public CoordinatorLink::Session {
 public:
  using OnMessage = std::function<void(v1::CoordinatorMessage)>;
  using OnEnd = std::function<void(grpc::Status)>;

  // Starts the call and sends `hello` first.
  static std::shared_ptr<CoordinatorSession> Open(v1::WorkerService::Stub& stub,
                                                  std::shared_ptr<LiveSessions> live,
                                                  const v1::WorkerMessage& hello, OnMessage on_message,
                                                  OnEnd on_end);

  void Send(v1::WorkerMessage message) override;  // any thread; moved in: events carry output
  void Close() override;                          // any thread: cancels the call
  // Both do nothing once the call is done.

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  CoordinatorSession(std::shared_ptr<LiveSessions> live, OnMessage on_message, OnEnd on_end);
  void StartNextWriteLocked();

  LiveSessions::Hold hold_;  // first: released after the context (and its channel) are gone
  grpc::ClientContext context_;
  OnMessage on_message_;
  OnEnd on_end_;
  v1::CoordinatorMessage incoming_;
  std::mutex mutex_;
  std::deque<v1::WorkerMessage> outgoing_;
  v1::WorkerMessage writing_message_;
  bool writing_ = false;
  bool broken_ = false;  // a write failed, or the call is done: nothing more is written
  bool done_ = false;
  // The call's hold (AddHold at the start): OnDone cannot begin while a Send may still
  // start a write, so no write is ever started on a call gRPC is finishing. Let go once
  // nothing more will be written (broken) and no write is in flight.
  bool holding_ = true;
  std::shared_ptr<CoordinatorSession> self_;  // until OnDone
  // Whether the hold is to be let go now (broken, no write in flight); call under mutex_,
  // then RemoveHold() outside it (it may run OnDone on this thread).
  bool TakeHoldLocked();
};

}  // namespace wsfleet::worker
