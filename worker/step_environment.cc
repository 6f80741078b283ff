#include "worker/step_environment.h"

#include <algorithm>

namespace wsfleet::worker {
namespace {

// The step's CUDA_VISIBLE_DEVICES for the GPUs it was given. Their indices are the CUDA
// runtime's in the worker, which counts only what the worker's own CUDA_VISIBLE_DEVICES lets
// it see (Slurm sets it to the job's GPUs, 2,3 say): index 0 is then the list's first
// entry, GPU 2, not the machine's GPU 0.
std::string VisibleDevices(const std::vector<uint32_t>& gpus, const std::vector<std::string>& base) {
  std::vector<std::string> inherited;
  for (const std::string& entry : base) {
    if (entry.rfind("CUDA_VISIBLE_DEVICES=", 0) != 0) continue;
    std::string list = entry.substr(entry.find('=') + 1);
    for (size_t start = 0; start <= list.size();) {
      size_t comma = std::min(list.find(',', start), list.size());
      if (comma > start) inherited.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
  }
  std::string text;
  for (uint32_t gpu : gpus) {
    text += (text.empty() ? "" : ",") + (gpu < inherited.size() ? inherited[gpu] : std::to_string(gpu));
  }
  return text;
}

}  // namespace

std::vector<std::string> StepEnvironment(const v1::AttemptSpec& spec, const StepEnvironmentInputs& inputs) {
  bool agent = !inputs.agent_tmp.empty();
  std::vector<std::string> env;
  for (const std::string& entry : inputs.base) {
    if (inputs.passthrough &&
        std::find(inputs.passthrough->begin(), inputs.passthrough->end(), entry.substr(0, entry.find('='))) ==
            inputs.passthrough->end()) {
      continue;
    }
    if (entry.rfind("WSFLEET_", 0) == 0 || entry.rfind("CUDA_VISIBLE_DEVICES=", 0) == 0 ||
        (agent && (entry.rfind("TMPDIR=", 0) == 0 || entry.rfind("XDG_STATE_HOME=", 0) == 0))) {
      continue;
    }
    env.push_back(entry);
  }
  env.push_back("WSFLEET_WORKSTREAM_ID=" + spec.workstream_id());
  env.push_back("WSFLEET_ATTEMPT_ID=" + spec.attempt_id());
  env.push_back("WSFLEET_ATTEMPT=" + std::to_string(spec.attempt_number()));
  env.push_back("WSFLEET_PLAN_ID=" + spec.plan_id());
  env.push_back("WSFLEET_CARD=" + spec.card_path());
  env.push_back("WSFLEET_WORKSPACE=" + inputs.workspace);
  env.push_back("WSFLEET_WORKER_ID=" + inputs.worker_id);
  std::vector<uint32_t> gpus(spec.gpu_indices().begin(), spec.gpu_indices().end());
  env.push_back("CUDA_VISIBLE_DEVICES=" + VisibleDevices(gpus, inputs.base));
  // Where this attempt sits in its gang (a single-node card is a gang of one node). One
  // process per node runs the steps; it owns global ranks RANK .. RANK+LOCAL_WORLD_SIZE-1,
  // one per GPU, and starts a process or thread per GPU itself.
  uint32_t nodes = std::max<uint32_t>(1, spec.nodes());
  uint32_t local = std::max<uint32_t>(1, static_cast<uint32_t>(gpus.size()));
  env.push_back("WSFLEET_NODE_RANK=" + std::to_string(spec.node_rank()));
  env.push_back("WSFLEET_NNODES=" + std::to_string(nodes));
  env.push_back("WSFLEET_LOCAL_WORLD_SIZE=" + std::to_string(local));
  env.push_back("WSFLEET_LOCAL_RANK=0");
  env.push_back("WSFLEET_RANK=" + std::to_string(spec.node_rank() * local));
  env.push_back("WSFLEET_WORLD_SIZE=" + std::to_string(nodes * local));
  std::string addrs;
  for (const std::string& addr : spec.node_addrs()) addrs += (addrs.empty() ? "" : ",") + addr;
  env.push_back("WSFLEET_NODE_ADDRS=" + addrs);
  if (!inputs.rendezvous_socket.empty()) env.push_back("WSFLEET_RENDEZVOUS=" + inputs.rendezvous_socket);
  if (!inputs.self_exe.empty()) env.push_back("WSFLEET_BIN=" + inputs.self_exe);
  if (inputs.port_base) {
    env.push_back("WSFLEET_PORT_BASE=" + std::to_string(*inputs.port_base));
    env.push_back("WSFLEET_PORT_COUNT=" + std::to_string(inputs.port_count));
  }
  // HOME stays: the agents' credentials live there.
  if (agent) {
    env.push_back("TMPDIR=" + inputs.agent_tmp);
    env.push_back("XDG_STATE_HOME=" + inputs.agent_state);
  }
  return env;
}

}  // namespace wsfleet::worker
