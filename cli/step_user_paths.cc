#include "cli/step_user_paths.h"

#include <unistd.h>

namespace wsfleet::cli {
namespace fs = std::filesystem;
namespace {

bool Inside(const fs::path& path, const fs::path& directory) {
  std::error_code ignored;
  fs::path relative = fs::weakly_canonical(path, ignored).lexically_relative(fs::weakly_canonical(directory, ignored));
  return !relative.empty() && *relative.begin() != "..";
}

}  // namespace

absl::StatusOr<StepUserPaths> PrepareStepUser(const WorkerOptions& options, const fs::path& workdir,
                                              const std::string& worker_id) {
  if (::geteuid() != 0) {
    return absl::InvalidArgumentError("--step-user needs the worker to run as root (it runs as uid " +
                                      std::to_string(::geteuid()) + "): only root starts processes as another user");
  }
  absl::StatusOr<worker::StepUser> user = worker::ResolveStepUser(options.step_user);
  if (!user.ok()) return user.status();
  if (absl::Status ready = worker::PrepareStepUserWorkdir(*user, workdir.string()); !ready.ok()) return ready;
  fs::path private_dir = fs::path("/var/lib/wsfleet") / ("worker-" + worker_id);
  StepUserPaths paths{*user,
                      options.credentials.empty() ? (private_dir / "credentials.pem").string() : options.credentials,
                      options.spool_dir.empty() ? (private_dir / "spool").string() : options.spool_dir,
                      (workdir / ".wsfleet" / "scratch" / worker_id).string()};
  for (const auto& [flag, path] : {std::pair<std::string, std::string>{"--credentials", paths.credentials},
                                   {"--spool", paths.spool}}) {
    if (Inside(path, workdir)) {
      return absl::InvalidArgumentError(flag + " " + path + " is inside --workdir " + workdir.string() +
                                        ", which --step-user " + user->name +
                                        " owns: the user could swap the directories under it. Keep it elsewhere");
    }
  }
  return paths;
}

}  // namespace wsfleet::cli
