#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

// gRPC settings shared by every wsfleet server and client: keepalive, message sizes,
// reconnect backoff. Defined once so both ends agree.
namespace wsfleet::rpc {

inline constexpr int kMaxMessageBytes = 64 << 20;  // a plan of many cards in one Submit

// How a client channel is secured: plaintext (a unix socket, or --insecure) when
// `credentials` is null, else TLS with them.
struct ChannelSecurity {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // The name the server's certificate must carry; empty: the host that was dialled.
  std::string server_name;
};

void ApplyServerSettings(grpc::ServerBuilder& builder);
// gRPC's own log lines (a peer's failed TLS handshake, say) go to spdlog as warnings, at
// most one a second with a count of those held back: a client that fails in a loop must
// not fill the log. Call once, before any channel or server.
void RouteGrpcLogs();
grpc::ChannelArguments ClientChannelArguments();
std::shared_ptr<grpc::Channel> Connect(const std::string& address, const ChannelSecurity& security = {});
// The same, with interceptors (call metrics) on every call made through it.
std::shared_ptr<grpc::Channel> Connect(
    const std::string& address, const ChannelSecurity& security,
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors);

}  // namespace wsfleet::rpc
