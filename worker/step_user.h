#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wsfleet::worker {

// The account a root worker runs steps, agents and their git commands as (--step-user),
// so that a step cannot read the worker's key or its spool, nor signal the worker.
struct StepUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, from the group database
  std::string home;
};

// A user name or a numeric user ID, looked up in the password database. Refuses root:
// steps as root would share everything the worker holds.
absl::StatusOr<StepUser> ResolveStepUser(const std::string& name_or_uid);

// The workdir a step user works in: made (owned by the user) when missing; an existing one
// must belong to the user, and every directory above it must let the user through.
absl::Status PrepareStepUserWorkdir(const StepUser& user, const std::string& workdir);

// Whether `user` may execute `path` (every directory above it included): checked with the
// user's rights, on a thread of its own.
bool UserCanExecute(const StepUser& user, const std::string& path);

// `env` with HOME, USER and LOGNAME those of `user` (git and the agents read their
// configuration from HOME, and root's is closed to the user).
std::vector<std::string> EnvironmentFor(const StepUser& user, std::vector<std::string> env);

// For this thread only (the kernel keeps credentials per thread), file access is checked
// as `user`'s: what this thread creates belongs to the user, and a symbolic link the user
// planted leads nowhere the user could not go. Undone when destroyed.
class ThreadFilesystemUser {
 public:
  explicit ThreadFilesystemUser(const StepUser& user);
  ~ThreadFilesystemUser();
  ThreadFilesystemUser(const ThreadFilesystemUser&) = delete;
  ThreadFilesystemUser& operator=(const ThreadFilesystemUser&) = delete;

  bool ok() const { return ok_; }

 private:
  uid_t saved_uid_ = 0;
  gid_t saved_gid_ = 0;
  std::vector<gid_t> saved_groups_;
  bool ok_ = false;
};

}  // namespace wsfleet::worker
