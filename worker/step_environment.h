#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// What an attempt's steps get besides its spec.
struct StepEnvironmentInputs {
  std::vector<std::string> base;  // the worker's own environment, NAME=value
  std::optional<std::vector<std::string>> passthrough;  // only these names of `base`; unset: all
  std::string workspace;
  std::string worker_id;
  std::string rendezvous_socket;  // the gang's rendezvous; empty: none
  std::string self_exe;           // WSFLEET_BIN; empty: not set
  std::optional<uint32_t> port_base;  // the attempt's block of ports; none: all were taken
  uint32_t port_count = 0;
  // An agent's own scratch (per attempt) and state (per workstream) directories; empty for
  // steps without an agent, which keep the worker's.
  std::string agent_tmp;
  std::string agent_state;
};

// The environment of an attempt's steps: the worker's (only the passthrough names, when
// given), less what belongs to wsfleet (its secrets among them), plus
// WSFLEET_* (identity, the gang's ranks and addresses, rendezvous, ports) and
// CUDA_VISIBLE_DEVICES for exactly the GPUs assigned (none assigned: none visible).
// A pure function.
std::vector<std::string> StepEnvironment(const v1::AttemptSpec& spec, const StepEnvironmentInputs& inputs);

}  // namespace wsfleet::worker
