#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/event_loop.h"
#include "coordinator/access_policy.h"
#include "coordinator/lease_cell.h"
#include "wsfleet/v1/worker.grpc.pb.h"

namespace wsfleet::coordinator {

class Scheduler;
class SessionRegistry;
class WorkerSessionReactor;

// The sending side of one worker session, shared by its reactor and the loop; outlives
// the reactor safely (sends after the stream ended are dropped). Thread-safe.
class SessionHandle {
 public:
  // Queued; written by Flush(), all that is queued in one write (a CoordinatorBatch).
  void Send(const v1::CoordinatorMessage& message);
  void Flush();
  void Close(const grpc::Status& status);  // ends the stream (a newer session replaced it)
  // The loop took the last event batch: the reactor may read the next one.
  void ResumeReading();
  void CloseIfNoHello();  // the Hello deadline passed
  // The worker's lease, once its Hello is taken: heartbeats are then answered on the
  // session's own thread (see LeaseCell).
  void SetLease(std::shared_ptr<LeaseCell> lease);

 private:
  friend class WorkerSessionReactor;
  friend class SessionRegistry;
  bool flush_pending_ = false;  // in SessionRegistry::sent_to_ (loop thread only)
  std::mutex mutex_;
  WorkerSessionReactor* reactor_ = nullptr;  // null once the stream is done
};

// One reactor per worker stream: reads Hello, heartbeats and events and posts them to the
// loop; writes what the scheduler sends, one write in flight. A read is pending except
// while an event batch it read waits for the loop (backpressure on a fast sender).
class WorkerSessionReactor
    : public grpc::ServerBidiReactor<v1::WorkerMessage, v1::CoordinatorMessage> {
 public:
  // `caller`: who opened the stream (see AccessPolicy); a worker certificate speaks only
  // for its own worker ID. `join_token`: what a Hello over a --insecure listener must
  // carry (empty: anything); outlives the reactor.
  WorkerSessionReactor(grpc::CallbackServerContext* context, common::EventLoop& loop, Scheduler& scheduler,
                       SessionRegistry& registry, AccessPolicy& access, Caller caller,
                       const std::string& join_token, std::atomic<size_t>& open_sessions);

  // Sessions open at once, those not past their Hello included; one more is refused. A
  // worker ID has one (a newer one replaces it).
  static constexpr size_t kMaxSessions = 10000;
  // A stream's first message, its Hello, must come within this.
  static constexpr std::chrono::seconds kHelloDeadline{10};

  // What may wait to be sent to one worker; past it the session is closed (the worker
  // stopped reading). An assignment and its acks are kilobytes.
  static constexpr size_t kMaxQueuedBytes = size_t{16} << 20;

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  friend class SessionHandle;
  void Enqueue(const v1::CoordinatorMessage& message);
  void Flush();
  void RequestFinish(const grpc::Status& status);
  void ResumeReading();
  void CloseIfNoHello();
  void StartNextWriteLocked();
  void OnHeartbeat(const v1::Heartbeat& heartbeat);

  grpc::CallbackServerContext* const context_;
  common::EventLoop& loop_;
  Scheduler& scheduler_;
  SessionRegistry& registry_;
  AccessPolicy& access_;
  const Caller caller_;
  const std::string& join_token_;
  std::atomic<size_t>& open_sessions_;
  // Why this Hello may not open a session; empty when it may.
  std::pair<grpc::StatusCode, std::string> Refusal(const v1::Hello& hello) const;
  std::shared_ptr<SessionHandle> handle_ = std::make_shared<SessionHandle>();
  std::string worker_id_;  // set by Hello; reads are serialized, so no lock
  std::atomic<bool> hello_seen_{false};  // read by the Hello deadline on the loop
  v1::WorkerMessage incoming_;

  std::mutex mutex_;
  std::deque<v1::CoordinatorMessage> outgoing_;
  size_t outgoing_bytes_ = 0;
  v1::CoordinatorMessage writing_message_;
  bool writing_ = false;
  bool finish_requested_ = false;
  bool finished_ = false;
  grpc::Status finish_status_;
  std::shared_ptr<LeaseCell> lease_;  // none until the loop took the Hello
};

// Worker ID -> its current session. Loop thread only.
class SessionRegistry {
 public:
  void Bind(const std::string& worker_id, std::shared_ptr<SessionHandle> handle);
  // Forgets the binding if it is still `handle`; returns whether it was.
  bool Unbind(const std::string& worker_id, const SessionHandle* handle);
  SessionHandle* Find(const std::string& worker_id) const;
  // Queues `message` on the worker's session, if it has one, for FlushAll to write.
  void Send(const std::string& worker_id, const v1::CoordinatorMessage& message);
  // Starts writing what was queued since the last call (at the end of each turn of the
  // loop), on the sessions sent to only: its work grows with them, not with the fleet (it
  // walked every session, two locks each: a third of the coordinator's time at 5,000
  // workers heartbeating).
  void FlushAll();

 private:
  std::map<std::string, std::shared_ptr<SessionHandle>> sessions_;
  std::vector<std::shared_ptr<SessionHandle>> sent_to_;  // since the last FlushAll, once each
};

// The WorkerService: a new reactor per stream.
class WorkerServiceImpl : public v1::WorkerService::CallbackService {
 public:
  // A session needs a worker certificate for the Hello's worker ID, or the local socket.
  // On a --insecure listener, a Hello that does not carry `join_token` is refused
  // (UNAUTHENTICATED); an empty token there lets any worker join.
  WorkerServiceImpl(common::EventLoop& loop, Scheduler& scheduler, SessionRegistry& registry,
                    AccessPolicy& access, std::string join_token = "")
      : loop_(loop), scheduler_(scheduler), registry_(registry), access_(access),
        join_token_(std::move(join_token)) {}

  grpc::ServerBidiReactor<v1::WorkerMessage, v1::CoordinatorMessage>* Session(
      grpc::CallbackServerContext* context) override;

 private:
  common::EventLoop& loop_;
  Scheduler& scheduler_;
  SessionRegistry& registry_;
  AccessPolicy& access_;
  std::string join_token_;
  std::atomic<size_t> open_sessions_{0};
};

// Compares in time that depends only on the lengths, so a token cannot be guessed a byte
// at a time from response times.
bool TokensEqual(const std::string& given, const std::string& expected);

}  // namespace wsfleet::coordinator
