#include "gpu/bus_bandwidth.h"

#include <cctype>
#include <cstdlib>

namespace wsfleet::gpu {

const char* CollectiveName(Collective collective) {
  switch (collective) {
    case Collective::kAllReduce: return "all_reduce";
    case Collective::kAllGather: return "all_gather";
    case Collective::kReduceScatter: return "reduce_scatter";
    case Collective::kBroadcast: return "broadcast";
    case Collective::kSendRecv: return "sendrecv";
  }
  return "unknown";
}

std::optional<Collective> ParseCollective(const std::string& name) {
  for (Collective collective : {Collective::kAllReduce, Collective::kAllGather,
                                Collective::kReduceScatter, Collective::kBroadcast,
                                Collective::kSendRecv}) {
    if (name == CollectiveName(collective)) return collective;
  }
  return std::nullopt;
}

double BusBandwidthFactor(Collective collective, int ranks) {
  if (ranks <= 1) return collective == Collective::kAllReduce || collective == Collective::kAllGather ||
                                 collective == Collective::kReduceScatter
                             ? 0.0
                             : 1.0;
  double n = ranks;
  switch (collective) {
    case Collective::kAllReduce: return 2.0 * (n - 1) / n;
    case Collective::kAllGather:
    case Collective::kReduceScatter: return (n - 1) / n;
    case Collective::kBroadcast:
    case Collective::kSendRecv: return 1.0;
  }
  return 1.0;
}

double AlgorithmBandwidth(uint64_t bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(bytes) / seconds : 0.0;
}

double BusBandwidth(Collective collective, int ranks, uint64_t bytes, double seconds) {
  return AlgorithmBandwidth(bytes, seconds) * BusBandwidthFactor(collective, ranks);
}

std::vector<uint64_t> SizeSweep(uint64_t min_bytes, uint64_t max_bytes, uint64_t factor,
                                uint64_t multiple) {
  std::vector<uint64_t> sizes;
  if (min_bytes > max_bytes || factor < 2 || multiple == 0) return sizes;
  auto round = [&](uint64_t bytes) { return bytes / multiple * multiple == 0 ? multiple : bytes / multiple * multiple; };
  for (uint64_t bytes = min_bytes;; bytes *= factor) {
    uint64_t size = round(bytes);
    if (sizes.empty() || sizes.back() != size) sizes.push_back(size);
    if (bytes > max_bytes / factor) break;  // the next step would pass max (or overflow)
  }
  uint64_t last = round(max_bytes);
  if (sizes.back() != last && last > sizes.back()) sizes.push_back(last);
  return sizes;
}

std::optional<uint64_t> ParseSize(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  std::string unit(end);
  uint64_t scale = 1;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "K" || unit == "KB" || unit == "KiB") {
    scale = uint64_t{1} << 10;
  } else if (unit == "M" || unit == "MB" || unit == "MiB") {
    scale = uint64_t{1} << 20;
  } else if (unit == "G" || unit == "GB" || unit == "GiB") {
    scale = uint64_t{1} << 30;
  } else {
    return std::nullopt;
  }
  if (value > UINT64_MAX / scale) return std::nullopt;
  return static_cast<uint64_t>(value) * scale;
}

}  // namespace wsfleet::gpu
