#include "worker/step_user.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "absl/strings/numbers.h"

namespace wsfleet::worker {
namespace fs = std::filesystem;
namespace {

std::string Describe(const StepUser& user) { return user.name + " (uid " + std::to_string(user.uid) + ")"; }

// The thread's own credentials: glibc's setgroups() would change every thread's.
bool SetThreadGroups(const std::vector<gid_t>& groups) {
  return ::syscall(SYS_setgroups, groups.size(), groups.data()) == 0;
}

}  // namespace

absl::StatusOr<StepUser> ResolveStepUser(const std::string& name_or_uid) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  struct passwd entry {};
  struct passwd* found = nullptr;
  uint32_t uid = 0;
  int error = absl::SimpleAtoi(name_or_uid, &uid)
                  ? ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found)
                  : ::getpwnam_r(name_or_uid.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    return absl::InvalidArgumentError("--step-user " + name_or_uid + ": " +
                                      (error != 0 ? std::strerror(error) : "no such user in the password database"));
  }
  StepUser user;
  user.name = entry.pw_name;
  user.uid = entry.pw_uid;
  user.gid = entry.pw_gid;
  user.home = entry.pw_dir;
  if (user.uid == 0) {
    return absl::InvalidArgumentError("--step-user " + name_or_uid +
                                      " is root: steps would share everything the worker holds; name an "
                                      "unprivileged user");
  }
  int count = 32;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  while (::getgrouplist(user.name.c_str(), user.gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<size_t>(count));
  }
  groups.resize(static_cast<size_t>(count));
  user.groups = groups;
  return user;
}

absl::Status PrepareStepUserWorkdir(const StepUser& user, const std::string& workdir) {
  std::error_code error;
  if (!fs::exists(workdir, error)) {
    fs::create_directories(workdir, error);
    if (error || ::chown(workdir.c_str(), user.uid, user.gid) != 0) {
      return absl::FailedPreconditionError("cannot make --workdir " + workdir + " for " + Describe(user) + ": " +
                                           (error ? error.message() : std::strerror(errno)));
    }
  }
  struct stat info {};
  if (::stat(workdir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError("--workdir " + workdir + " is not a directory");
  }
  if (info.st_uid != user.uid) {
    // The root worker never writes there itself; git and the steps, as the user, do.
    return absl::FailedPreconditionError("--workdir " + workdir + " belongs to uid " + std::to_string(info.st_uid) +
                                         "; with --step-user it must belong to " + Describe(user) +
                                         " (chown -R " + user.name + " " + workdir + ")");
  }
  ThreadFilesystemUser as_user(user);
  if (!as_user.ok()) return absl::InternalError("cannot take the file rights of " + Describe(user));
  std::string probe = (fs::path(workdir) / ".wsfleet-probe-XXXXXX").string();
  if (::mkdtemp(probe.data()) == nullptr) {
    return absl::FailedPreconditionError(Describe(user) + " cannot write in --workdir " + workdir + ": " +
                                         std::strerror(errno) + " (is a directory above it closed to the user?)");
  }
  ::rmdir(probe.c_str());
  return absl::OkStatus();
}

std::vector<std::string> EnvironmentFor(const StepUser& user, std::vector<std::string> env) {
  std::erase_if(env, [](const std::string& entry) {
    return entry.rfind("HOME=", 0) == 0 || entry.rfind("USER=", 0) == 0 || entry.rfind("LOGNAME=", 0) == 0;
  });
  env.push_back("HOME=" + user.home);
  env.push_back("USER=" + user.name);
  env.push_back("LOGNAME=" + user.name);
  return env;
}

ThreadFilesystemUser::ThreadFilesystemUser(const StepUser& user) {
  // setfsuid() and setfsgid() with an invalid ID change nothing and return the current one.
  saved_uid_ = static_cast<uid_t>(::syscall(SYS_setfsuid, -1));
  saved_gid_ = static_cast<gid_t>(::syscall(SYS_setfsgid, -1));
  int count = ::getgroups(0, nullptr);
  saved_groups_.resize(static_cast<size_t>(std::max(count, 0)));
  if (count > 0) ::getgroups(count, saved_groups_.data());
  if (!SetThreadGroups(user.groups)) return;
  ::syscall(SYS_setfsgid, user.gid);
  ::syscall(SYS_setfsuid, user.uid);
  ok_ = static_cast<uid_t>(::syscall(SYS_setfsuid, -1)) == user.uid &&
        static_cast<gid_t>(::syscall(SYS_setfsgid, -1)) == user.gid;
}

ThreadFilesystemUser::~ThreadFilesystemUser() {
  ::syscall(SYS_setfsuid, saved_uid_);
  ::syscall(SYS_setfsgid, saved_gid_);
  SetThreadGroups(saved_groups_);
}

}  // namespace wsfleet::worker

namespace wsfleet::worker {

bool UserCanExecute(const StepUser& user, const std::string& path) {
  bool can = false;
  std::thread([&] {
    ThreadFilesystemUser as_user(user);
    // AT_EACCESS: with this thread's file IDs (the user's), not the process's real ones.
    can = as_user.ok() && ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0;
  }).join();
  return can;
}

}  // namespace wsfleet::worker
