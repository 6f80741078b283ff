#pragma once

#include <cstddef>
#include <string>

// Device memory bandwidth with STREAM's kernels, in CUDA (membw.cu). Kept free of other
// headers so that nvcc compiles it alone.
namespace wsfleet::gpu {

struct MembwResult {
  bool ok = false;
  std::string error;     // when !ok: what failed (CUDA error or a wrong result)
  double copy_bytes_per_second = 0;   // c[i] = a[i]: 2 arrays moved
  double triad_bytes_per_second = 0;  // a[i] = b[i] + s * c[i]: 3 arrays moved
  size_t bytes_per_array = 0;
};

// Runs copy and triad on `device` over arrays of `bytes_per_array` each, `iterations`
// times, keeps the best time of each (as STREAM does), and checks the results.
MembwResult RunMembw(int device, size_t bytes_per_array, int iterations);

}  // namespace wsfleet::gpu
