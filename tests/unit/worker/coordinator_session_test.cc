#include "worker/coordinator_session.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <thread>

#include "worker/coordinator_link.h"

namespace wsfleet::worker {
namespace {

// A coordinator that reads the Hello, then ends every session at once.
class EndingCoordinator : public v1::WorkerService::Service {
 public:
  grpc::Status Session(grpc::ServerContext*,
                       grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::WorkerMessage>* stream) override {
    v1::WorkerMessage hello;
    stream->Read(&hello);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "going away");
  }
};

class CoordinatorSessionTest : public ::testing::Test {
 protected:
  CoordinatorSessionTest() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    link_ = std::make_unique<GrpcCoordinatorLink>(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
  }
  ~CoordinatorSessionTest() override { server_->Shutdown(); }

  EndingCoordinator service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<GrpcCoordinatorLink> link_;
};

// The worker's loop learns of a session's end only when the posted end reaches it; until
// then it may still send (a heartbeat, an event batch) or close. That must find the session
// alive (under ASan, the session deleted in OnDone was a use after free here).
TEST_F(CoordinatorSessionTest, ASessionTheOwnerStillHoldsMayBeUsedAfterItEnded) {
  for (int round = 0; round < 20; ++round) {
    std::promise<grpc::Status> ended;
    v1::WorkerMessage hello;
    hello.mutable_hello()->set_worker_id("w1");
    std::shared_ptr<CoordinatorLink::Session> session =
        link_->Open(hello, [](v1::CoordinatorMessage) {}, [&](grpc::Status status) { ended.set_value(status); });
    // Sends race the end as the loop's would.
    std::thread sender([&] {
      for (int i = 0; i < 200; ++i) {
        v1::WorkerMessage heartbeat;
        heartbeat.mutable_heartbeat();
        session->Send(heartbeat);
      }
    });
    grpc::Status status = ended.get_future().get();
    sender.join();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
    v1::WorkerMessage late;
    late.mutable_heartbeat();
    session->Send(late);  // after the end: nothing happens
    session->Close();
    std::weak_ptr<CoordinatorLink::Session> watch = session;
    session.reset();
    // OnDone lets go of its own reference just after on_end returns: then nothing holds it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!watch.expired() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(watch.expired()) << "the session was never deleted";
  }
}

// The worker goes as soon as its loop has seen the session's end, while gRPC's thread is
// still inside OnDone: the session (its ClientContext) then let go of the channel's last
// reference there, and the channel's destructor joined that very thread (the worker hung at
// exit under ASan, a gRPC thread reporting a use after free). The link now outlives every
// session it opened: its destructor waits until they are gone.
TEST_F(CoordinatorSessionTest, TheLinkOutlivesTheSessionsItOpened) {
  for (int round = 0; round < 5; ++round) {
    auto link = std::make_unique<GrpcCoordinatorLink>(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
    std::promise<void> ended;
    std::weak_ptr<CoordinatorLink::Session> watch;
    {
      v1::WorkerMessage hello;
      hello.mutable_hello()->set_worker_id("w1");
      watch = link->Open(hello, [](v1::CoordinatorMessage) {}, [&](grpc::Status) {
        ended.set_value();
        // The rest of OnDone (letting go of the session) comes later on this thread.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      });
    }
    ended.get_future().wait();
    link.reset();
    EXPECT_TRUE(watch.expired()) << "the link went before a session it opened";
  }
}

// Closed by its owner, a session ends (its on_end is called) and goes with the owner's reference.
TEST_F(CoordinatorSessionTest, ClosingEndsTheSession) {
  class Silent : public v1::WorkerService::Service {
   public:
    grpc::Status Session(grpc::ServerContext* context,
                         grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::WorkerMessage>* stream) override {
      v1::WorkerMessage message;
      while (!context->IsCancelled() && stream->Read(&message)) {
      }
      return grpc::Status::OK;
    }
  } silent;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&silent);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  GrpcCoordinatorLink link(grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  std::promise<grpc::Status> ended;
  v1::WorkerMessage hello;
  hello.mutable_hello()->set_worker_id("w1");
  std::shared_ptr<CoordinatorLink::Session> session =
      link.Open(hello, [](v1::CoordinatorMessage) {}, [&](grpc::Status status) { ended.set_value(status); });
  session->Close();
  std::future<grpc::Status> end = ended.get_future();
  ASSERT_EQ(end.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(end.get().error_code(), grpc::StatusCode::CANCELLED);
  session->Close();  // again, after the end
  session.reset();
  server->Shutdown();
}

}  // namespace
}  // namespace wsfleet::worker
