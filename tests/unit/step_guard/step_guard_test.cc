#include "step_guard/step_guard.h"

#include <gtest/gtest.h>

namespace wsfleet::step_guard {
namespace {

TEST(GuardArgumentsTest, ReadsTheFenceTheDirectCommandAndTheShell) {
  GuardedCommand command;
  std::string error;
  ASSERT_TRUE(ParseGuardArguments({"3", "--direct", "/bin/echo", "2", "echo", "hi", "--", "/bin/sh", "-c", "echo hi"},
                                  command, error))
      << error;
  EXPECT_EQ(command.fence_fd, 3);
  EXPECT_FALSE(command.as_user);
  EXPECT_EQ(command.direct_path, "/bin/echo");
  EXPECT_EQ(command.direct_argv, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(command.shell_path, "/bin/sh");
  EXPECT_EQ(command.shell_argv, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
}

TEST(GuardArgumentsTest, ReadsTheStepUser) {
  GuardedCommand command;
  std::string error;
  ASSERT_TRUE(ParseGuardArguments({"3", "--user", "65534", "65534", "65534,27", "--", "/bin/true"}, command, error))
      << error;
  EXPECT_TRUE(command.as_user);
  EXPECT_EQ(command.uid, 65534u);
  EXPECT_EQ(command.gid, 65534u);
  EXPECT_EQ(command.groups, (std::vector<gid_t>{65534, 27}));
  ASSERT_TRUE(ParseGuardArguments({"3", "--user", "1000", "1000", "-", "--direct", "/bin/true", "1", "true", "--",
                                   "/bin/sh", "-c", "true"},
                                  command, error))
      << error;
  EXPECT_TRUE(command.groups.empty());
  EXPECT_EQ(command.direct_path, "/bin/true");
}

TEST(GuardArgumentsTest, RefusesWhatIsNotAStepUser) {
  GuardedCommand command;
  std::string error;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"3", "--user", "0", "0", "-", "--", "/bin/true"},
           {"3", "--user", "x", "1", "-", "--", "/bin/true"},
           {"3", "--user", "1", "1", "1,,2", "--", "/bin/true"},
           {"3", "--user", "4294967295", "1", "-", "--", "/bin/true"},
           {"3", "--user", "1", "1"},
           {"x", "--", "/bin/true"},
           {"3", "/bin/true"},
           {"3", "--direct", "/bin/true", "2", "true", "--", "/bin/true"},
       }) {
    EXPECT_FALSE(ParseGuardArguments(args, command, error)) << args[1] << " " << (args.size() > 2 ? args[2] : "");
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace wsfleet::step_guard
