#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "worker/step_user.h"

namespace wsfleet::worker {

// One workstream's git worktree in a plan, and its way back into the plan's integration
// branch. Branches: `wsfleet/<plan>/integration` (created from the repository's HEAD when
// the plan's first worktree is made; never checked out, so no one's working tree goes
// stale when it moves) and `wsfleet/<plan>/<WS-ID>` per workstream, made from the
// integration branch's tip: after the workstream's dependencies merged, so it starts
// from their work. The tree is under <workdir>/.wsfleet/worktrees/<plan>/<WS-ID>.
//
// With a `remote` (a URL or a bare repository's path: workers on other machines), the
// worker keeps its own clone at <workdir>/.wsfleet/clone, fetches before it branches or
// rebases, pushes each workstream's branch, and moves the remote's integration branch
// with a plain push (refused unless it fast-forwards: the same compare-and-swap).
class GitWorkspace {
 public:
  // With a `user`, git runs as that user (--step-user: it owns the workdir, and a root
  // git would run whatever hooks and configuration the steps left there).
  GitWorkspace(std::string workdir, std::string plan_id, std::string workstream_id,
               std::vector<std::string> env, std::string remote = "", std::optional<StepUser> user = std::nullopt);

  const std::string& integration_branch() const { return integration_; }
  const std::string& branch() const { return branch_; }
  const std::string& path() const { return path_; }

  // Creates the worktree, or takes up the one an earlier attempt left: its work is kept
  // (committed), and what merged since is merged into it. Files that conflict are left
  // with conflict markers for the agent to resolve.
  struct Prepared {
    bool created = false;            // a new worktree (to be set up)
    std::vector<std::string> conflicts;
  };
  absl::StatusOr<Prepared> Prepare();
  // Commits whatever the agent changed and left uncommitted; nothing when it is clean.
  absl::Status CommitAll(const std::string& message);
  // Rebases the branch onto the integration branch's tip, which it returns. A conflict
  // aborts the rebase (the branch is as before) and fails with FAILED_PRECONDITION naming
  // the conflicting files.
  absl::StatusOr<std::string> Rebase();
  // Moves the integration branch to the branch's head if it is still at `expected_tip`
  // (compare and swap: a merge that raced this one makes it false, to rebase again).
  absl::StatusOr<bool> FastForward(const std::string& expected_tip);
  absl::StatusOr<std::string> Head();

  // Why the worktree must stay (uncommitted changes, commits not in the integration
  // branch); empty when all its work is merged and it may go.
  std::string WhyKeep();
  // Removes the worktree and its branch (only what WhyKeep() lets go).
  absl::Status Remove();

 private:
  struct Result {
    bool ok = false;
    std::string output;
  };
  Result Git(const std::vector<std::string>& args, const std::string& where) const;
  absl::Status GitOrError(const std::vector<std::string>& args, const std::string& where,
                          const std::string& what) const;
  std::vector<std::string> ConflictedFiles() const;

  // Fetches the remote (under a lock: attempts on one worker share the clone); local: nothing.
  absl::Status Sync();
  std::string WorktreesLockPath() const;
  // The integration branch as this repository sees it (refs/heads/... or refs/remotes/origin/...).
  std::string IntegrationRef() const;

  std::string repository_;  // the local repository, or the worker's clone of the remote
  std::string remote_;
  std::string integration_;
  std::string branch_;
  std::string path_;
  std::vector<std::string> env_;
  std::optional<StepUser> user_;
};

}  // namespace wsfleet::worker
