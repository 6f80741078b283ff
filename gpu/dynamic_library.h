#pragma once

#include <dlfcn.h>

#include <string>

// Loading the CUDA libraries wsfleet uses only when a workload needs them (cuBLAS,
// cuBLASLt, NCCL): a machine without one still runs everything else, and says what is
// missing where it matters. Header-only so that nvcc-compiled files share it.
namespace wsfleet::gpu {

// dlopen()s `soname`, then the same in /usr/local/cuda/lib64 (where the toolkit puts it
// and the loader may not look). nullptr, with dlerror()'s reason in *error, when neither.
inline void* OpenCudaLibrary(const std::string& soname, std::string* error) {
  for (const std::string& path : {soname, "/usr/local/cuda/lib64/" + soname}) {
    if (void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return library;
  }
  const char* reason = dlerror();
  *error = reason != nullptr ? reason : "not found";
  return nullptr;
}

// Points `function` at `name` in `library`; false when it is not there.
template <typename F>
bool Bind(void* library, F& function, const char* name) {
  function = reinterpret_cast<F>(dlsym(library, name));
  return function != nullptr;
}

}  // namespace wsfleet::gpu
