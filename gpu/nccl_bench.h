#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gpu/bus_bandwidth.h"

// Collective bandwidth through NCCL (nccl_bench.cu), measured and data-checked the way
// nccl-tests does, across the ranks of a wsfleet gang: one process per node, one rank per
// local GPU, the NCCL unique ID carried by the gang's rendezvous. NCCL is loaded with
// dlopen when the benchmark runs, so the binary runs (and says why) where it is missing.
// Kept free of CUDA and absl headers so that nvcc and the C++ compiler both read it.
namespace wsfleet::gpu {

struct NcclRow {
  Collective collective = Collective::kAllReduce;
  uint64_t bytes = 0;   // the larger buffer, as nccl-tests counts (all_gather: the output)
  double seconds = 0;   // per operation, mean of the timed iterations
  double algbw = 0;     // bytes per second
  double busbw = 0;
  uint64_t wrong = 0;   // elements, over the local ranks, that differ from the expected
};

struct NcclBenchOptions {
  int first_rank = 0;        // the global rank of devices[0] ($WSFLEET_RANK)
  int world_size = 1;        // the ranks of every node ($WSFLEET_WORLD_SIZE)
  std::vector<int> devices;  // the local CUDA devices, one rank each, in rank order
  std::vector<Collective> collectives;
  std::vector<uint64_t> sizes;  // bytes, each a multiple of 4 x world_size
  int warmup = 5;
  int iterations = 20;
  // Brings the NCCL unique ID to every process of the gang: the process holding rank 0
  // passes the ID it created, the others an empty string; returns rank 0's ID, or sets
  // *error. Not called when every rank is local.
  std::function<std::string(const std::string& created, std::string* error)> exchange_id;
  std::function<void(const NcclRow&)> on_row;  // each size as soon as it is measured
};

struct NcclBenchResult {
  bool ok = false;
  bool unavailable = false;  // no CUDA build or no NCCL library: nothing ran
  std::string error;
  int nccl_version = 0;      // e.g. 22803 for 2.28.3
  std::vector<NcclRow> rows;
};

NcclBenchResult RunNcclBench(const NcclBenchOptions& options);

}  // namespace wsfleet::gpu
