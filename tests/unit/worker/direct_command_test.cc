#include "worker/direct_command.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "worker/step_runner.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;
using Words = std::vector<std::string>;

bool Has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

TEST(SimpleCommandWordsTest, SplitsPlainWords) {
  EXPECT_EQ(*SimpleCommandWords("touch out/WS-0001\n"), (Words{"touch", "out/WS-0001"}));
  EXPECT_EQ(*SimpleCommandWords("  ctest\t--output-on-failure -j 4  "),
            (Words{"ctest", "--output-on-failure", "-j", "4"}));
  EXPECT_EQ(*SimpleCommandWords("make CC=gcc-12 all,x:y+z@h%1"),
            (Words{"make", "CC=gcc-12", "all,x:y+z@h%1"}));
}

TEST(SimpleCommandWordsTest, LeavesAnythingWithShellSyntaxToTheShell) {
  for (const char* script :
       {"echo 'a b'", "echo \"a\"", "ls $HOME", "ls ${X}", "ls `pwd`", "ls \\a", "ls *.cc",
        "ls a?", "ls [ab]", "ls ~", "ls ~/x", "ls # comment", "a; b", "a && b", "a & ", "a | b",
        "a > f", "a < f", "(a)", "ls {a,b}", "! a", "a\nb", "a\r", "touch é"}) {
    EXPECT_FALSE(SimpleCommandWords(script)) << script;
  }
}

TEST(SimpleCommandWordsTest, LeavesAssignmentsBuiltinsAndKeywordsToTheShell) {
  for (const char* script : {"CC=gcc make", "cd build", "echo hi", "test -f x", "true", "exit 1",
                             "export A", "exec ls", "set -x", "time make", "kill 1", "printf x",
                             "source env.sh", ". env.sh", "if", "pwd", "wait", "ulimit -n"}) {
    EXPECT_FALSE(SimpleCommandWords(script)) << script;
  }
  EXPECT_FALSE(SimpleCommandWords(""));
  EXPECT_FALSE(SimpleCommandWords("  \n"));
}

class PlanDirectCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wsfleet-direct-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "bin");
    dir_ = fs::canonical(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteFile(const fs::path& path, const std::string& text, fs::perms perms) {
    std::ofstream(path) << text;
    fs::permissions(path, perms);
  }

  fs::path dir_;
};

TEST_F(PlanDirectCommandTest, FindsTheProgramOnPathAsTheShellWould) {
  // Not executable, then a directory, then the real one: the shell skips the first two.
  WriteFile(dir_ / "bin" / "touch", "", fs::perms::owner_read);
  fs::create_directories(dir_ / "dirbin" / "touch");
  std::vector<std::string> env = {"PATH=" + (dir_ / "bin").string() + ":" + (dir_ / "dirbin").string() +
                                      ":/usr/bin:/bin",
                                  "PWD=/nowhere"};
  std::optional<DirectCommand> direct = PlanDirectCommand("touch a", StepShell::kSh, dir_.string(), env);
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->path, "/usr/bin/touch");
  EXPECT_EQ(direct->argv, (Words{"touch", "a"}));
  EXPECT_TRUE(Has(direct->env, "PWD=" + dir_.string()));  // the stale PWD replaced
  EXPECT_FALSE(Has(direct->env, "PWD=/nowhere"));
  EXPECT_TRUE(std::none_of(direct->env.begin(), direct->env.end(),  // dash sets no $_
                           [](const std::string& entry) { return entry.rfind("_=", 0) == 0; }));
}

