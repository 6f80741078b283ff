#pragma once

#include <map>
#include <string>

#include "worker/agent_versions.h"

namespace wsfleet::worker {

// What the worker reads to say what machine it is (read from the machine by
// ReadEnvironmentSources; given whole in tests).
struct EnvironmentSources {
  std::string machine;            // uname's machine: aarch64, x86_64
  std::string os_release;         // /etc/os-release
  int cuda_driver = 0;            // cudaDriverGetVersion: 13000 is 13.0; 0: no driver
  std::string cuda_version_json;  // /usr/local/cuda/version.json: the toolkit steps build with
  VersionProbe probe;             // runs `python3 --version`, `rustc --version`, `nvcc --version`
};

EnvironmentSources ReadEnvironmentSources();

// The env.* labels a worker advertises, against which cards' `### Environment` lines are
// checked (common/environment.h): env.arch, env.os, env.os.version, env.cuda.driver,
// env.cuda.runtime, env.python, env.rust. What is absent is left out.
std::map<std::string, std::string> EnvironmentLabels(const EnvironmentSources& sources);

}  // namespace wsfleet::worker
