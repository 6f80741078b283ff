#pragma once

#include <cstddef>
#include <memory>
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

// The arrays allocated once and the kernels run many times (a burn's rounds).
class MembwSession {
 public:
  // Null, with *error saying why, when the arrays cannot be had.
  static std::unique_ptr<MembwSession> Open(int device, size_t bytes_per_array, std::string* error);
  ~MembwSession();
  // As RunMembw: the arrays filled, copy and triad `iterations` times each, the result checked.
  MembwResult Run(int iterations);

 private:
  struct State;
  explicit MembwSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace wsfleet::gpu
