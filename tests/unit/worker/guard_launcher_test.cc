#include "worker/guard_launcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace wsfleet::worker {
namespace {

// One step's descriptors: its output pipe and its fence (never renewed: no deadline).
struct StepPipes {
  int out[2] = {-1, -1};
  int fence[2] = {-1, -1};
  StepPipes() {
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(fence, O_CLOEXEC), 0);
  }
  ~StepPipes() {
    for (int fd : {out[0], out[1], fence[0], fence[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
  // What the step wrote, once it and everything holding its output have closed it.
  std::string Output() {
    ::close(out[1]);
    out[1] = -1;
    std::string text;
    char buffer[256];
    ssize_t got;
    while ((got = ::read(out[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(got));
    return text;
  }
};

// Each step's own tag, as the worker makes them: a guard kills every process that carries
// its step's tag, and these tests run beside each other (one shared tag had one test's
// sweep kill another's step).
std::string NewTag() {
  static int count = 0;
  return "guard-launcher-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count);
}

step_guard::GuardRequest Shell(const std::string& script, const std::string& workdir = "",
                               const std::string& tag = NewTag()) {
  return {workdir, {"3", "--", "/bin/sh", "-c", script}, {"PATH=/usr/bin:/bin", "WSFLEET_STEP_TAG=" + tag}};
}

GuardLauncher::Started Launch(GuardLauncher& launcher, const step_guard::GuardRequest& request, StepPipes& pipes) {
  GuardLauncher::Started started = launcher.Launch(request, pipes.out[1], pipes.out[1], pipes.fence[0]);
  ::close(pipes.fence[0]);  // the guard holds its own
  pipes.fence[0] = -1;
  return started;
}

TEST(GuardLauncherTest, RunsEachStepInItsDirectoryAndHearsHowItEnded) {
  GuardLauncher launcher(WSFLEET_STEP_GUARD);
  StepPipes pipes;
  std::string tag = NewTag();
  GuardLauncher::Started started = Launch(launcher, Shell("pwd; echo \"$WSFLEET_STEP_TAG\"; exit 3", "/tmp", tag), pipes);
  ASSERT_EQ(started.error, 0) << std::strerror(started.error);
  EXPECT_GT(started.pid, 0);
  EXPECT_EQ(pipes.Output(), "/tmp\n" + tag + "\n");
  int status = 0;
  bool swept = false;
  ASSERT_TRUE(GuardLauncher::WaitStatus(started.status_fd, status, swept));
  EXPECT_TRUE(swept);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  ::close(started.status_fd);

  StepPipes second;  // the same server, another step, killed by a signal this time
  started = Launch(launcher, Shell("kill -TERM $$"), second);
  ASSERT_EQ(started.error, 0);
  ASSERT_TRUE(GuardLauncher::WaitStatus(started.status_fd, status, swept));
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  ::close(started.status_fd);
}

TEST(GuardLauncherTest, ADirectoryThatIsNotThereIsTheCallersError) {
  GuardLauncher launcher(WSFLEET_STEP_GUARD);
  StepPipes pipes;
  GuardLauncher::Started started = Launch(launcher, Shell("true", "/nonexistent/wsfleet-guard-test"), pipes);
  EXPECT_EQ(started.error, ENOENT);
  EXPECT_EQ(started.status_fd, -1);
}

TEST(GuardLauncherTest, AGuardBinaryThatIsNotThereIsTheCallersError) {
  GuardLauncher launcher("/nonexistent/wsfleet-step-guard");
  StepPipes pipes;
  EXPECT_EQ(Launch(launcher, Shell("true"), pipes).error, ENOENT);
}

// A step leaves a daemon (its own session, so out of the step's group): by the time the
// guard says it swept, the daemon is gone, without the worker reading /proc.
TEST(GuardLauncherTest, WhatTheStepLeftRunningIsGoneWhenItsGuardSaysItSwept) {
  GuardLauncher launcher(WSFLEET_STEP_GUARD);
  StepPipes pipes;
  GuardLauncher::Started started =
      Launch(launcher, Shell("setsid sleep 30 < /dev/null > /dev/null 2>&1 & echo $!"), pipes);
  ASSERT_EQ(started.error, 0);
  int status = 0;
  bool swept = false;
  ASSERT_TRUE(GuardLauncher::WaitStatus(started.status_fd, status, swept));
  EXPECT_TRUE(swept);
  pid_t daemon = std::stoi(pipes.Output());
  EXPECT_EQ(::kill(daemon, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  ::close(started.status_fd);
}

// The server dies (kill -9): the step it started finishes under its guard, which reports
// how; the next step gets a new server.
TEST(GuardLauncherTest, AServerThatDiesLeavesItsStepsToTheirGuardsAndIsStartedAgain) {
  GuardLauncher launcher(WSFLEET_STEP_GUARD);
  StepPipes pipes;
  GuardLauncher::Started started = Launch(launcher, Shell("sleep 0.3; exit 4"), pipes);
  ASSERT_EQ(started.error, 0);
  pid_t first_server = launcher.server_pid();
  ASSERT_GT(first_server, 0);
  ASSERT_EQ(::kill(first_server, SIGKILL), 0);
  int status = 0;
  bool swept = false;
  ASSERT_TRUE(GuardLauncher::WaitStatus(started.status_fd, status, swept));
  EXPECT_TRUE(swept);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 4);
  ::close(started.status_fd);

  StepPipes next;
  started = Launch(launcher, Shell("exit 0"), next);
  ASSERT_EQ(started.error, 0) << std::strerror(started.error);
  EXPECT_NE(launcher.server_pid(), first_server);
  ASSERT_TRUE(GuardLauncher::WaitStatus(started.status_fd, status, swept));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(started.status_fd);
}

// A guard killed (the worker's SIGKILL to the step's group after its grace) cannot say how
// it ended: the server does, and the worker knows to look for what escaped itself.
TEST(GuardLauncherTest, AGuardKilledIsReportedByTheServerAsNotSwept) {
  GuardLauncher launcher(WSFLEET_STEP_GUARD);
  StepPipes pipes;
  GuardLauncher::Started started = Launch(launcher, Shell("sleep 30"), pipes);
  ASSERT_EQ(started.error, 0);
  ASSERT_EQ(::kill(-started.pid, SIGKILL), 0);  // the guard leads the step's group
  int status = 0;
  bool swept = true;
  ASSERT_TRUE(GuardLauncher::WaitStatus(started.status_fd, status, swept));
  EXPECT_FALSE(swept);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  ::close(started.status_fd);
}

}  // namespace
}  // namespace wsfleet::worker
