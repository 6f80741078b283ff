#include "common/plan_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wsfleet::common {
namespace {
namespace fs = std::filesystem;

class PlanLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("wsfleet-loader-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& relative, const std::string& text) {
    fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path root_;
};

TEST_F(PlanLoaderTest, WalksFoldersRecursivelyAndClassifiesFiles) {
  Write("ws01-a/README.md", "# WS-01: A\n**Duration**: 1 day\n");
  Write("ws02-b/README.md", "# WS-02: B\n**Duration**: 1 day\n**Dependencies**: WS-01\n");
  Write("ws02-b/COMPLETION_SUMMARY.md", "# WS-02: B - Completion Summary\n");
  Write("notes.md", "# Notes\n\nNothing here.\n");
  Write("template.md", "# WS-XX: [Workstream Name]\n**ID**: WS-XX\n");
  Write(".hidden/WS-09.md", "# WS-09: Hidden\n");
  Write("ws03.txt", "# WS-03: not markdown by name\n");
  Plan plan = LoadPlan({root_.string()});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan.workstreams.size(), 2u);
  EXPECT_EQ(plan.ignored.size(), 3u);
  EXPECT_EQ(plan.card_files.size(), 2u);
}

TEST_F(PlanLoaderTest, AFileIsReadWhateverItsName) {
  Write("plan.txt", "# WS-03: C\n**Duration**: 1 day\n");
  Plan plan = LoadPlan({(root_ / "plan.txt").string()});
  ASSERT_EQ(plan.workstreams.size(), 1u);
}

TEST_F(PlanLoaderTest, SameFileTwiceCountsOnce) {
  Write("a.md", "# WS-03: C\n**Duration**: 1 day\n");
  Plan plan = LoadPlan({root_.string(), (root_ / "a.md").string()});
  EXPECT_TRUE(plan.ok());
  EXPECT_EQ(plan.workstreams.size(), 1u);
}

TEST_F(PlanLoaderTest, MissingPathIsAnError) {
  Plan plan = LoadPlan({(root_ / "nope").string()});
  ASSERT_EQ(plan.diagnostics.error_count(), 1);
  EXPECT_EQ(plan.diagnostics.all()[0].message, "no such file or directory");
}

TEST_F(PlanLoaderTest, UnreadableEntriesAreErrorsNotHangs) {
  Write("a.md", "# WS-01: A\n**Duration**: 1 day\n");
  fs::create_symlink(root_ / "gone.md", root_ / "dangling.md");
  ASSERT_EQ(::mkfifo((root_ / "pipe.md").c_str(), 0600), 0);
  Plan plan = LoadPlan({root_.string()});
  EXPECT_EQ(plan.diagnostics.error_count(), 2);
  Plan direct = LoadPlan({(root_ / "pipe.md").string()});
  ASSERT_EQ(direct.diagnostics.error_count(), 1);
  EXPECT_EQ(direct.diagnostics.all()[0].message, "not a regular file or directory");
}

TEST_F(PlanLoaderTest, TooLargeFileIsRefused) {
  Write("big.md", std::string(2048, 'x'));
  LoadOptions options;
  options.max_file_bytes = 1024;
  Plan plan = LoadPlan({root_.string()}, options);
  EXPECT_EQ(plan.diagnostics.error_count(), 1);
}

TEST(PlanLoaderExampleTest, HelloFleetIsValidWithoutWarnings) {
  Plan plan = LoadPlan({WSFLEET_EXAMPLES_DIR "/hello-fleet"});
  for (const Diagnostic& diagnostic : plan.diagnostics.all()) {
    ADD_FAILURE() << diagnostic.ToString();
  }
  EXPECT_GE(plan.workstreams.size(), 8u);
  EXPECT_LE(plan.workstreams.size(), 12u);
}

}  // namespace
}  // namespace wsfleet::common