TEST_F(PlanDirectCommandTest, LeavesWhatItCannotResolveExactlyToTheShell) {
  std::string workdir = dir_.string();
  EXPECT_FALSE(PlanDirectCommand("no-such-program-here", StepShell::kSh, workdir, {"PATH=/usr/bin:/bin"}));
  EXPECT_FALSE(PlanDirectCommand("touch a", StepShell::kSh, workdir, {}));  // no PATH
  EXPECT_FALSE(PlanDirectCommand("touch a", StepShell::kSh, workdir, {"PATH=bin:/usr/bin"}));
  EXPECT_FALSE(PlanDirectCommand("touch a", StepShell::kSh, workdir, {"PATH=:/usr/bin"}));
  EXPECT_FALSE(PlanDirectCommand("touch 'a'", StepShell::kSh, workdir, {"PATH=/usr/bin:/bin"}));
  WriteFile(dir_ / "plain.txt", "x", fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(PlanDirectCommand("./plain.txt", StepShell::kSh, workdir, {"PATH=/usr/bin:/bin"}));
}

TEST_F(PlanDirectCommandTest, RunsAPathRelativeToTheWorkdir) {
  WriteFile(dir_ / "bin" / "tool", "#!/bin/sh\n", fs::perms::owner_all);
  std::optional<DirectCommand> direct =
      PlanDirectCommand("bin/tool x", StepShell::kBash, dir_.string(), {"PATH=/usr/bin:/bin"});
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->path, (dir_ / "bin" / "tool").string());
  EXPECT_TRUE(Has(direct->env, "_=bin/tool"));
  EXPECT_TRUE(Has(direct->env, "SHLVL=0"));
}

TEST_F(PlanDirectCommandTest, KeepsAnInheritedPwdThatNamesTheWorkdir) {
  fs::create_directory_symlink(dir_, dir_.string() + "-link");
  std::string link = dir_.string() + "-link";
  std::optional<DirectCommand> direct =
      PlanDirectCommand("touch a", StepShell::kSh, link, {"PATH=/usr/bin:/bin", "PWD=" + link});
  fs::remove(link);
  ASSERT_TRUE(direct);
  EXPECT_TRUE(Has(direct->env, "PWD=" + link));
}

TEST_F(PlanDirectCommandTest, LeavesBashWithStartupStateToBash) {
  for (const char* entry : {"BASH_ENV=/etc/x", "BASH_FUNC_touch%%=() { :; }", "SHELLOPTS=xtrace",
                            "BASHOPTS=extglob", "SHLVL=abc", "SHLVL=999", "SHLVL=-1"}) {
    std::vector<std::string> env = {"PATH=/usr/bin:/bin", entry};
    EXPECT_FALSE(PlanDirectCommand("touch a", StepShell::kBash, dir_.string(), env)) << entry;
  }
  // dash reads none of them.
  EXPECT_TRUE(PlanDirectCommand("touch a", StepShell::kSh, dir_.string(),
                                {"PATH=/usr/bin:/bin", "BASH_ENV=/etc/x", "SHLVL=abc"}));
  std::optional<DirectCommand> direct = PlanDirectCommand(
      "touch a", StepShell::kBash, dir_.string(), {"PATH=/usr/bin:/bin", "SHLVL=3"});
  ASSERT_TRUE(direct);
  EXPECT_TRUE(Has(direct->env, "SHLVL=3"));
  EXPECT_TRUE(Has(direct->env, "_=/usr/bin/touch"));
}

// The real test of the fast path: the program sees what it would have seen under the shell.
class CollectingSink : public OutputSink {
 public:
  void OnOutput(OutputStream stream, std::string_view data) override {
    (stream == OutputStream::kStdout ? out : err).append(data);
  }
  std::string out, err;
};

std::string SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string sorted;
  for (const std::string& line : lines) sorted += line + "\n";
  return sorted;
}

struct Ran {
  StepResult result;
  std::string out;
};

