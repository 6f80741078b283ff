#include "telemetry/grpc_metrics.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"

namespace wsfleet::telemetry {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
      0.5,    1,     2.5,    5,     10,   60,    300,  3600};
  return buckets;
}

GrpcMetrics::Side BuildSide(prometheus::Registry& registry, const std::string& side,
                            const std::string& verb) {
  GrpcMetrics::Side families;
  families.started = &prometheus::BuildCounter()
                          .Name("wsfleet_grpc_" + side + "_started_total")
                          .Help("gRPC calls " + verb + ", by method")
                          .Register(registry);
  families.handled = &prometheus::BuildCounter()
                          .Name("wsfleet_grpc_" + side + "_handled_total")
                          .Help("gRPC calls " + verb + " that completed, by method and status code")
                          .Register(registry);
  families.seconds = &prometheus::BuildHistogram()
                          .Name("wsfleet_grpc_" + side + "_handling_seconds")
                          .Help("Time from start to status of gRPC calls " + verb +
                                " (a stream: how long it lived), by method")
                          .Register(registry);
  return families;
}

// Per call: counts the start, then the status and the time it took.
class CallRecorder {
 public:
  CallRecorder(const GrpcMetrics::Side& side, const char* method)
      : side_(side), start_(std::chrono::steady_clock::now()) {
    auto [service, name] = SplitGrpcMethod(method != nullptr ? method : "");
    service_ = std::move(service);
    method_ = std::move(name);
    side_.started->Add({{"grpc_service", service_}, {"grpc_method", method_}}).Increment();
  }

  void Done(grpc::StatusCode code) {
    if (done_) return;
    done_ = true;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string code_name(absl::StatusCodeToString(static_cast<absl::StatusCode>(code)));
    side_.handled
        ->Add({{"grpc_service", service_}, {"grpc_method", method_}, {"grpc_code", code_name}})
        .Increment();
    side_.seconds->Add({{"grpc_service", service_}, {"grpc_method", method_}}, LatencyBuckets())
        .Observe(seconds);
  }

 private:
  const GrpcMetrics::Side& side_;
  std::chrono::steady_clock::time_point start_;
  std::string service_;
  std::string method_;
  bool done_ = false;
};

class ServerCallInterceptor : public grpc::experimental::Interceptor {
 public:
  ServerCallInterceptor(const GrpcMetrics::Side& side, const char* method)
      : recorder_(side, method) {}
  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      recorder_.Done(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  CallRecorder recorder_;
};

class ClientCallInterceptor : public grpc::experimental::Interceptor {
 public:
  ClientCallInterceptor(const GrpcMetrics::Side& side, const char* method)
      : recorder_(side, method) {}
  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      grpc::Status* status = methods->GetRecvStatus();
      recorder_.Done(status != nullptr ? status->error_code() : grpc::StatusCode::UNKNOWN);
    }
    methods->Proceed();
  }

 private:
  CallRecorder recorder_;
};

class ServerFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ServerFactory(const GrpcMetrics::Side& side) : side_(side) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ServerCallInterceptor(side_, info->method());
  }

 private:
  const GrpcMetrics::Side& side_;
};

class ClientFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit ClientFactory(const GrpcMetrics::Side& side) : side_(side) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new ClientCallInterceptor(side_, info->method());
  }

 private:
  const GrpcMetrics::Side& side_;
};

}  // namespace

std::pair<std::string, std::string> SplitGrpcMethod(const std::string& full_method) {
  std::string trimmed = full_method.rfind('/', 0) == 0 ? full_method.substr(1) : full_method;
  size_t slash = trimmed.rfind('/');
  if (slash == std::string::npos) return {"unknown", trimmed.empty() ? "unknown" : trimmed};
  return {trimmed.substr(0, slash), trimmed.substr(slash + 1)};
}

GrpcMetrics::GrpcMetrics(prometheus::Registry& registry)
    : server_(BuildSide(registry, "server", "served")),
      client_(BuildSide(registry, "client", "made")) {}

namespace {
void Initialize(const GrpcMetrics::Side& side, const google::protobuf::ServiceDescriptor& service) {
  for (int i = 0; i < service.method_count(); ++i) {
    prometheus::Labels labels = {{"grpc_service", service.full_name()},
                                 {"grpc_method", service.method(i)->name()}};
    side.started->Add(labels);
    side.seconds->Add(labels, LatencyBuckets());
    labels["grpc_code"] = "OK";
    side.handled->Add(labels);
  }
}
}  // namespace

void GrpcMetrics::InitializeServer(const google::protobuf::ServiceDescriptor& service) {
  Initialize(server_, service);
}

void GrpcMetrics::InitializeClient(const google::protobuf::ServiceDescriptor& service) {
  Initialize(client_, service);
}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcMetrics::ServerInterceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<ServerFactory>(server_));
  return factories;
}

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
GrpcMetrics::ClientInterceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<ClientFactory>(client_));
  return factories;
}

}  // namespace wsfleet::telemetry
