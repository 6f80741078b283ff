// Merging back on a real git repository: the turn is waited for, the integration branch
// moves by compare-and-swap, and a base that moved meanwhile means the steps run again.

#include "worker/merge_back.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/child_process.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

class MergeBackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = fs::temp_directory_path() / ("wsfleet-merge-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(repo_);
    fs::create_directories(repo_);
    Sh("git init -q -b main && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m init");
  }
  void TearDown() override { fs::remove_all(repo_); }

  void Sh(const std::string& command) {
    ASSERT_EQ(std::system(("cd '" + repo_.string() + "' && " + command + " > /dev/null 2>&1").c_str()), 0) << command;
  }
  std::vector<std::string> Env() const { return {"PATH=/usr/bin:/bin", "HOME=" + repo_.string()}; }
  GitWorkspace Workspace(const std::string& id) {
    GitWorkspace git(repo_.string(), "p1", id, Env());
    EXPECT_TRUE(git.Prepare().ok());
    return git;
  }
  static v1::AttemptSpec Spec(const std::string& id) {
    v1::AttemptSpec spec;
    spec.set_workstream_id(id);
    spec.set_attempt_id(id + "-a1");
    spec.set_name("work");
    return spec;
  }
  MergeBackHooks Hooks(std::optional<std::string> turn = std::string()) {
    MergeBackHooks hooks;
    hooks.emit = [this](v1::Event event) { events_.push_back(event); };
    hooks.wait_for_turn = [turn] { return turn; };
    hooks.write_back = [](const std::string&) { return std::string(); };
    hooks.retest = [this] {
      ++retests_;
      v1::AttemptFinished ok;
      ok.set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
      return ok;
    };
    hooks.note = [](const std::string&) {};
    return hooks;
  }
  std::string Integration() {
    absl::StatusOr<std::string> tip =
        common::RunCapturingOutput({"/usr/bin/git", "-C", repo_.string(), "rev-parse", "wsfleet/p1/integration"});
    std::string text = tip.ok() ? *tip : "";
    if (!text.empty() && text.back() == '\n') text.pop_back();
    EXPECT_EQ(text.size(), 40u) << "no integration branch";
    return text;
  }

  fs::path repo_;
  std::vector<v1::Event> events_;
  int retests_ = 0;
};

TEST_F(MergeBackTest, TheWorkIsCommittedAndTheIntegrationBranchMovesToIt) {
  GitWorkspace git = Workspace("WS-01");
  std::ofstream(fs::path(git.path()) / "a.txt") << "a\n";
  v1::AttemptFinished finished = MergeBack(git, Spec("WS-01"), Hooks());
  EXPECT_EQ(finished.outcome(), v1::ATTEMPT_OUTCOME_SUCCEEDED) << finished.message();
  EXPECT_EQ(finished.merge(), "merged");
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_TRUE(events_[0].has_merge_request()) << "the turn is asked for before anything moves";
  ASSERT_TRUE(events_[1].has_merged());
  EXPECT_EQ(events_[1].merged().commit(), Integration());
  EXPECT_EQ(retests_, 0) << "nothing merged meanwhile: the steps' verdict stands";
}

TEST_F(MergeBackTest, ACancelWhileWaitingForTheTurnMovesNothing) {
  GitWorkspace git = Workspace("WS-01");
  std::string before = Integration();
  std::ofstream(fs::path(git.path()) / "a.txt") << "a\n";
  v1::AttemptFinished finished = MergeBack(git, Spec("WS-01"), Hooks(std::nullopt));
  EXPECT_EQ(finished.outcome(), v1::ATTEMPT_OUTCOME_CANCELLED);
  EXPECT_EQ(Integration(), before);
  EXPECT_EQ(events_.size(), 1u) << "only the request";
}

TEST_F(MergeBackTest, WorkMergedMeanwhileMeansTheStepsJudgeTheRebasedWorkAgain) {
  GitWorkspace first = Workspace("WS-01");
  GitWorkspace second = Workspace("WS-02");
  std::ofstream(fs::path(first.path()) / "a.txt") << "a\n";
  std::ofstream(fs::path(second.path()) / "b.txt") << "b\n";
  ASSERT_EQ(MergeBack(first, Spec("WS-01"), Hooks()).outcome(), v1::ATTEMPT_OUTCOME_SUCCEEDED);
  EXPECT_EQ(retests_, 0);
  v1::AttemptFinished finished = MergeBack(second, Spec("WS-02"), Hooks());
  EXPECT_EQ(finished.outcome(), v1::ATTEMPT_OUTCOME_SUCCEEDED) << finished.message();
  EXPECT_EQ(retests_, 1);
  EXPECT_TRUE(fs::exists(fs::path(second.path()) / "a.txt")) << "rebased onto WS-01's work";
}

}  // namespace
}  // namespace wsfleet::worker
