// What a hostile peer sent before issue 17's limits (a 10 MB worker ID, outcome 99, NaN
// metrics, negative durations, 2^32-1 test counts, 100,000-character metric names), each
// refused with a reason naming the field; what real workers send passes.

#include "coordinator/input_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace wsfleet::coordinator {
namespace {

v1::Hello GoodHello() {
  v1::Hello hello;
  hello.set_worker_id("dgx-spark-1-4242");
  hello.set_hostname("dgx-spark-1");
  hello.mutable_resources()->set_slots(4);
  (*hello.mutable_resources()->mutable_labels())["agent.claude"] = "2.1.332";
  (*hello.mutable_resources()->mutable_labels())["gpu.product"] = "NVIDIA-GB10";
  return hello;
}

void ExpectRefused(const absl::Status& status, const std::string& mentions) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << mentions;
  EXPECT_NE(std::string(status.message()).find(mentions), std::string::npos) << status.message();
}

TEST(InputCheckTest, HellosPastTheLimitsAreRefused) {
  EXPECT_TRUE(CheckHello(GoodHello()).ok());
  v1::Hello hello = GoodHello();
  hello.set_worker_id(std::string(10 << 20, 'w'));
  ExpectRefused(CheckHello(hello), "worker_id is 10485760 bytes; at most 128");
  hello = GoodHello();
  hello.set_worker_id("two words");
  ExpectRefused(CheckHello(hello), "worker_id holds a space");
  hello = GoodHello();
  hello.set_worker_id("bell\a");
  ExpectRefused(CheckHello(hello), "not printable");
  hello = GoodHello();
  hello.set_worker_id("");
  ExpectRefused(CheckHello(hello), "worker_id is empty");
  hello = GoodHello();
  for (int i = 0; i < 65; ++i) (*hello.mutable_resources()->mutable_labels())["k" + std::to_string(i)] = "v";
  ExpectRefused(CheckHello(hello), "labels: 67; at most 64");
  hello = GoodHello();
  (*hello.mutable_resources()->mutable_labels())["big"] = std::string(1000, 'v');
  ExpectRefused(CheckHello(hello), "label big is 1000 bytes");
  hello = GoodHello();
  hello.mutable_resources()->set_slots(1u << 31);
  ExpectRefused(CheckHello(hello), "slots is 2147483648");
  hello = GoodHello();
  hello.set_hostname(std::string(300, 'h'));
  ExpectRefused(CheckHello(hello), "hostname is 300 bytes");
}

v1::Event EventFor(const std::string& attempt) {
  v1::Event event;
  event.set_attempt_id(attempt);
  event.set_seq(1);
  return event;
}

TEST(InputCheckTest, EventsWithImpossibleValuesAreRefused) {
  v1::Event event = EventFor("WS-01-a1-x");
  event.mutable_finished()->set_outcome(static_cast<v1::AttemptOutcome>(99));
  ExpectRefused(CheckEvent(event), "finished.outcome 99 is not an outcome");

  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    event = EventFor("WS-01-a1-x");
    event.mutable_metric()->set_name("loss");
    event.mutable_metric()->set_value(bad);
    ExpectRefused(CheckEvent(event), "metric loss is not a finite number");
  }
  event = EventFor("WS-01-a1-x");
  event.mutable_metric()->set_name(std::string(100000, 'm'));
  ExpectRefused(CheckEvent(event), "metric.name is 100000 bytes; at most 256");

  event = EventFor("WS-01-a1-x");
  event.mutable_step_finished()->set_duration_ms(-5);
  ExpectRefused(CheckEvent(event), "step_finished.duration_ms is negative");

  event = EventFor("WS-01-a1-x");
  event.mutable_test_summary()->set_passed(std::numeric_limits<uint32_t>::max());
  ExpectRefused(CheckEvent(event), "test_summary counts 4294967295 tests");

  event = EventFor("WS-01-a1-x");
  event.mutable_test()->set_status(static_cast<v1::TestStatus>(42));
  ExpectRefused(CheckEvent(event), "test.status is not a test status");

  event = EventFor("WS-01-a1-x");
  event.mutable_agent()->set_cost_usd(-1);
  ExpectRefused(CheckEvent(event), "agent.cost_usd is negative");

  event = EventFor(std::string(1000, 'a'));
  ExpectRefused(CheckEvent(event), "attempt_id is 1000 bytes");
}

TEST(InputCheckTest, WhatRealWorkersSendPasses) {
  v1::Event event = EventFor("WS-01-a1-x");
  event.mutable_metric()->set_name("delta_ms");
  event.mutable_metric()->set_value(-3.5);  // a metric may be negative
  EXPECT_TRUE(CheckEvent(event).ok());
  event = EventFor("WS-01-a1-x");
  event.mutable_log()->set_data(std::string(1 << 20, 'x'));
  EXPECT_TRUE(CheckEvent(event).ok());
  event = EventFor("WS-01-a1-x");
  event.mutable_finished()->set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
  event.mutable_finished()->set_log_tail(std::string(3000, 'x'));
  EXPECT_TRUE(CheckEvent(event).ok());
  event = EventFor("WS-01-a1-x");
  event.mutable_test_summary()->set_passed(120000);
  EXPECT_TRUE(CheckEvent(event).ok());
}

}  // namespace
}  // namespace wsfleet::coordinator
