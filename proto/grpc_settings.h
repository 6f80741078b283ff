#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

// gRPC settings shared by every wsfleet server and client: keepalive, message sizes,
// reconnect backoff. Defined once so both ends agree.
namespace wsfleet::rpc {

inline constexpr int kMaxMessageBytes = 64 << 20;  // a plan of many cards in one Submit

void ApplyServerSettings(grpc::ServerBuilder& builder);
grpc::ChannelArguments ClientChannelArguments();
std::shared_ptr<grpc::Channel> Connect(const std::string& address);
// The same, with interceptors (call metrics) on every call made through it.
std::shared_ptr<grpc::Channel> Connect(
    const std::string& address,
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors);

}  // namespace wsfleet::rpc