Ran RunStep(const std::string& script, StepShell shell, const std::string& workdir,
            const std::vector<std::string>& env, bool direct) {
  StepLaunch launch;
  launch.argv = shell == StepShell::kSh
                    ? std::vector<std::string>{"/bin/sh", "-e", "-c", script}
                    : std::vector<std::string>{"/bin/bash", "-eo", "pipefail", "-c", script};
  launch.workdir = workdir;
  launch.env = env;
  if (direct) {
    launch.direct = PlanDirectCommand(script, shell, workdir, env);
    EXPECT_TRUE(launch.direct) << script;
  }
  CollectingSink sink;
  Ran ran{StepRunner().Run(launch, sink), sink.out};
  return ran;
}

TEST_F(PlanDirectCommandTest, TheProgramSeesTheEnvironmentTheShellWouldHaveGivenIt) {
  for (StepShell shell : {StepShell::kSh, StepShell::kBash}) {
    for (std::vector<std::string> env :
         {std::vector<std::string>{"PATH=/usr/bin:/bin", "PWD=/stale", "A=1"},
          std::vector<std::string>{"PATH=/usr/bin:/bin", "PWD=" + dir_.string(), "SHLVL=2"}}) {
      Ran shelled = RunStep("env", shell, dir_.string(), env, false);
      Ran direct = RunStep("env", shell, dir_.string(), env, true);
      // Each step's own tag (WSFLEET_STEP_TAG, which StepRunner adds) differs; it is in both.
      auto untagged = [](const std::string& out) {
        std::string kept;
        for (absl::string_view line : absl::StrSplit(SortedLines(out), '\n')) {
          if (!absl::StartsWith(line, "WSFLEET_STEP_TAG=") && !line.empty()) kept += std::string(line) + "\n";
        }
        return kept;
      };
      EXPECT_EQ(untagged(direct.out), untagged(shelled.out)) << (shell == StepShell::kSh ? "sh" : "bash");
      EXPECT_NE(direct.out.find("WSFLEET_STEP_TAG="), std::string::npos);
      EXPECT_NE(shelled.out.find("WSFLEET_STEP_TAG="), std::string::npos);
      EXPECT_EQ(direct.result.exit_code, shelled.result.exit_code);
    }
  }
}

TEST_F(PlanDirectCommandTest, TheProgramIsTheStepsProcessItself) {
  // /proc/self/stat: "pid (comm) state ppid pgrp ...". Without the shell the program leads
  // its process group; under the shell it is the shell's child.
  auto leads_group = [&](bool direct) {
    Ran ran = RunStep("cat /proc/self/stat", StepShell::kSh, dir_.string(), {"PATH=/usr/bin:/bin"}, direct);
    std::istringstream fields(ran.out);
    std::string pid, comm, state, ppid, pgrp;
    fields >> pid >> comm >> state >> ppid >> pgrp;
    EXPECT_TRUE(ran.result.succeeded());
    return pid == pgrp;
  };
  EXPECT_TRUE(leads_group(true));
  EXPECT_FALSE(leads_group(false));
}

TEST_F(PlanDirectCommandTest, AProgramTheKernelWillNotRunGoesToTheShell) {
  // Executable but no #! line: execve refuses it (ENOEXEC); the shell runs it as a script.
  WriteFile(dir_ / "script", "echo ran as a script $((1 + 1))\n", fs::perms::owner_all);
  Ran ran = RunStep("./script", StepShell::kSh, dir_.string(), {"PATH=/usr/bin:/bin"}, true);
  EXPECT_TRUE(ran.result.succeeded()) << ran.result.Describe();
  EXPECT_EQ(ran.out, "ran as a script 2\n");
}

TEST_F(PlanDirectCommandTest, ExitCodesAreThePrograms) {
  Ran ran = RunStep("ls no-such-file", StepShell::kBash, dir_.string(), {"PATH=/usr/bin:/bin"}, true);
  Ran shelled = RunStep("ls no-such-file", StepShell::kBash, dir_.string(), {"PATH=/usr/bin:/bin"}, false);
  EXPECT_EQ(ran.result.exit_code, 2);
  EXPECT_EQ(shelled.result.exit_code, 2);
}

}  // namespace
}  // namespace wsfleet::worker
