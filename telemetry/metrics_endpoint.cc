#include "telemetry/metrics_endpoint.h"

#include <prometheus/exposer.h>

#include <exception>
#include <optional>
#include <utility>

#include "common/listener_waker.h"

namespace wsfleet::telemetry {
namespace {

// The registry, refreshed first: what the exposer collects on each scrape.
class RefreshingCollectable : public prometheus::Collectable {
 public:
  RefreshingCollectable(std::shared_ptr<prometheus::Registry> registry,
                        MetricsEndpoint::Refresh refresh)
      : registry_(std::move(registry)), refresh_(std::move(refresh)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    if (refresh_) refresh_();
    return registry_->Collect();
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  MetricsEndpoint::Refresh refresh_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry, Refresh refresh) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError("metrics address '" + address +
                                      "' is not HOST:PORT (port 0 picks a free one)");
  }
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  try {
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& error) {
    return absl::UnavailableError("cannot serve metrics on " + address + ": " + error.what());
  }
  std::vector<int> ports = endpoint->exposer_->GetListeningPorts();
  if (ports.empty()) return absl::UnavailableError("cannot serve metrics on " + address);
  endpoint->address_ = address.substr(0, colon) + ":" + std::to_string(ports.front());
  endpoint->collectable_ =
      std::make_shared<RefreshingCollectable>(std::move(registry), std::move(refresh));
  endpoint->exposer_->RegisterCollectable(endpoint->collectable_);
  return endpoint;
}

// The exposer stops (joins its threads) before the collectable it calls goes away.
MetricsEndpoint::~MetricsEndpoint() {
  if (!exposer_) return;
  std::vector<int> ports = exposer_->GetListeningPorts();
  // Else stopping waits out civetweb's 2 s poll (common/listener_waker.h).
  std::optional<common::ListenerWaker> waker;
  if (!ports.empty()) waker.emplace(address_.substr(0, address_.rfind(':')), ports.front());
  exposer_.reset();
}

}  // namespace wsfleet::telemetry
