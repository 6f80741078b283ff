#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proto/grpc_settings.h"
#include "worker/attempt_runner.h"
#include "worker/fleet_join.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

struct WorkerConfig {
  std::string coordinator;  // host:port or unix:/path
  rpc::ChannelSecurity security;  // TLS with the worker's certificate; plaintext when unset
  // Where that certificate came from, to renew it while the worker runs; unset: plaintext.
  std::optional<JoinInputs> renewal;
  std::string worker_id;
  uint32_t slots = 1;
  std::map<std::string, std::string> labels;
  std::vector<v1::GpuDevice> gpus;  // offered to the coordinator (see gpu_inventory.h)
  std::string gpu_note;             // why none are offered although there are some
  std::string spool_dir;    // where the outbox spills; default <workdir>/.wsfleet/spool/<id>
  size_t outbox_memory_bytes = size_t{64} << 20;
  std::string metrics_address;  // HOST:PORT for /metrics (port 0: any free one); empty: off
  std::string join_token;       // presented in Hello; a coordinator that wants one refuses others
  // From `wsfleet run`: presented in Hello; a coordinator with the same token shares this
  // machine and has this worker write its attempts' logs into the state directory itself.
  std::string log_token;
  // On SIGTERM: how long running attempts may take to finish before they are handed back.
  common::Nanos grace = std::chrono::seconds(30);
  // Leave after this long with no attempt running or queued (0: never): a worker a
  // launcher started (a Slurm job) gives its node back when the work is done.
  common::Nanos idle_exit{0};
  // wsfleet-step-guard, beside the wsfleet binary; empty: steps run unguarded.
  std::string step_guard;
  AttemptRunnerOptions runner;
};

}  // namespace wsfleet::worker
