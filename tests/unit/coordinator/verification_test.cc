// wsfleet, not the agent, decides when a workstream is done: steps that exit 0 are not
// enough when a parsed test failed, a named deliverable is missing, or (strict) a
// criterion could not be checked. `lenient` keeps the old rule (steps and checked
// criteria only).

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

class VerificationTest : public SchedulerTest {
 protected:
  static v1::Event TestCase(const std::string& attempt, uint64_t seq, const std::string& suite,
                            const std::string& name, v1::TestStatus status) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_test()->set_framework("gtest");
    event.mutable_test()->set_suite(suite);
    event.mutable_test()->set_name(name);
    event.mutable_test()->set_status(status);
    return event;
  }
  static v1::Event Deliverable(const std::string& attempt, uint64_t seq, const std::string& path, bool exists) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_deliverable()->set_path(path);
    event.mutable_deliverable()->set_exists(exists);
    return event;
  }

  // Submits one card, runs its attempt to a successful end with `events` between.
  void RunOne(const std::string& card_extra, const std::function<std::vector<v1::Event>(const std::string&)>& events) {
    Submit({Card(1, "None", card_extra)});
    Hello("w1", 1);
    auto assigns = output_.TakeAssigns();
    ASSERT_EQ(assigns.size(), 1u);
    const std::string& attempt = assigns[0].second.attempt_id();
    std::vector<v1::Event> all = {Started(attempt, 1)};
    for (v1::Event& event : events(attempt)) all.push_back(std::move(event));
    all.push_back(Finished(attempt, all.size() + 1, v1::ATTEMPT_OUTCOME_SUCCEEDED));
    Report("w1", all);
  }
};

TEST_F(VerificationTest, AParsedTestFailureFailsAStepThatExitedZero) {
  RunOne("", [](const std::string& a) {
    return std::vector<v1::Event>{TestCase(a, 2, "A", "b", v1::TEST_STATUS_PASSED),
                                  TestCase(a, 3, "A", "c", v1::TEST_STATUS_FAILED)};
  });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "1 test failed: A.c");
}

TEST_F(VerificationTest, ErroredTestsCountAndTheirNamesAreListed) {
  RunOne("", [](const std::string& a) {
    std::vector<v1::Event> events;
    for (int i = 0; i < 7; ++i) {
      events.push_back(TestCase(a, 2 + i, "S", "t" + std::to_string(i),
                                i == 0 ? v1::TEST_STATUS_ERROR : v1::TEST_STATUS_FAILED));
    }
    return events;
  });
  EXPECT_EQ(Message("WS-01"), "7 tests failed: S.t0, S.t1, S.t2, S.t3, S.t4 and 2 more");
}

TEST_F(VerificationTest, ASummaryCountOfFailuresFailsItToo) {
  RunOne("", [](const std::string& a) {
    v1::Event summary;
    summary.set_attempt_id(a);
    summary.set_seq(2);
    summary.mutable_test_summary()->set_framework("pytest");
    summary.mutable_test_summary()->set_passed(3);
    summary.mutable_test_summary()->set_failed(1);
    return std::vector<v1::Event>{summary};
  });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "1 test failed (its runner printed no names)");
}

TEST_F(VerificationTest, ADeliverableNobodyCreatedFailsIt) {
  RunOne("## Deliverables\n- Report: `out/report.txt`\n- Data: `out/data.bin`\n", [](const std::string& a) {
    return std::vector<v1::Event>{Deliverable(a, 2, "out/report.txt", false),
                                  Deliverable(a, 3, "out/data.bin", true)};
  });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "deliverable missing: out/report.txt");
}

TEST_F(VerificationTest, EveryRuleThatFailedIsNamed) {
  RunOne("## Deliverables\n- `a.txt`\n\n## Acceptance Criteria\n- `p99_ms < 10`\n", [](const std::string& a) {
    return std::vector<v1::Event>{TestCase(a, 2, "A", "c", v1::TEST_STATUS_FAILED), Metric(a, 3, "p99_ms", 40)};
  });
  EXPECT_EQ(Message("WS-01"),
            "1 test failed: A.c; deliverable missing: a.txt; acceptance criteria failed: p99_ms = 40 (wanted < 10)");
}

TEST_F(VerificationTest, UnverifiedCriteriaPassByDefault) {
  RunOne("## Acceptance Criteria\n- Reviewed by a person\n", [](const std::string&) { return std::vector<v1::Event>{}; });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(VerificationTest, RequireVerifiedFailsWhatCouldNotBeChecked) {
  options_.verification = Verification::kStrict;
  Restart();
  RunOne("## Acceptance Criteria\n- Reviewed by a person\n- `p99_ms < 10`\n", [](const std::string& a) {
    return std::vector<v1::Event>{Metric(a, 2, "p99_ms", 4)};
  });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "not verified (--require-verified): Reviewed by a person");
}

TEST_F(VerificationTest, ACardMayAskForStrictVerificationItself) {
  RunOne("**Verification**: strict\n\n## Acceptance Criteria\n- Reviewed by a person\n",
         [](const std::string&) { return std::vector<v1::Event>{}; });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "not verified (the card asks for strict verification): Reviewed by a person");
}

TEST_F(VerificationTest, LenientKeepsTheOldRule) {
  options_.verification = Verification::kLenient;
  Restart();
  RunOne("## Deliverables\n- `a.txt`\n", [](const std::string& a) {
    return std::vector<v1::Event>{TestCase(a, 2, "A", "c", v1::TEST_STATUS_FAILED), Deliverable(a, 3, "a.txt", false)};
  });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(VerificationTest, AVerdictFailureIsRetriedLikeAStepFailure) {
  RunOne("**Retries**: 1\n", [](const std::string& a) {
    return std::vector<v1::Event>{TestCase(a, 2, "A", "c", v1::TEST_STATUS_FAILED)};
  });
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(Message("WS-01"), "retrying after: 1 test failed: A.c");
}

}  // namespace
}  // namespace wsfleet::coordinator

namespace wsfleet::coordinator {
namespace {

// A card with no step checked nothing: it does not succeed as if it had (it did, silently,
// with "Steps: 0"). Under lenient verification it succeeds, saying so.
TEST_F(SchedulerTest, ACardWithoutStepsFailsSayingItCheckedNothing) {
  Submit({{"ws1.md", "# WS-01: Nothing to run\n\n**Duration**: 1 day\n\n## Verification & Notes\n\nLooks fine.\n"}});
  Hello("w1", 1);
  std::string attempt = output_.TakeAssigns()[0].second.attempt_id();
  Complete("w1", attempt);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_NE(Message("WS-01").find("no step ran"), std::string::npos) << Message("WS-01");
}

TEST_F(SchedulerTest, UnderLenientVerificationACardWithoutStepsSucceedsSayingSo) {
  options_.verification = Verification::kLenient;
  Restart();
  Submit({{"ws1.md", "# WS-01: Nothing to run\n\n**Duration**: 1 day\n"}});
  Hello("w1", 1);
  Complete("w1", output_.TakeAssigns()[0].second.attempt_id());
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(Message("WS-01"), std::string(kNoStepsRan) + " (lenient verification)");
}

}  // namespace
}  // namespace wsfleet::coordinator
