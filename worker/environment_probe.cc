#include "worker/environment_probe.h"

#include <sys/utsname.h>

#include <fstream>
#include <future>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/environment.h"
#include "common/text.h"
#include "gpu/devices.h"

namespace wsfleet::worker {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// KEY=value or KEY="value" from os-release.
std::string OsReleaseValue(const std::string& text, const std::string& key) {
  for (const std::string& line : common::SplitLines(text)) {
    if (line.rfind(key + "=", 0) != 0) continue;
    std::string value = line.substr(key.size() + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return "";
}

// "13.0.48" -> "13.0": the toolkit's release.
std::string MajorMinor(const std::string& version) {
  size_t first = version.find('.');
  if (first == std::string::npos) return version;
  size_t second = version.find('.', first + 1);
  return version.substr(0, second);
}

std::string ToolkitVersion(const EnvironmentSources& sources, const std::optional<std::string>& nvcc) {
  try {
    if (!sources.cuda_version_json.empty()) {
      nlohmann::json json = nlohmann::json::parse(sources.cuda_version_json);
      std::string version = json.at("cuda").at("version").get<std::string>();
      if (!version.empty()) return MajorMinor(version);
    }
  } catch (const std::exception&) {
    // A broken version.json: nvcc's own word follows.
  }
  if (nvcc) {
    size_t release = nvcc->find("release ");
    if (release != std::string::npos) {
      if (std::optional<std::string> version = ParseVersion(std::string_view(*nvcc).substr(release))) {
        return MajorMinor(*version);
      }
    }
  }
  return "";
}

}  // namespace

EnvironmentSources ReadEnvironmentSources() {
  EnvironmentSources sources;
  struct utsname name {};
  if (::uname(&name) == 0) sources.machine = name.machine;
  sources.os_release = ReadText("/etc/os-release");
  if (sources.os_release.empty()) sources.os_release = ReadText("/usr/lib/os-release");
  sources.cuda_driver = gpu::CudaDriverVersion();
  sources.cuda_version_json = ReadText("/usr/local/cuda/version.json");
  sources.probe = RunVersionCommand;
  return sources;
}

std::map<std::string, std::string> EnvironmentLabels(const EnvironmentSources& sources) {
  std::map<std::string, std::string> labels;
  auto put = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) labels[std::string(key)] = value;
  };
  std::string arch = common::NormalizeArch(sources.machine);
  put(common::kArchLabel, arch.empty() ? common::ToLower(sources.machine) : arch);
  put(common::kOsLabel, common::ToLower(OsReleaseValue(sources.os_release, "ID")));
  put(common::kOsVersionLabel, OsReleaseValue(sources.os_release, "VERSION_ID"));
  if (sources.cuda_driver > 0) {
    put(common::kCudaDriverLabel,
        std::to_string(sources.cuda_driver / 1000) + "." + std::to_string(sources.cuda_driver % 1000 / 10));
  }
  if (sources.probe) {
    // At once: each interpreter takes a moment to start.
    auto python = std::async(std::launch::async, sources.probe, "python3 --version");
    auto rust = std::async(std::launch::async, sources.probe, "rustc --version");
    auto nvcc = std::async(std::launch::async, sources.probe,
                           "PATH=\"$PATH:/usr/local/cuda/bin\" nvcc --version");
    auto version_of = [](std::future<std::optional<std::string>>& output) -> std::string {
      std::optional<std::string> text = output.get();
      if (!text) return "";
      return ParseVersion(*text).value_or("");
    };
    put(common::kPythonLabel, version_of(python));
    put(common::kRustLabel, version_of(rust));
    put(common::kCudaRuntimeLabel, ToolkitVersion(sources, nvcc.get()));
  } else {
    put(common::kCudaRuntimeLabel, ToolkitVersion(sources, std::nullopt));
  }
  return labels;
}

}  // namespace wsfleet::worker
