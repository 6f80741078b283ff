#include "common/field_values.h"

#include <gtest/gtest.h>

namespace wsfleet::common {
namespace {

void ExpectRange(const Duration& duration, double min, double max) {
  EXPECT_TRUE(duration.known) << duration.text;
  EXPECT_DOUBLE_EQ(duration.estimate.min, min) << duration.text;
  EXPECT_DOUBLE_EQ(duration.estimate.max, max) << duration.text;
}

TEST(DurationTest, Ranges) {
  ExpectRange(ParseDuration("3-4 days"), 3, 4);
  ExpectRange(ParseDuration("1 day"), 1, 1);
  ExpectRange(ParseDuration("3–4 days"), 3, 4);
  ExpectRange(ParseDuration("1 week"), 5, 5);
  ExpectRange(ParseDuration("2 to 3 days"), 2, 3);
}

TEST(DurationTest, LessThanOneDay) { ExpectRange(ParseDuration("<1 day"), 0, 1); }

TEST(DurationTest, Hours) { ExpectRange(ParseDuration("2-4 hours"), 0.25, 0.5); }

TEST(DurationTest, ActualWithEstimateInParentheses) {
  Duration duration = ParseDuration("1 day (estimated: 4-5 days)");
  ExpectRange(duration, 4, 5);
  ASSERT_TRUE(duration.actual.has_value());
  EXPECT_DOUBLE_EQ(duration.actual->max, 1);
}

TEST(DurationTest, EstimateWithActualInParentheses) {
  Duration duration = ParseDuration("4-5 days (completed in 1 day)");
  ExpectRange(duration, 4, 5);
  ASSERT_TRUE(duration.actual.has_value());
  EXPECT_DOUBLE_EQ(duration.actual->min, 1);
}

TEST(DurationTest, PlaceholderAndMissingAreUnknownAndPlanAsOneDay) {
  for (const char* text : {"X-X days", "", "TBD", "soon"}) {
    Duration duration = ParseDuration(text);
    EXPECT_FALSE(duration.known) << text;
    EXPECT_DOUBLE_EQ(duration.estimate.max, 1) << text;
  }
}

TEST(PriorityTest, Variants) {
  EXPECT_EQ(ParsePriority("P0 (CRITICAL PATH)"), 0);
  EXPECT_EQ(ParsePriority("p2"), 2);
  EXPECT_EQ(ParsePriority("High"), 1);
  EXPECT_EQ(ParsePriority("Critical"), 0);
  EXPECT_EQ(ParsePriority("whenever"), std::nullopt);
  EXPECT_EQ(ParsePriority("P0/P1/P2"), 0);
}

TEST(StatusTest, Variants) {
  EXPECT_EQ(ParseStatus("Not Started"), WorkstreamStatus::kNotStarted);
  EXPECT_EQ(ParseStatus("In Progress"), WorkstreamStatus::kInProgress);
  EXPECT_EQ(ParseStatus("Ready for Implementation"), WorkstreamStatus::kReady);
  EXPECT_EQ(ParseStatus("✅ COMPLETE"), WorkstreamStatus::kCompleted);
  EXPECT_EQ(ParseStatus("COMPLETE ✅"), WorkstreamStatus::kCompleted);
  EXPECT_EQ(ParseStatus("Completed"), WorkstreamStatus::kCompleted);
  EXPECT_EQ(ParseStatus("Done"), WorkstreamStatus::kCompleted);
  EXPECT_EQ(ParseStatus("✅"), WorkstreamStatus::kCompleted);
  EXPECT_EQ(ParseStatus("Incomplete"), WorkstreamStatus::kInProgress);
  EXPECT_EQ(ParseStatus("Blocked"), WorkstreamStatus::kBlocked);
  EXPECT_EQ(ParseStatus("purple"), std::nullopt);
}

TEST(TimeoutTest, Variants) {
  EXPECT_EQ(*ParseTimeoutSeconds("2h"), 7200);
  EXPECT_EQ(*ParseTimeoutSeconds("30m"), 1800);
  EXPECT_EQ(*ParseTimeoutSeconds("90s"), 90);
  EXPECT_EQ(*ParseTimeoutSeconds("1h30m"), 5400);
  EXPECT_EQ(*ParseTimeoutSeconds("2 hours"), 7200);
  EXPECT_EQ(*ParseTimeoutSeconds("45 minutes"), 2700);
  EXPECT_FALSE(ParseTimeoutSeconds("90").ok());
  EXPECT_FALSE(ParseTimeoutSeconds("soon").ok());
  EXPECT_FALSE(ParseTimeoutSeconds("0s").ok());
  EXPECT_FALSE(ParseTimeoutSeconds("2h and then some").ok());
}

TEST(CountTest, Variants) {
  EXPECT_EQ(*ParseCount("2", 8), 2);
  EXPECT_EQ(*ParseCount("2 (per node)", 8), 2);
  EXPECT_FALSE(ParseCount("two", 8).ok());
  EXPECT_FALSE(ParseCount("9", 8).ok());
  EXPECT_FALSE(ParseCount("-1", 8).ok());
  EXPECT_FALSE(ParseCount("2x", 8).ok());
  EXPECT_FALSE(ParseCount("99999999999999999999", 8).ok());
}

TEST(LabelsTest, Variants) {
  auto labels = ParseLabels("`gpu.product=GB10`, zone=a");
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(labels->at("gpu.product"), "GB10");
  EXPECT_EQ(labels->at("zone"), "a");
  EXPECT_FALSE(ParseLabels("gpu.product").ok());
  EXPECT_FALSE(ParseLabels("=x").ok());
  EXPECT_FALSE(ParseLabels("").ok());
}

TEST(MetricCheckTest, Comparisons) {
  std::optional<MetricCheck> check = ParseMetricCheck("membw_gbps >= 250");
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(check->metric, "membw_gbps");
  EXPECT_EQ(check->op, CompareOp::kGreaterEqual);
  EXPECT_DOUBLE_EQ(check->value, 250);

  check = ParseMetricCheck("p99_ms < 10");
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(check->op, CompareOp::kLess);
  EXPECT_DOUBLE_EQ(check->value, 10);

  check = ParseMetricCheck("latency_s <= 0.5 s");
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(check->unit, "s");

  check = ParseMetricCheck("temp_delta == -3");
  ASSERT_TRUE(check.has_value());
  EXPECT_DOUBLE_EQ(check->value, -3);
}

TEST(MetricCheckTest, NotComparisons) {
  for (const char* code : {"make test", "out/report.txt", "a >= b", ">= 3", "x >= 3 && y",
                           ""}) {
    EXPECT_FALSE(ParseMetricCheck(code).has_value()) << code;
  }
}

}  // namespace
}  // namespace wsfleet::common

