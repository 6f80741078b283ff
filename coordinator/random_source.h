#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "common/clock.h"

namespace wsfleet::coordinator {

// The scheduler's one source of chance: IDs and retry backoff jitter. Seeded, so that a
// test's run is the same each time.
class RandomSource {
 public:
  explicit RandomSource(uint64_t seed) : random_(seed != 0 ? seed : std::random_device{}()) {}

  // `prefix` and eight hex digits: "WS-3-a1-0c1f22ab".
  std::string NewId(const std::string& prefix) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random_() & 0xffffffffu));
    return prefix + "-" + suffix;
  }

  // `initial` doubled per attempt before this one, at most `max`, then +-`jitter`.
  common::Nanos Backoff(int attempt_number, common::Nanos initial, common::Nanos max, double jitter) {
    double base = static_cast<double>(initial.count());
    for (int i = 1; i < attempt_number && base < static_cast<double>(max.count()); ++i) base *= 2;
    base = std::min(base, static_cast<double>(max.count()));
    std::uniform_real_distribution<double> spread(1 - jitter, 1 + jitter);
    return common::Nanos(static_cast<int64_t>(base * spread(random_)));
  }

 private:
  std::mt19937_64 random_;
};

}  // namespace wsfleet::coordinator
