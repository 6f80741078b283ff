#pragma once

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "cli/fleet_commands.h"
#include "worker/step_user.h"

namespace wsfleet::cli {

// Where a worker with --step-user keeps what the step user must not touch (its key and its
// spool: outside WORKDIR, which the user owns) and where the user's own scratch goes.
struct StepUserPaths {
  worker::StepUser user;
  std::string credentials;  // --credentials, else /var/lib/wsfleet/worker-ID/credentials.pem
  std::string spool;        // --spool, else /var/lib/wsfleet/worker-ID/spool
  std::string scratch;      // WORKDIR/.wsfleet/scratch/ID: prompts, the agents' TMPDIR and state
};

// Checks that the worker is root, resolves the user, prepares WORKDIR for it and refuses
// a --credentials or --spool inside WORKDIR (the user could swap the directories under it).
absl::StatusOr<StepUserPaths> PrepareStepUser(const WorkerOptions& options, const std::filesystem::path& workdir,
                                              const std::string& worker_id);

}  // namespace wsfleet::cli
