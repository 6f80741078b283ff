#pragma once

#include <functional>
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "absl/status/statusor.h"

namespace prometheus {
class Exposer;
}

namespace wsfleet::telemetry {

// Serves one registry at http://HOST:PORT/metrics (prometheus-cpp's exposer, its own
// threads). `refresh` runs on the scraping thread before each scrape, so gauges that mirror
// another thread's state are read then; it must be safe to call from that thread.
class MetricsEndpoint {
 public:
  using Refresh = std::function<void()>;
  // `address` is HOST:PORT; port 0 picks a free one (see address()).
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry,
      Refresh refresh = nullptr);
  ~MetricsEndpoint();

  // HOST:PORT as bound, with the real port.
  const std::string& address() const { return address_; }
  std::string url() const { return "http://" + address_ + "/metrics"; }

 private:
  MetricsEndpoint() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Collectable> collectable_;
  std::string address_;
};

}  // namespace wsfleet::telemetry
