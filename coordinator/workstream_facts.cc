#include "coordinator/workstream_facts.h"

namespace wsfleet::coordinator {
namespace {

// The limits keep a runaway program from flooding its gang through the coordinator.
constexpr size_t kMaxRendezvousKeys = 256;
constexpr size_t kMaxRendezvousValueBytes = 64 << 10;
// Names enough to say what failed; the count says how many.
constexpr size_t kMaxFailedNames = 20;

void CountTest(v1::TestCounts& tests, v1::TestStatus status) {
  switch (status) {
    case v1::TEST_STATUS_PASSED:
      tests.set_passed(tests.passed() + 1);
      break;
    case v1::TEST_STATUS_FAILED:
    case v1::TEST_STATUS_ERROR:
      tests.set_failed(tests.failed() + 1);
      break;
    case v1::TEST_STATUS_SKIPPED:
      tests.set_skipped(tests.skipped() + 1);
      break;
    default:
      break;
  }
}

void AddSummary(v1::TestCounts& tests, const v1::TestSummary& summary) {
  tests.set_passed(tests.passed() + summary.passed());
  tests.set_failed(tests.failed() + summary.failed());
  tests.set_skipped(tests.skipped() + summary.skipped());
}

}  // namespace

v1::TestCounts* WorkstreamFacts::KindCounts(const std::string& kind) {
  if (kind == "unit") return &unit_tests;
  if (kind == "integration") return &integration_tests;
  return nullptr;
}

bool WorkstreamFacts::Apply(const v1::Event& event) {
  switch (event.kind_case()) {
    case v1::Event::kTest: {
      const v1::TestCase& test = event.test();
      CountTest(tests, test.status());
      if (v1::TestCounts* kind = KindCounts(test.kind())) CountTest(*kind, test.status());
      bool failed = test.status() == v1::TEST_STATUS_FAILED || test.status() == v1::TEST_STATUS_ERROR;
      if (failed && failed_tests.size() < kMaxFailedNames) {
        failed_tests.push_back(test.suite().empty() ? test.name() : test.suite() + "." + test.name());
      }
      break;
    }
    case v1::Event::kTestSummary:
      AddSummary(tests, event.test_summary());
      if (v1::TestCounts* kind = KindCounts(event.test_summary().kind())) AddSummary(*kind, event.test_summary());
      break;
    case v1::Event::kStepFinished:
      output_dropped_bytes += event.step_finished().output_dropped_bytes();
      break;
    case v1::Event::kMetric:
      metrics[event.metric().name()] = event.metric().value();
      break;
    case v1::Event::kDeliverable:
      deliverables[event.deliverable().path()] = event.deliverable().exists();
      if (event.deliverable().counted()) {
        deliverable_lines[event.deliverable().path()] = event.deliverable().lines();
      } else {
        deliverable_lines.erase(event.deliverable().path());
      }
      break;
    case v1::Event::kAgent:
      agent = event.agent();
      break;
    case v1::Event::kFinished:
      // A gang's first rank to fail says why; the ranks cancelled after it say less.
      if (failure_tail.empty()) failure_tail = event.finished().log_tail();
      break;
    case v1::Event::kMerged:
      merged_commit = event.merged().commit();
      break;
    case v1::Event::kRendezvousPut: {
      // The first value of a key stands: a rank that puts it again cannot change what the
      // others already read.
      const std::string& key = event.rendezvous_put().key();
      const std::string& value = event.rendezvous_put().value();
      if (rendezvous.count(key) || rendezvous.size() >= kMaxRendezvousKeys ||
          value.size() > kMaxRendezvousValueBytes) {
        return false;
      }
      rendezvous.emplace(key, value);
      return true;
    }
    default:
      break;
  }
  return false;
}

}  // namespace wsfleet::coordinator
