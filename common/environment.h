#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"

// A card's `### Environment` lines ("Hardware: DGX-Spark GB10", "OS: Ubuntu 22.04 (ARM64)",
// "CUDA: 13.0", "Python: 3.10+ (if applicable)") read as what a worker must have, and the
// worker's side of it: the env.* labels it advertises (worker/environment_probe.h).
namespace wsfleet::common {

// One thing a card needs of its worker, or a line wsfleet only passes on (a hint).
struct EnvironmentNeed {
  enum class Kind { kHint, kArch, kOs, kGpu, kCuda, kPython, kRust };
  Kind kind = Kind::kHint;
  std::string text;        // the line as written: "CUDA: 13.0"
  std::string value;       // arch "arm64"; OS "ubuntu"; GPU "GB10"; versions "13.0"
  std::string os_version;  // kOs: "22.04" (empty: any version)
  bool at_least = false;   // versions: "3.10+" (CUDA's version always is a minimum)
  SourceLocation where;
};

// The labels a worker advertises (and a card's Labels may name, too).
inline constexpr std::string_view kArchLabel = "env.arch";            // arm64, amd64
inline constexpr std::string_view kOsLabel = "env.os";                // ubuntu, debian (os-release ID)
inline constexpr std::string_view kOsVersionLabel = "env.os.version"; // 22.04, 12
inline constexpr std::string_view kCudaDriverLabel = "env.cuda.driver";    // the driver's CUDA, 13.0
inline constexpr std::string_view kCudaRuntimeLabel = "env.cuda.runtime";  // the toolkit's, 13.0
inline constexpr std::string_view kPythonLabel = "env.python";        // python3 --version
inline constexpr std::string_view kRustLabel = "env.rust";            // rustc --version
inline constexpr std::string_view kGpuProductsLabel = "gpu.product";  // NVIDIA-GB10 (the worker's GPU inventory)

// Reads one "Key: value" line of the section. An OS line with an architecture in it gives
// two needs. "(if applicable)", and keys or values wsfleet cannot check, give a hint.
std::vector<EnvironmentNeed> ReadEnvironmentLine(std::string_view key, std::string_view value,
                                                 SourceLocation where);

// "arm64", "Ubuntu 22.04", "a GB10 GPU", "CUDA ≥ 13.0", "Python ≥ 3.10"; the text for a hint.
std::string Describe(const EnvironmentNeed& need);

// Whether a worker with these labels (its env.* ones) has what `need` asks. Hints: always.
bool Satisfies(const EnvironmentNeed& need, const std::map<std::string, std::string>& labels);

// What a worker has, for a wait reason: "amd64, debian 12, no GPU".
std::string DescribeEnvironment(const std::map<std::string, std::string>& labels);

// "aarch64", "ARM64" -> "arm64"; "x86_64", "x64" -> "amd64"; anything else: empty.
std::string NormalizeArch(std::string_view text);

// Compares dotted numeric versions ("3.10" > "3.9"; "13.0" == "13"): <0, 0, >0.
int CompareVersions(std::string_view a, std::string_view b);

}  // namespace wsfleet::common
