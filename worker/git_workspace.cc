#include "worker/git_workspace.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_split.h"
#include "worker/step_runner.h"

namespace wsfleet::worker {
namespace fs = std::filesystem;
namespace {

struct Collect : OutputSink {
  void OnOutput(OutputStream, std::string_view data) override { text.append(data); }
  std::string text;
};

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// An exclusive flock on `path` (created if need be) for as long as it lives; a worker on
// another machine sharing the file system waits as well. No path: no lock.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(path.empty() ? -1 : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

GitWorkspace::GitWorkspace(std::string workdir, std::string plan_id, std::string workstream_id,
                           std::vector<std::string> env, std::string remote, std::optional<StepUser> user)
    : repository_(remote.empty() ? workdir : (fs::path(workdir) / ".wsfleet" / "clone").string()),
      remote_(std::move(remote)),
      integration_("wsfleet/" + plan_id + "/integration"),
      branch_("wsfleet/" + plan_id + "/" + workstream_id),
      path_((fs::path(workdir) / ".wsfleet" / "worktrees" / plan_id / workstream_id).string()),
      env_(std::move(env)),
      user_(std::move(user)) {
  // Commits wsfleet makes need an identity; the user's, where git has one, wins.
  env_.push_back("GIT_CONFIG_COUNT=2");
  env_.push_back("GIT_CONFIG_KEY_0=user.useConfigOnly");
  env_.push_back("GIT_CONFIG_VALUE_0=false");
  env_.push_back("GIT_CONFIG_KEY_1=core.hooksPath");
  env_.push_back("GIT_CONFIG_VALUE_1=/dev/null");
  bool has_name = false, has_email = false;
  for (const std::string& entry : env_) {
    has_name = has_name || entry.rfind("GIT_AUTHOR_NAME=", 0) == 0;
    has_email = has_email || entry.rfind("GIT_AUTHOR_EMAIL=", 0) == 0;
  }
  if (!has_name || !has_email) {
    std::string where = remote_.empty() ? repository_ : fs::path(repository_).parent_path().string();
    Result name = Git({"config", "user.name"}, where);
    Result email = Git({"config", "user.email"}, where);
    if (!name.ok || !email.ok) {
      env_.insert(env_.end(), {"GIT_AUTHOR_NAME=wsfleet", "GIT_AUTHOR_EMAIL=wsfleet@localhost",
                               "GIT_COMMITTER_NAME=wsfleet", "GIT_COMMITTER_EMAIL=wsfleet@localhost"});
    }
  }
}

GitWorkspace::Result GitWorkspace::Git(const std::vector<std::string>& args,
                                       const std::string& where) const {
  StepLaunch launch;
  launch.argv = {"/usr/bin/git", "-C", where};
  launch.argv.insert(launch.argv.end(), args.begin(), args.end());
  launch.env = env_;
  launch.user = user_;
  launch.timeout = std::chrono::minutes(10);
  Collect output;
  StepRunner runner;
  StepResult result = runner.Run(launch, output);
  // An error with no output still says something (the exit status).
  return {result.succeeded(), output.text.empty() && !result.succeeded() ? result.Describe() : output.text};
}

absl::Status GitWorkspace::GitOrError(const std::vector<std::string>& args, const std::string& where,
                                      const std::string& what) const {
  Result result = Git(args, where);
  if (result.ok) return absl::OkStatus();
  return absl::InternalError(what + ": " + Trimmed(result.output));
}

std::vector<std::string> GitWorkspace::ConflictedFiles() const {
  Result conflicts = Git({"diff", "--name-only", "--diff-filter=U"}, path_);
  return absl::StrSplit(Trimmed(conflicts.output), '\n', absl::SkipEmpty());
}

std::string GitWorkspace::IntegrationRef() const {
  return (remote_.empty() ? "refs/heads/" : "refs/remotes/origin/") + integration_;
}

absl::Status GitWorkspace::Sync() {
  if (remote_.empty()) return absl::OkStatus();
  std::error_code ignored;
  fs::create_directories(fs::path(repository_).parent_path(), ignored);
  std::string lock_path = repository_ + ".lock";
  FileLock lock(lock_path);
  if (!lock.held()) return absl::InternalError("cannot open " + lock_path);
  absl::Status status = absl::OkStatus();
  if (!fs::exists(fs::path(repository_) / "HEAD", ignored) && !fs::exists(fs::path(repository_) / ".git", ignored)) {
    status = GitOrError({"clone", "-q", "--bare", remote_, repository_}, fs::path(repository_).parent_path().string(),
                        "git clone " + remote_);
    // A bare clone maps the remote's branches onto its own; fetches go to origin/*.
    if (status.ok()) {
      status = GitOrError({"config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"}, repository_,
                          "git config");
    }
  }
  if (status.ok()) status = GitOrError({"fetch", "-q", "--prune", "origin"}, repository_, "git fetch " + remote_);
  return status;
}

absl::StatusOr<GitWorkspace::Prepared> GitWorkspace::Prepare() {
  std::error_code ignored;
  if (absl::Status synced = Sync(); !synced.ok()) return synced;
  if (fs::exists(fs::path(path_) / ".git", ignored)) {
    // A conflict left by an earlier merge stays for the agent; else take up what merged.
    if (std::vector<std::string> conflicted = ConflictedFiles(); !conflicted.empty()) {
      return Prepared{false, conflicted};
    }
    if (absl::Status saved = CommitAll("wsfleet: work left by an earlier attempt"); !saved.ok()) return saved;
    if (Git({"merge", "--no-edit", "-q", IntegrationRef()}, path_).ok) return Prepared{};
    std::vector<std::string> conflicted = ConflictedFiles();
    if (conflicted.empty()) return absl::InternalError("git merge " + IntegrationRef() + " failed in " + path_);
    return Prepared{false, conflicted};
  }
  if (!Git({"rev-parse", "--verify", "--quiet", IntegrationRef()}, repository_).ok) {
    // Another worker may create it at the same moment: that one's is as good.
    Result created = remote_.empty()
                         ? Git({"branch", integration_, "HEAD"}, repository_)
                         : Git({"push", "-q", "origin", "HEAD:refs/heads/" + integration_}, repository_);
    if (!remote_.empty()) Sync().IgnoreError();
    if (!created.ok && !Git({"rev-parse", "--verify", "--quiet", IntegrationRef()}, repository_).ok) {
      return absl::FailedPreconditionError("cannot create " + integration_ + " in " +
                                           (remote_.empty() ? repository_ : remote_) +
                                           " (is it a git repository with a commit?): " +
                                           Trimmed(created.output));
    }
  }
  fs::create_directories(fs::path(path_).parent_path(), ignored);
  FileLock lock(WorktreesLockPath());
  // -B: a branch an earlier, removed worktree left is reset to the integration tip.
  if (absl::Status added = GitOrError({"worktree", "add", "-B", branch_, path_, IntegrationRef()}, repository_,
                                      "git worktree add");
      !added.ok()) {
    return added;
  }
  return Prepared{true, {}};
}

absl::Status GitWorkspace::CommitAll(const std::string& message) {
  if (absl::Status added = GitOrError({"add", "-A"}, path_, "git add"); !added.ok()) return added;
  // A merge the agent resolved is committed even when its result equals our side.
  bool merging = Git({"rev-parse", "-q", "--verify", "MERGE_HEAD"}, path_).ok;
  if (!merging && Git({"diff", "--cached", "--quiet"}, path_).ok) return absl::OkStatus();  // nothing staged
  return GitOrError({"commit", "-q", "--no-verify", "-m", message}, path_, "git commit");
}

absl::StatusOr<std::string> GitWorkspace::Rebase() {
  if (absl::Status synced = Sync(); !synced.ok()) return synced;
  Result tip = Git({"rev-parse", IntegrationRef()}, repository_);
  if (!tip.ok) return absl::InternalError("cannot read " + integration_ + ": " + Trimmed(tip.output));
  std::string base = Trimmed(tip.output);
  // Already on top (nothing merged since, or the agent merged it in resolving a conflict):
  // nothing to replay. Rebasing would flatten a resolved merge and conflict again.
  if (Git({"merge-base", "--is-ancestor", base, "HEAD"}, path_).ok) return base;
  Result rebased = Git({"rebase", "-q", base}, path_);
  if (rebased.ok) return base;
  std::vector<std::string> names = ConflictedFiles();
  Git({"rebase", "--abort"}, path_);
  std::string files;
  for (const std::string& name : names) files += (files.empty() ? "" : ", ") + name;
  return absl::FailedPreconditionError(
      "conflicts with " + integration_ + (files.empty() ? ": " + Trimmed(rebased.output) : " in " + files));
}

absl::StatusOr<bool> GitWorkspace::FastForward(const std::string& expected_tip) {
  absl::StatusOr<std::string> head = Head();
  if (!head.ok()) return head.status();
  if (!remote_.empty()) {
    // The workstream's branch goes too (for review); then the integration branch, which a
    // plain push moves only if it fast-forwards: if another merge got there first, false.
    Git({"push", "-q", "-f", "origin", "HEAD:refs/heads/" + branch_}, path_);
    bool moved = Git({"push", "-q", "origin", "HEAD:refs/heads/" + integration_}, path_).ok;
    Sync().IgnoreError();
    return moved;
  }
  // update-ref with the old value is atomic: it moves the branch only if no one else did.
  return Git({"update-ref", "-m", "wsfleet: merge " + branch_, "refs/heads/" + integration_, *head,
              expected_tip},
             repository_)
      .ok;
}

absl::StatusOr<std::string> GitWorkspace::Head() {
  Result head = Git({"rev-parse", "HEAD"}, path_);
  if (!head.ok) return absl::InternalError("cannot read the worktree's HEAD: " + Trimmed(head.output));
  return Trimmed(head.output);
}

std::string GitWorkspace::WhyKeep() {
  Sync().IgnoreError();
  Result status = Git({"status", "--porcelain"}, path_);
  if (!status.ok) return "git status failed: " + Trimmed(status.output);
  if (!Trimmed(status.output).empty()) return "uncommitted changes";
  Result ahead = Git({"rev-list", "--count", IntegrationRef() + ".." + branch_}, repository_);
  if (!ahead.ok) return "cannot compare with " + integration_ + ": " + Trimmed(ahead.output);
  std::string count = Trimmed(ahead.output);
  if (count != "0") return count + " commit(s) not merged into " + integration_;
  return "";
}

std::string GitWorkspace::WorktreesLockPath() const {
  // git reads every worktree's administrative files while it adds or removes one, and
  // fails on one another worker is adding at that moment: one at a time per repository.
  // Not a repository: git itself will say so, with no lock needed.
  Result common = Git({"rev-parse", "--git-common-dir"}, repository_);
  if (!common.ok) return "";
  return (fs::path(repository_) / Trimmed(common.output) / "wsfleet-worktrees.lock").string();
}

absl::Status GitWorkspace::Remove() {
  FileLock lock(WorktreesLockPath());
  if (absl::Status removed = GitOrError({"worktree", "remove", path_}, repository_, "git worktree remove");
      !removed.ok()) {
    return removed;
  }
  // -D: merged into the integration branch (checked above), not necessarily into HEAD.
  return GitOrError({"branch", "-D", "-q", branch_}, repository_, "git branch -D");
}

}  // namespace wsfleet::worker
