#include "telemetry/metrics_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include <gtest/gtest.h>
#include <prometheus/counter.h>

namespace wsfleet::telemetry {
namespace {

// GET http://address/path over loopback; the whole response, headers included.
std::string HttpGet(const std::string& address, const std::string& path) {
  size_t colon = address.rfind(':');
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &target.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
    ::close(fd);
    return "";
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: test\r\n\r\n";
  (void)::write(fd, request.data(), request.size());
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) response.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return response;
}

TEST(MetricsEndpointTest, ServesTheRegistryOnAChosenPortAfterRefreshing) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& counter = prometheus::BuildCounter().Name("wsfleet_test_total").Help("test").Register(*registry).Add({});
  std::atomic<int> refreshes{0};
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry, [&] {
    ++refreshes;
    counter.Increment();
  });
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  std::string address = (*endpoint)->address();
  EXPECT_EQ(address.rfind("127.0.0.1:", 0), 0u);
  EXPECT_NE(address, "127.0.0.1:0");
  EXPECT_EQ((*endpoint)->url(), "http://" + address + "/metrics");
  std::string first = HttpGet(address, "/metrics");
  EXPECT_NE(first.find("200 OK"), std::string::npos) << first;
  EXPECT_NE(first.find("wsfleet_test_total 1"), std::string::npos) << first;
  std::string second = HttpGet(address, "/metrics");
  EXPECT_NE(second.find("wsfleet_test_total 2"), std::string::npos) << second;
  EXPECT_EQ(refreshes.load(), 2);
}

TEST(MetricsEndpointTest, RejectsAnAddressWithoutPort) {
  auto registry = std::make_shared<prometheus::Registry>();
  for (const char* bad : {"127.0.0.1", ":9100", "127.0.0.1:"}) {
    auto endpoint = MetricsEndpoint::Start(bad, registry);
    ASSERT_FALSE(endpoint.ok()) << bad;
    EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(endpoint.status().message().find("HOST:PORT"), std::string::npos);
  }
}

TEST(MetricsEndpointTest, SaysSoWhenThePortIsTaken) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto first = MetricsEndpoint::Start("127.0.0.1:0", registry);
  ASSERT_TRUE(first.ok());
  auto second = MetricsEndpoint::Start((*first)->address(), registry);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find((*first)->address()), std::string::npos);
}

}  // namespace
}  // namespace wsfleet::telemetry