namespace wsfleet::common {
namespace {

TEST(ParseBudgetTest, AnyOfTimeTurnsTokensDollarsInAnyOrder) {
  absl::StatusOr<Workstream::Budget> budget = ParseBudget("2h, 50 turns, 2M tokens, $5");
  ASSERT_TRUE(budget.ok()) << budget.status();
  EXPECT_EQ(budget->wall_seconds, 7200);
  EXPECT_EQ(budget->turns, 50u);
  EXPECT_EQ(budget->tokens, 2000000u);
  EXPECT_DOUBLE_EQ(budget->dollars, 5);
  budget = ParseBudget("$0.50,1.5k tokens");
  ASSERT_TRUE(budget.ok()) << budget.status();
  EXPECT_DOUBLE_EQ(budget->dollars, 0.5);
  EXPECT_EQ(budget->tokens, 1500u);
  EXPECT_EQ(budget->wall_seconds, 0);
  EXPECT_EQ(ParseBudget("12 dollars, 1h30m")->wall_seconds, 5400);
}

TEST(ParseBudgetTest, RefusesWhatItCannotRead) {
  for (const char* text : {"", "lots", "5", "$", "$-1", "-3 turns", "2M turns tokens", "$5 tokens",
                           "10 apples", "2k"}) {
    EXPECT_FALSE(ParseBudget(text).ok()) << "'" << text << "'";
  }
  EXPECT_NE(ParseBudget("10 apples").status().message().find("'10 apples' is not a budget"),
            std::string::npos);
}

}  // namespace
}  // namespace wsfleet::common
