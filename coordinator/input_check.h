#pragma once

#include <string>

#include "absl/status/status.h"
#include "wsfleet/v1/types.pb.h"
#include "wsfleet/v1/worker.pb.h"

// What a peer may send, checked before any of it is kept: the coordinator stores events
// and exports them as metrics, prints worker IDs in tables, and keeps labels for every
// placement. A message past these limits is refused whole, with the reason, rather than
// trimmed: a worker that sends one has a bug or is not a worker.
namespace wsfleet::coordinator {

struct InputLimits {
  static constexpr size_t kWorkerId = 128;      // printable ASCII, no spaces
  static constexpr size_t kHostname = 255;
  static constexpr size_t kShortText = 1024;    // URLs, notes, versions, units, kinds
  static constexpr size_t kLabels = 64;
  static constexpr size_t kLabelKey = 128;
  static constexpr size_t kLabelValue = 256;
  static constexpr size_t kAttemptId = 256;
  static constexpr size_t kMetricName = 256;
  static constexpr size_t kTestName = 4096;     // suite and name each
  static constexpr size_t kMessage = 64 * 1024;  // an attempt's end message, an error
  static constexpr size_t kLogChunk = 8 << 20;   // one log chunk's bytes
  static constexpr uint32_t kSlots = 4096;
  static constexpr int kGpus = 1024;
  static constexpr int kRunningAttempts = 65536;
  static constexpr uint64_t kCount = 1'000'000'000;  // a test summary's counts, each
};

// INVALID_ARGUMENT naming the first field past its limit; OK otherwise.
// A worker ID or an operator's name: 1 to 128 printable ASCII characters, no spaces.
absl::Status CheckName(const std::string& field, const std::string& name);
absl::Status CheckHello(const v1::Hello& hello);
absl::Status CheckLeaving(const v1::Leaving& leaving);
absl::Status CheckEvent(const v1::Event& event);

}  // namespace wsfleet::coordinator
