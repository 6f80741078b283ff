#include "grpc_settings.h"

#include <grpc/support/log.h>
#include <grpcpp/resource_quota.h>

#include <chrono>
#include <cstring>
#include <mutex>

#include <spdlog/spdlog.h>

namespace wsfleet::rpc {

namespace {

void LogToSpdlog(gpr_log_func_args* args) {
  static std::mutex mutex;
  static std::chrono::steady_clock::time_point last;
  static uint64_t held = 0;
  if (args->severity != GPR_LOG_SEVERITY_ERROR) {
    spdlog::debug("grpc: {}", args->message);
    return;
  }
  uint64_t held_now = 0;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(1)) {
      ++held;
      return;
    }
    last = now;
    held_now = held;
    held = 0;
  }
  const char* file = std::strrchr(args->file, '/');
  spdlog::warn("grpc: {} ({}:{}){}", args->message, file != nullptr ? file + 1 : args->file, args->line,
               held_now > 0 ? " (" + std::to_string(held_now) + " more since the last line)" : "");
}

}  // namespace

void RouteGrpcLogs() { gpr_set_log_function(LogToSpdlog); }

void ApplyServerSettings(grpc::ServerBuilder& builder) {
  grpc::ResourceQuota quota("wsfleet-server");
  quota.Resize(kServerMemoryQuotaBytes);
  builder.SetResourceQuota(quota);  // the builder keeps its own reference
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  // A worker holds one stream, a client a few: a connection opening hundreds is not theirs.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 100);
  builder.SetMaxSendMessageSize(kMaxResponseBytes);
  // Workers hold one long stream each: ping it so dead peers are noticed in seconds, and
  // allow the clients' pings without a call in flight.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
}

grpc::ChannelArguments ClientChannelArguments() {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxResponseBytes);
  arguments.SetMaxSendMessageSize(kMaxRequestBytes);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return arguments;
}

namespace {

grpc::ChannelArguments ArgumentsFor(const ChannelSecurity& security) {
  grpc::ChannelArguments arguments = ClientChannelArguments();
  if (!security.server_name.empty()) arguments.SetSslTargetNameOverride(security.server_name);
  return arguments;
}

std::shared_ptr<grpc::ChannelCredentials> CredentialsFor(const ChannelSecurity& security) {
  return security.credentials ? security.credentials : grpc::InsecureChannelCredentials();
}

}  // namespace

std::shared_ptr<grpc::Channel> Connect(const std::string& address, const ChannelSecurity& security) {
  return grpc::CreateCustomChannel(address, CredentialsFor(security), ArgumentsFor(security));
}

std::shared_ptr<grpc::Channel> ConnectAlone(const std::string& address, const ChannelSecurity& security) {
  grpc::ChannelArguments arguments = ArgumentsFor(security);
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, CredentialsFor(security), arguments);
}

std::shared_ptr<grpc::Channel> Connect(
    const std::string& address, const ChannelSecurity& security,
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors) {
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, CredentialsFor(security), ArgumentsFor(security), std::move(interceptors));
}

}  // namespace wsfleet::rpc
