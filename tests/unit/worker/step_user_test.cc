#include "worker/step_user.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "worker/step_runner.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

class CollectingSink : public OutputSink {
 public:
  void OnOutput(OutputStream stream, std::string_view data) override {
    (stream == OutputStream::kStdout ? out : err).append(data);
  }
  std::string out, err;
};

// Running as another user needs root; these tests say so instead of passing vacuously.
#define REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (runs processes as nobody)"

class StepUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wsfleet-step-user-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms::all);  // the user gets through, as under /tmp
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(StepUserTest, ResolvesANameOrANumberAndRefusesRootAndStrangers) {
  absl::StatusOr<StepUser> by_name = ResolveStepUser("nobody");
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  EXPECT_EQ(by_name->uid, 65534u);
  EXPECT_FALSE(by_name->home.empty());
  EXPECT_FALSE(by_name->groups.empty());
  absl::StatusOr<StepUser> by_number = ResolveStepUser("65534");
  ASSERT_TRUE(by_number.ok());
  EXPECT_EQ(by_number->name, by_name->name);

  absl::StatusOr<StepUser> root = ResolveStepUser("root");
  EXPECT_FALSE(root.ok());
  EXPECT_NE(root.status().message().find("is root"), std::string::npos) << root.status();
  EXPECT_FALSE(ResolveStepUser("0").ok());
  absl::StatusOr<StepUser> stranger = ResolveStepUser("no-such-user-here");
  EXPECT_NE(stranger.status().message().find("no such user"), std::string::npos) << stranger.status();
}

TEST_F(StepUserTest, TheEnvironmentCarriesTheUsersHomeAndName) {
  StepUser user{"alice", 1000, 1000, {1000}, "/home/alice"};
  std::vector<std::string> env = EnvironmentFor(user, {"HOME=/root", "PATH=/bin", "USER=root", "LOGNAME=root"});
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "HOME=/home/alice", "USER=alice", "LOGNAME=alice"}));
}

TEST_F(StepUserTest, AStepRunsAsTheUserWithItsGroupsAndHome) {
  REQUIRE_ROOT();
  StepUser user = *ResolveStepUser("nobody");
  StepLaunch launch;
  launch.argv = {"/bin/sh", "-c", "id -u; id -g; echo $HOME; pwd; cat /proc/self/status | grep -c '^CapEff:.0000000000000000$'"};
  launch.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
  launch.workdir = dir_.string();
  launch.user = user;
  CollectingSink sink;
  StepResult result = StepRunner().Run(launch, sink);
  ASSERT_TRUE(result.succeeded()) << result.Describe() << sink.err;
  EXPECT_EQ(sink.out, std::to_string(user.uid) + "\n" + std::to_string(user.gid) + "\n" + user.home + "\n" +
                          dir_.string() + "\n1\n");
}

// The guard stays root and drops to the user only for the step: the user need not reach
// the guard's binary (a build tree under a 0700 directory), and cannot signal the guard.
TEST_F(StepUserTest, AGuardedStepRunsAsTheUserUnderAGuardTheUserCannotReach) {
  REQUIRE_ROOT();
  StepUser user = *ResolveStepUser("nobody");
  fs::path closed = dir_ / "closed";
  fs::create_directories(closed);
  fs::permissions(closed, fs::perms::owner_all);
  fs::copy_file(WSFLEET_STEP_GUARD, closed / "wsfleet-step-guard");
  fs::path work = dir_ / "work";
  ASSERT_TRUE(PrepareStepUserWorkdir(user, work.string()).ok());
  StepFence fence((closed / "wsfleet-step-guard").string());
  StepLaunch launch;
  launch.argv = {"/bin/sh", "-c",
                 "id -u; id -G; pwd; echo $TMPDIR; kill -TERM $PPID 2>/dev/null && echo signalled || echo refused"};
  launch.env = {"PATH=/usr/bin:/bin", "TMPDIR=/tmp/scratch"};
  launch.workdir = work.string();
  launch.user = user;
  launch.fence = &fence;
  CollectingSink sink;
  StepResult result;
  // From a thread that checks files as the user, as the worker's attempt threads do: the
  // guard still starts as plain root (not in secure mode, which would drop TMPDIR).
  std::thread([&] {
    ThreadFilesystemUser as_user(user);
    result = StepRunner().Run(launch, sink);
  }).join();
  ASSERT_TRUE(result.succeeded()) << result.Describe() << sink.err;
  std::string groups;
  for (gid_t group : user.groups) groups += (groups.empty() ? "" : " ") + std::to_string(group);
  EXPECT_EQ(sink.out, std::to_string(user.uid) + "\n" + groups + "\n" + work.string() + "\n/tmp/scratch\nrefused\n");
}

