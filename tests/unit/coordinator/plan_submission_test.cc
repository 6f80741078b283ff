// wsfleet run's start on a state directory: submit, resume the same cards, refuse others.

#include "coordinator/plan_submission.h"

#include "common/plan_loader.h"
#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

class PlanSubmissionTest : public SchedulerTest {
 protected:
  absl::StatusOr<PlanSubmission> Start(const std::vector<common::SourceFile>& cards) {
    return SubmitOrResume(*scheduler_, common::AssemblePlan(cards), "demo", false, "/state");
  }
};

TEST_F(PlanSubmissionTest, AFreshDirectorySubmitsThePlan) {
  absl::StatusOr<PlanSubmission> started = Start({Card(1, "None")});
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_FALSE(started->resumed);
  EXPECT_EQ(scheduler_->plan_row().plan_id, started->plan_id);
  EXPECT_EQ(scheduler_->plan_row().files.size(), 1u) << "the parsed sources are stored";
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
  absl::StatusOr<PlanSubmission> other = Start({Card(2, "None")});
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
