// wsfleet run's start on a state directory: submit, resume the same cards, refuse others.

#include "coordinator/plan_submission.h"

#include <set>

#include "common/plan_loader.h"
#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

class PlanSubmissionTest : public SchedulerTest {
 protected:
  absl::StatusOr<PlanSubmission> Start(const std::vector<common::SourceFile>& cards,
                                       const RerunOptions& rerun = {}, const std::string& name = "demo") {
    return SubmitOrResume(*scheduler_, common::AssemblePlan(cards), name, false, "/state", rerun);
  }

  // Runs what is placed until nothing more is: `failing` workstreams fail, the rest
  // succeed. Gives the workstreams that ran, in order.
  std::vector<std::string> RunToTheEnd(const std::set<std::string>& failing = {}) {
    std::vector<std::string> ran;
    for (int round = 0; round < 20; ++round) {
      std::vector<std::pair<std::string, v1::AttemptSpec>> assigns = output_.TakeAssigns();
      if (assigns.empty()) break;
      for (const auto& [worker, spec] : assigns) {
        ran.push_back(spec.workstream_id());
        Complete(worker, spec.attempt_id(),
                 failing.count(spec.workstream_id()) ? v1::ATTEMPT_OUTCOME_FAILED : v1::ATTEMPT_OUTCOME_SUCCEEDED);
      }
    }
    return ran;
  }
};

using Ids = std::vector<std::string>;

// Run again after a halt (WS-02 failed; WS-03 depends on it): nothing that succeeded runs
// again, and only --rerun-failed runs what failed, with what it blocked. It re-ran, and
// re-paid agents for, everything.
TEST_F(PlanSubmissionTest, AHaltedRunResumedRunsAgainOnlyWhatFailedWhenAsked) {
  options_.default_failed_retries = 0;
  Restart();
  Hello("w1", 4);
  std::vector<common::SourceFile> cards = {Card(1, "None"), Card(2, "None"), Card(3, "WS-02")};
  ASSERT_TRUE(Start(cards).ok());
  EXPECT_EQ(RunToTheEnd({"WS-02"}), (Ids{"WS-02", "WS-01"})) << "WS-02 first: the longer path";
  ASSERT_TRUE(scheduler_->Done());
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_BLOCKED);

  absl::StatusOr<PlanSubmission> again = Start(cards);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->resumed);
  EXPECT_TRUE(RunToTheEnd().empty()) << "nothing runs again by itself";
  EXPECT_TRUE(scheduler_->Done());

  absl::StatusOr<PlanSubmission> rerun = Start(cards, {true, {}, false});
  ASSERT_TRUE(rerun.ok()) << rerun.status();
  EXPECT_EQ(rerun->rerun, 2);
  EXPECT_EQ(RunToTheEnd(), (Ids{"WS-02", "WS-03"}));
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_SUCCEEDED);

  absl::StatusOr<PlanSubmission> named = Start(cards, {false, {"WS-02"}, false});
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(RunToTheEnd(), (Ids{"WS-02", "WS-03"})) << "a named one runs again with its dependents";
  EXPECT_FALSE(Start(cards, {false, {"WS-09"}, false}).ok()) << "an unknown ID";
}

// An edited card runs again with its dependents, and after a restart the edit is not
// found again (the cards were stored); --keep-changed stores the edit and runs nothing.
// A card added runs; one removed goes.
TEST_F(PlanSubmissionTest, EditedCardsRunAgainWithTheirDependentsAndNothingElse) {
  Hello("w1", 4);
  std::vector<common::SourceFile> cards = {Card(1, "None"), Card(2, "None"), Card(3, "WS-02")};
  ASSERT_TRUE(Start(cards).ok());
  EXPECT_EQ(RunToTheEnd().size(), 3u);

  cards[1] = Card(2, "None", "**Priority**: P1\n");
  absl::StatusOr<PlanSubmission> edited = Start(cards);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->revision.changed, (Ids{"WS-02"}));
  EXPECT_EQ(edited->rerun, 2);
  EXPECT_EQ(RunToTheEnd(), (Ids{"WS-02", "WS-03"}));

  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  Hello("w1", 4);
  absl::StatusOr<PlanSubmission> after_restart = Start(cards);
  ASSERT_TRUE(after_restart.ok()) << after_restart.status();
  EXPECT_TRUE(after_restart->revision.changed.empty()) << "the edited cards were stored";
  EXPECT_TRUE(RunToTheEnd().empty());

  cards[0] = Card(1, "None", "**Priority**: P2\n");
  absl::StatusOr<PlanSubmission> kept = Start(cards, {false, {}, true});
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->revision.changed, (Ids{"WS-01"}));
  EXPECT_TRUE(RunToTheEnd().empty()) << "--keep-changed";

  absl::StatusOr<PlanSubmission> reshaped = Start({cards[0], cards[1], Card(4, "WS-01")});
  ASSERT_TRUE(reshaped.ok()) << reshaped.status();
  EXPECT_EQ(reshaped->revision.added, (Ids{"WS-04"}));
  EXPECT_EQ(reshaped->revision.removed, (Ids{"WS-03"}));
  EXPECT_EQ(RunToTheEnd(), (Ids{"WS-04"}));
  EXPECT_EQ(scheduler_->Status().workstreams_size(), 3);
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok()) << "the removed workstream's attempts went with it";
  EXPECT_EQ(State("WS-04"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(PlanSubmissionTest, CardsEditedWhileTheirRunIsUnfinishedAreRefused) {
  std::vector<common::SourceFile> cards = {Card(1, "None")};
  ASSERT_TRUE(Start(cards).ok());
  absl::StatusOr<PlanSubmission> edited = Start({Card(1, "None", "**Priority**: P1\n")});
  ASSERT_FALSE(edited.ok());
  EXPECT_NE(edited.status().message().find("changed while its run is unfinished"), std::string::npos)
      << edited.status();
}

TEST_F(PlanSubmissionTest, AFreshDirectorySubmitsThePlan) {
  absl::StatusOr<PlanSubmission> started = Start({Card(1, "None")});
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_FALSE(started->resumed);
  EXPECT_EQ(scheduler_->plan_row().plan_id, started->plan_id);
  EXPECT_EQ(scheduler_->plan()->sources.size(), 1u);
  EXPECT_EQ(store_->Load()->plans.at(0).plan.files.size(), 1u) << "the parsed sources are stored";
  EXPECT_TRUE(scheduler_->plan_row().files.empty()) << "and not kept twice in memory";
}

TEST_F(PlanSubmissionTest, AnUnfinishedRunOfTheSameCardsCarriesOnAfterARestart) {
  absl::StatusOr<PlanSubmission> first = Start({Card(1, "None")});
  ASSERT_TRUE(first.ok());
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  absl::StatusOr<PlanSubmission> again = Start({Card(1, "None")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(again->plan_id, first->plan_id);
}

TEST_F(PlanSubmissionTest, AnUnfinishedRunOfOtherCardsIsNotReplaced) {
  ASSERT_TRUE(Start({Card(1, "None")}).ok());
  absl::StatusOr<PlanSubmission> other = Start({Card(2, "None")}, {}, "other");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("/state holds an unfinished run of plan"), std::string::npos)
      << other.status();
}

TEST_F(PlanSubmissionTest, APlanWithErrorsIsRefusedNamingFileAndLine) {
  absl::StatusOr<PlanSubmission> bad = Start({Card(1, "WS-07")});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("ws1.md:"), std::string::npos) << bad.status();
  EXPECT_FALSE(scheduler_->has_plan());
}

}  // namespace
}  // namespace wsfleet::coordinator