TEST_F(StepUserTest, TellsWhetherTheUserCanRunAProgramThroughEveryDirectoryAboveIt) {
  REQUIRE_ROOT();
  StepUser user = *ResolveStepUser("nobody");
  EXPECT_TRUE(UserCanExecute(user, "/bin/sh"));
  fs::path closed = dir_ / "closed";
  fs::create_directories(closed);
  fs::copy_file("/bin/true", closed / "tool");
  fs::permissions(closed, fs::perms::owner_all);
  EXPECT_FALSE(UserCanExecute(user, (closed / "tool").string())) << "a 0700 directory above it";
  EXPECT_TRUE(::access((closed / "tool").c_str(), X_OK) == 0) << "root itself still can";
  fs::permissions(closed, fs::perms::all);
  EXPECT_TRUE(UserCanExecute(user, (closed / "tool").string()));
  EXPECT_FALSE(UserCanExecute(user, (dir_ / "missing").string()));
}

TEST_F(StepUserTest, AProgramThatCannotStartIsReportedAsWithoutAUser) {
  REQUIRE_ROOT();
  StepLaunch launch;
  launch.argv = {"/nonexistent/tool"};
  launch.user = *ResolveStepUser("nobody");
  CollectingSink sink;
  StepResult result = StepRunner().Run(launch, sink);
  EXPECT_FALSE(result.started);
  EXPECT_NE(result.error.find("No such file"), std::string::npos) << result.error;
  // A workdir the user cannot enter is an error of its own, not a step run elsewhere.
  fs::path closed = dir_ / "closed";
  fs::create_directories(closed);
  fs::permissions(closed, fs::perms::owner_all);
  launch.argv = {"/bin/true"};
  launch.workdir = closed.string();
  result = StepRunner().Run(launch, sink);
  EXPECT_FALSE(result.started);
  EXPECT_NE(result.error.find("Permission denied"), std::string::npos) << result.error;
}

TEST_F(StepUserTest, AThreadWorksOnFilesWithTheUsersRightsAndThenGetsItsOwnBack) {
  REQUIRE_ROOT();
  StepUser user = *ResolveStepUser("nobody");
  fs::path secret = dir_ / "secret";
  std::ofstream(secret) << "key";
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write);
  bool read_as_user = true, created = false;
  uid_t owner = 0;
  std::thread([&] {
    ThreadFilesystemUser as_user(user);
    ASSERT_TRUE(as_user.ok());
    read_as_user = std::ifstream(secret).good();
    created = std::ofstream(dir_ / "made").good();
    struct stat info {};
    if (::stat((dir_ / "made").c_str(), &info) == 0) owner = info.st_uid;
  }).join();
  EXPECT_FALSE(read_as_user) << "the thread read root's 0600 file as nobody";
  EXPECT_TRUE(created);
  EXPECT_EQ(owner, user.uid);
  EXPECT_TRUE(std::ifstream(secret).good()) << "other threads keep root's rights";
  // And the thread itself, once the scope ends.
  bool read_after = false;
  std::thread([&] {
    { ThreadFilesystemUser as_user(user); }
    read_after = std::ifstream(secret).good();
  }).join();
  EXPECT_TRUE(read_after);
}

TEST_F(StepUserTest, AWorkdirMustBelongToTheUserAndBeReachable) {
  REQUIRE_ROOT();
  StepUser user = *ResolveStepUser("nobody");
  fs::path made = dir_ / "new" / "work";
  ASSERT_TRUE(PrepareStepUserWorkdir(user, made.string()).ok());
  struct stat info {};
  ASSERT_EQ(::stat(made.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, user.uid);
  EXPECT_TRUE(fs::is_empty(made)) << "the write probe is gone";

  fs::path roots = dir_ / "roots";
  fs::create_directories(roots);
  absl::Status refused = PrepareStepUserWorkdir(user, roots.string());
  EXPECT_NE(refused.message().find("must belong to nobody"), std::string::npos) << refused;

  fs::path fenced = dir_ / "fenced";
  fs::create_directories(fenced / "work");
  ASSERT_EQ(::chown((fenced / "work").c_str(), user.uid, user.gid), 0);
  fs::permissions(fenced, fs::perms::owner_all);
  absl::Status closed = PrepareStepUserWorkdir(user, (fenced / "work").string());
  EXPECT_NE(closed.message().find("cannot write"), std::string::npos) << closed;
}

}  // namespace
}  // namespace wsfleet::worker
