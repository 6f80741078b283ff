#include "coordinator/input_check.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace wsfleet::coordinator {
namespace {

using Limits = InputLimits;

absl::Status Invalid(const std::string& what) { return absl::InvalidArgumentError(what); }

absl::Status Length(const std::string& field, const std::string& value, size_t limit) {
  if (value.size() <= limit) return absl::OkStatus();
  return Invalid(absl::StrCat(field, " is ", value.size(), " bytes; at most ", limit));
}

absl::Status Number(const std::string& field, double value, bool may_be_negative = false) {
  if (!std::isfinite(value)) return Invalid(field + " is not a finite number");
  if (!may_be_negative && value < 0) return Invalid(field + " is negative");
  return absl::OkStatus();
}

bool Printable(const std::string& text) {
  for (char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

#define WSFLEET_CHECK(expression)              \
  do {                                          \
    absl::Status status_ = (expression);        \
    if (!status_.ok()) return status_;          \
  } while (false)

absl::Status CheckAgent(const v1::AgentReport& agent) {
  WSFLEET_CHECK(Length("agent.agent_type", agent.agent_type(), Limits::kShortText));
  WSFLEET_CHECK(Length("agent.session_id", agent.session_id(), Limits::kShortText));
  WSFLEET_CHECK(Length("agent.error", agent.error(), Limits::kMessage));
  WSFLEET_CHECK(Number("agent.cost_usd", agent.cost_usd()));
  return Number("agent.wall_seconds", agent.wall_seconds());
}

}  // namespace

absl::Status CheckName(const std::string& field, const std::string& name) {
  if (name.empty()) return Invalid(field + " is empty");
  WSFLEET_CHECK(Length(field, name, Limits::kWorkerId));
  if (!Printable(name)) return Invalid(field + " holds a space or a character that is not printable ASCII");
  return absl::OkStatus();
}

absl::Status CheckLeaving(const v1::Leaving& leaving) {
  return Length("leaving.reason", leaving.reason(), Limits::kShortText);
}

absl::Status CheckHello(const v1::Hello& hello) {
  WSFLEET_CHECK(CheckName("worker_id", hello.worker_id()));
  WSFLEET_CHECK(Length("hostname", hello.hostname(), Limits::kHostname));
  WSFLEET_CHECK(Length("version", hello.version(), Limits::kShortText));
  WSFLEET_CHECK(Length("metrics_url", hello.metrics_url(), Limits::kShortText));
  WSFLEET_CHECK(Length("gpu_note", hello.gpu_note(), Limits::kShortText));
  WSFLEET_CHECK(Length("token", hello.token(), Limits::kShortText));
  WSFLEET_CHECK(Length("log_token", hello.log_token(), Limits::kShortText));
  const v1::WorkerResources& resources = hello.resources();
  if (resources.slots() > Limits::kSlots) return Invalid(absl::StrCat("slots is ", resources.slots(), "; at most ", Limits::kSlots));
  if (resources.gpus_size() > Limits::kGpus) return Invalid(absl::StrCat("gpus: ", resources.gpus_size(), "; at most ", Limits::kGpus));
  if (resources.labels_size() > static_cast<int>(Limits::kLabels)) {
    return Invalid(absl::StrCat("labels: ", resources.labels_size(), "; at most ", Limits::kLabels));
  }
  for (const auto& [key, value] : resources.labels()) {
    WSFLEET_CHECK(Length("a label's key", key, Limits::kLabelKey));
    WSFLEET_CHECK(Length("label " + key.substr(0, 64), value, Limits::kLabelValue));
  }
  if (hello.attempts_size() > Limits::kRunningAttempts) return Invalid("too many attempts in the Hello");
  for (const v1::RunningAttempt& attempt : hello.attempts()) {
    WSFLEET_CHECK(Length("attempts.attempt_id", attempt.attempt_id(), Limits::kAttemptId));
  }
  return absl::OkStatus();
}

absl::Status CheckEvent(const v1::Event& event) {
  WSFLEET_CHECK(Length("attempt_id", event.attempt_id(), Limits::kAttemptId));
  switch (event.kind_case()) {
    case v1::Event::kLog:
      return Length("log.data", event.log().data(), Limits::kLogChunk);
    case v1::Event::kStepFinished:
      if (event.step_finished().duration_ms() < 0) return Invalid("step_finished.duration_ms is negative");
      return absl::OkStatus();
    case v1::Event::kTest:
      if (!v1::TestStatus_IsValid(event.test().status())) return Invalid("test.status is not a test status");
      WSFLEET_CHECK(Length("test.suite", event.test().suite(), Limits::kTestName));
      WSFLEET_CHECK(Length("test.name", event.test().name(), Limits::kTestName));
      WSFLEET_CHECK(Length("test.framework", event.test().framework(), Limits::kShortText));
      WSFLEET_CHECK(Length("test.kind", event.test().kind(), Limits::kShortText));
      return Number("test.seconds", event.test().seconds());
    case v1::Event::kTestSummary: {
      const v1::TestSummary& summary = event.test_summary();
      for (uint64_t count : {uint64_t{summary.passed()}, uint64_t{summary.failed()}, uint64_t{summary.skipped()}}) {
        if (count > Limits::kCount) return Invalid(absl::StrCat("test_summary counts ", count, " tests"));
      }
      WSFLEET_CHECK(Length("test_summary.framework", summary.framework(), Limits::kShortText));
      return Length("test_summary.kind", summary.kind(), Limits::kShortText);
    }
    case v1::Event::kMetric:
      if (event.metric().name().empty()) return Invalid("metric.name is empty");
      WSFLEET_CHECK(Length("metric.name", event.metric().name(), Limits::kMetricName));
      WSFLEET_CHECK(Length("metric.unit", event.metric().unit(), Limits::kShortText));
      return Number("metric " + event.metric().name(), event.metric().value(), /*may_be_negative=*/true);
    case v1::Event::kDeliverable:
      return Length("deliverable.path", event.deliverable().path(), Limits::kShortText * 4);
    case v1::Event::kFinished:
      if (!v1::AttemptOutcome_IsValid(event.finished().outcome())) {
        return Invalid(absl::StrCat("finished.outcome ", event.finished().outcome(), " is not an outcome"));
      }
      WSFLEET_CHECK(Length("finished.message", event.finished().message(), Limits::kMessage));
      return Length("finished.log_tail", event.finished().log_tail(), Limits::kMessage);
    case v1::Event::kAgent:
      return CheckAgent(event.agent());
    default:
      return absl::OkStatus();
  }
}

#undef WSFLEET_CHECK

}  // namespace wsfleet::coordinator
