#pragma once

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace wsfleet::telemetry {

// Calls and their latency per gRPC method, on the serving and the calling side, recorded by
// interceptors (wsfleet_grpc_{server,client}_{started_total,handled_total,handling_seconds}).
// Label values are method names and status codes: bounded by the services we define. A
// stream's handling time is how long it lived. Must outlive the servers and channels that
// use its interceptors; its families are thread-safe.
class GrpcMetrics {
 public:
  explicit GrpcMetrics(prometheus::Registry& registry);

  // Creates the series of every method of `service` (started, handled with code OK, and
  // the latency histogram) at zero, so that they exist before the first call ends: a
  // long-lived stream otherwise shows no handled series for hours, and rate() no zero.
  void InitializeServer(const google::protobuf::ServiceDescriptor& service);
  void InitializeClient(const google::protobuf::ServiceDescriptor& service);

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
  ServerInterceptors();
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
  ClientInterceptors();

  // One side's families.
  struct Side {
    prometheus::Family<prometheus::Counter>* started;
    prometheus::Family<prometheus::Counter>* handled;
    prometheus::Family<prometheus::Histogram>* seconds;
  };

 private:
  Side server_;
  Side client_;
};

// "/wsfleet.v1.ControlService/Submit" -> {"wsfleet.v1.ControlService", "Submit"}.
std::pair<std::string, std::string> SplitGrpcMethod(const std::string& full_method);

}  // namespace wsfleet::telemetry
