#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The arithmetic of collective benchmarks, as nccl-tests defines it (its PERFORMANCE.md):
// algorithm bandwidth is the message size over the time; bus bandwidth scales it by what
// each rank's link must carry for that collective on n ranks, so that it compares with
// the hardware's peak whatever n is. Plain C++: tested without a GPU.
namespace wsfleet::gpu {

enum class Collective { kAllReduce, kAllGather, kReduceScatter, kBroadcast, kSendRecv };

const char* CollectiveName(Collective collective);  // "all_reduce", ...
std::optional<Collective> ParseCollective(const std::string& name);

// busbw / algbw for `ranks` ranks: all_reduce 2(n-1)/n; all_gather and reduce_scatter
// (n-1)/n; broadcast and sendrecv 1.
double BusBandwidthFactor(Collective collective, int ranks);

// Bytes per second of `bytes` moved in `seconds` (0 when seconds is 0).
double AlgorithmBandwidth(uint64_t bytes, double seconds);
double BusBandwidth(Collective collective, int ranks, uint64_t bytes, double seconds);

// Message sizes from `min_bytes` to `max_bytes`, multiplying by `factor` (nccl-tests'
// -b/-e/-f), each rounded down to a multiple of `multiple` (the element size times the
// ranks, so every rank gets whole elements) and at least one multiple. Duplicates are
// dropped; the last size is max_bytes rounded down. Empty when min > max or factor < 2.
std::vector<uint64_t> SizeSweep(uint64_t min_bytes, uint64_t max_bytes, uint64_t factor,
                                uint64_t multiple);

// "8B", "1K", "64M", "1G" (powers of 1024, as nccl-tests reads -b/-e); nullopt if not one.
std::optional<uint64_t> ParseSize(const std::string& text);

}  // namespace wsfleet::gpu
