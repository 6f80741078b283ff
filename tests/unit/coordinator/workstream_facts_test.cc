// What events tell of a workstream, applied one at a time.

#include "coordinator/workstream_facts.h"

#include <gtest/gtest.h>

namespace wsfleet::coordinator {
namespace {

TEST(WorkstreamFactsTest, TestCasesAndSummaryLinesBothCount) {
  WorkstreamFacts facts;
  v1::Event test;
  test.mutable_test()->set_status(v1::TEST_STATUS_PASSED);
  facts.Apply(test);
  test.mutable_test()->set_status(v1::TEST_STATUS_ERROR);
  facts.Apply(test);
  v1::Event summary;
  summary.mutable_test_summary()->set_passed(2);
  summary.mutable_test_summary()->set_failed(1);
  summary.mutable_test_summary()->set_skipped(3);
  facts.Apply(summary);
  EXPECT_EQ(facts.tests.passed(), 3u);
  EXPECT_EQ(facts.tests.failed(), 2u);
  EXPECT_EQ(facts.tests.skipped(), 3u);
}

TEST(WorkstreamFactsTest, TheLastMetricAndDeliverableValueStands) {
  WorkstreamFacts facts;
  v1::Event metric;
  metric.mutable_metric()->set_name("gbps");
  metric.mutable_metric()->set_value(1);
  facts.Apply(metric);
  metric.mutable_metric()->set_value(2);
  facts.Apply(metric);
  v1::Event deliverable;
  deliverable.mutable_deliverable()->set_path("a");
  deliverable.mutable_deliverable()->set_exists(true);
  facts.Apply(deliverable);
  deliverable.mutable_deliverable()->set_path("b");
  deliverable.mutable_deliverable()->set_exists(false);
  facts.Apply(deliverable);
  EXPECT_EQ(facts.metrics.at("gbps"), 2);
  EXPECT_EQ(facts.deliverables, (std::map<std::string, bool>{{"a", true}, {"b", false}}));
}

TEST(WorkstreamFactsTest, UnitAndIntegrationTestsAreCountedApart) {
  WorkstreamFacts facts;
  auto test = [&](const std::string& kind, v1::TestStatus status) {
    v1::Event event;
    event.mutable_test()->set_kind(kind);
    event.mutable_test()->set_status(status);
    facts.Apply(event);
  };
  test("unit", v1::TEST_STATUS_PASSED);
  test("unit", v1::TEST_STATUS_FAILED);
  test("integration", v1::TEST_STATUS_PASSED);
  test("", v1::TEST_STATUS_PASSED);
  v1::Event summary;
  summary.mutable_test_summary()->set_kind("integration");
  summary.mutable_test_summary()->set_passed(3);
  facts.Apply(summary);
  EXPECT_EQ(facts.tests.passed(), 6u);
  EXPECT_EQ(facts.unit_tests.passed(), 1u);
  EXPECT_EQ(facts.unit_tests.failed(), 1u);
  EXPECT_EQ(facts.integration_tests.passed(), 4u);
}

TEST(WorkstreamFactsTest, OutputDroppedOverTheCapAddsUpOverSteps) {
  WorkstreamFacts facts;
  for (uint64_t dropped : {100u, 0u, 23u}) {
    v1::Event event;
    event.mutable_step_finished()->set_output_dropped_bytes(dropped);
    event.mutable_step_finished()->set_output_capped(dropped > 0);
    facts.Apply(event);
  }
  EXPECT_EQ(facts.output_dropped_bytes, 123u);
}

TEST(WorkstreamFactsTest, TheFirstRendezvousValueStandsAndOnlyANewOneIsRelayed) {
  WorkstreamFacts facts;
  v1::Event put;
  put.mutable_rendezvous_put()->set_key("nccl");
  put.mutable_rendezvous_put()->set_value("one");
  EXPECT_TRUE(facts.Apply(put));
  put.mutable_rendezvous_put()->set_value("two");
  EXPECT_FALSE(facts.Apply(put));
  EXPECT_EQ(facts.rendezvous.at("nccl"), "one");
  put.mutable_rendezvous_put()->set_key("big");
  put.mutable_rendezvous_put()->set_value(std::string((64 << 10) + 1, 'x'));
  EXPECT_FALSE(facts.Apply(put)) << "past the value limit";
  EXPECT_EQ(facts.rendezvous.count("big"), 0u);
}

}  // namespace
}  // namespace wsfleet::coordinator
