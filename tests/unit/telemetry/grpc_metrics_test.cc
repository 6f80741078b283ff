#include "telemetry/grpc_metrics.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/generic/async_generic_service.h>
#include <gtest/gtest.h>

#include "tests/support/metric_reader.h"

namespace wsfleet::telemetry {
namespace {

using testing::MetricValue;

TEST(GrpcMetricsTest, SplitsFullMethodNames) {
  EXPECT_EQ(SplitGrpcMethod("/wsfleet.v1.ControlService/Submit"),
            std::make_pair(std::string("wsfleet.v1.ControlService"), std::string("Submit")));
  EXPECT_EQ(SplitGrpcMethod("odd"), std::make_pair(std::string("unknown"), std::string("odd")));
  EXPECT_EQ(SplitGrpcMethod(""), std::make_pair(std::string("unknown"), std::string("unknown")));
}

// Answers /test.Echo/Ok with OK and every other method with NOT_FOUND.
class EchoService : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* context) override {
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(bool ok) {
        Finish(ok ? grpc::Status::OK : grpc::Status(grpc::StatusCode::NOT_FOUND, "no such method"));
      }
      void OnDone() override { delete this; }
    };
    return new Reactor(context->method() == "/test.Echo/Ok");
  }
};

// A real server and client on loopback, both intercepted: each side counts the calls, their
// status codes and their latency.
TEST(GrpcMetricsTest, CountsCallsOnBothSidesWithTheirStatus) {
  prometheus::Registry server_registry;
  prometheus::Registry client_registry;
  GrpcMetrics server_metrics(server_registry);
  GrpcMetrics client_metrics(client_registry);
  EchoService echo;
  grpc::ServerBuilder builder;
  builder.RegisterCallbackGenericService(&echo);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.experimental().SetInterceptorCreators(server_metrics.ServerInterceptors());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto channel = grpc::experimental::CreateCustomChannelWithInterceptors(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(),
      grpc::ChannelArguments(), client_metrics.ClientInterceptors());
  grpc::GenericStub stub(channel);

  auto call = [&](const std::string& method) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Slice slice(std::string("ping"));
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    grpc::Status result;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request,
                   &response, [&](grpc::Status status) {
                     std::lock_guard<std::mutex> lock(mutex);
                     result = status;
                     done = true;
                     done_cv.notify_all();
                   });
    std::unique_lock<std::mutex> lock(mutex);
    done_cv.wait(lock, [&] { return done; });
    return result.error_code();
  };
  EXPECT_EQ(call("/test.Echo/Ok"), grpc::StatusCode::OK);
  EXPECT_EQ(call("/test.Echo/Missing"), grpc::StatusCode::NOT_FOUND);

  std::map<std::string, std::string> ok = {{"grpc_service", "test.Echo"}, {"grpc_method", "Ok"}};
  std::map<std::string, std::string> missing = {{"grpc_service", "test.Echo"},
                                                {"grpc_method", "Missing"}};
  auto with_code = [&](std::map<std::string, std::string> labels, const char* code) {
    labels["grpc_code"] = code;
    return labels;
  };
  // The server records its status just before sending it; give it a moment to land.
  for (int i = 0; i < 100 && MetricValue(server_registry, "wsfleet_grpc_server_handled_total",
                                         with_code(missing, "NOT_FOUND")) != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto* registry : {&server_registry, &client_registry}) {
    std::string side = registry == &server_registry ? "server" : "client";
    for (const auto& [method, code] : {std::make_pair(ok, "OK"), std::make_pair(missing, "NOT_FOUND")}) {
      EXPECT_EQ(MetricValue(*registry, "wsfleet_grpc_" + side + "_started_total", method), 1) << side;
      EXPECT_EQ(MetricValue(*registry, "wsfleet_grpc_" + side + "_handled_total", with_code(method, code)), 1)
          << side << " " << code;
      EXPECT_EQ(MetricValue(*registry, "wsfleet_grpc_" + side + "_handling_seconds", method), 1) << side;
    }
  }
  server->Shutdown();
}

}  // namespace
}  // namespace wsfleet::telemetry
