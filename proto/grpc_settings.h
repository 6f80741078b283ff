#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

// gRPC settings shared by every wsfleet server and client: keepalive, message sizes,
// reconnect backoff. Defined once so both ends agree.
namespace wsfleet::rpc {

// What a server accepts in one message: a plan of a thousand cards in one Submit with room
// to spare (`wsfleet submit` streams its plan in 4 MiB requests, SubmitStream, so a plan of
// any size fits); a worker's event batches are at most 4 MiB (worker_core.cc).
inline constexpr int kMaxRequestBytes = 16 << 20;
// What a server may send in one message: the status of a very large plan.
inline constexpr int kMaxResponseBytes = 64 << 20;
// What a server's gRPC may hold in buffers, all calls together. gRPC buffers a message
// whole before it compares its size with the limit above; the quota makes it shrink HTTP/2
// flow-control windows under pressure and reset a stream that would pass it, so a peer
// that sends (or claims) a huge message cannot make the process hold it (measured in
// tests/hostile: a 1 GiB message).
inline constexpr size_t kServerMemoryQuotaBytes = size_t{64} << 20;

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
// The same on a connection of its own (gRPC shares connections between channels to one
// address by default): for a try after one that timed out.
std::shared_ptr<grpc::Channel> ConnectAlone(const std::string& address, const ChannelSecurity& security);
// The same, with interceptors (call metrics) on every call made through it.
std::shared_ptr<grpc::Channel> Connect(
    const std::string& address, const ChannelSecurity& security,
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors);

}  // namespace wsfleet::rpc
