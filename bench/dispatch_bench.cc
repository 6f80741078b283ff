// The coordinator's work per attempt end while a plan of N ready workstreams waits on a
// busy fleet: the end is stored and followed by a dispatch round, which fills the slot it
// freed. Before issue 19 a round walked the whole ready queue (and every worker for each
// ready workstream) even when no worker had a free slot; now it stops at the first sign
// that none has, so the cost per batch should not grow with N. The baseline, in the same
// invocation: the same fleet plus one idle worker that no card can use (every card asks for
// a label it lacks), which makes every round walk the whole queue as every round did before.

#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/plan_loader.h"
#include "coordinator/placement_policy.h"
#include "coordinator/scheduler.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_state_store.h"
#include "tests/support/recording_output.h"

namespace wsfleet::bench {
namespace {

// N independent one-step workstreams, built without parsing (the round is measured, not
// the parser).
common::Plan IndependentPlan(int count) {
  // Every card asks for pool=main (the busy workers have it; the baseline's idle one not).
  std::vector<common::Workstream> workstreams(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    common::Workstream& ws = workstreams[static_cast<size_t>(i)];
    ws.id = common::WorkstreamId(i + 1);
    ws.name = "Card " + std::to_string(i + 1);
    ws.duration.known = true;
    ws.duration.estimate = {1, 1};
    ws.labels["pool"] = "main";
    common::Step& step = ws.steps.emplace_back();
    step.where = {"ws.md", 1};
    step.language = "bash";
    step.heading = "Test Commands";
    step.script = "true";
  }
  return common::AssembleParsed(std::move(workstreams), {});
}

// A scheduler on a fake clock, an in-memory store and a recording output.
struct SchedulerOnFakes {
  explicit SchedulerOnFakes(coordinator::SchedulerOptions scheduler_options)
      : options(Seeded(std::move(scheduler_options))) {}
  static coordinator::SchedulerOptions Seeded(coordinator::SchedulerOptions options) {
    options.random_seed = 7;  // the same IDs every run
    return options;
  }
  testing::FakeClock clock;
  testing::FakeStateStore store;
  testing::RecordingOutput output;
  coordinator::SpreadPlacement placement;
  coordinator::SchedulerOptions options;
  coordinator::Scheduler scheduler{clock, store, output, placement, options};
};

// `count` one-slot workers with pool=main say Hello.
void JoinMainPool(coordinator::Scheduler& scheduler, int count) {
  for (int w = 0; w < count; ++w) {
    v1::Hello hello;
    hello.set_worker_id("w" + std::to_string(w));
    hello.mutable_resources()->set_slots(1);
    (*hello.mutable_resources()->mutable_labels())["pool"] = "main";
    scheduler.OnWorkerHello(hello);
  }
}

// The oldest running attempt ends (its worker's one batch: started, finished), which frees a
// slot: the round that follows places the next workstream. False when nothing runs.
bool EndOneAttempt(coordinator::Scheduler& scheduler, testing::RecordingOutput& output,
                   std::deque<std::pair<std::string, std::string>>& running) {
  if (running.empty()) return false;
  auto [worker, attempt] = running.front();
  running.pop_front();
  v1::EventBatch batch;
  v1::Event& started = *batch.add_events();
  started.set_attempt_id(attempt);
  started.set_seq(1);
  started.mutable_started()->set_worker_id(worker);
  v1::Event& finished = *batch.add_events();
  finished.set_attempt_id(attempt);
  finished.set_seq(2);
  finished.mutable_finished()->set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
  scheduler.OnEvents(worker, batch);
  scheduler.FlushEvents();
  for (const auto& [next_worker, spec] : output.TakeAssigns()) running.emplace_back(next_worker, spec.attempt_id());
  output.sent.clear();
  return true;
}

// What runs now (the Assigns sent so far); each iteration ends the oldest running attempt,
// and what the round after it places runs next.
void EndAnAttemptEachIteration(benchmark::State& state, coordinator::Scheduler& scheduler,
                               testing::RecordingOutput& output) {
  std::deque<std::pair<std::string, std::string>> running;  // (worker, attempt)
  for (const auto& [worker, spec] : output.TakeAssigns()) running.emplace_back(worker, spec.attempt_id());
  for (auto _ : state) {
    if (!EndOneAttempt(scheduler, output, running)) {
      state.SkipWithError("nothing runs");
      return;
    }
  }
}

void BM_AttemptEndOnABusyFleet(benchmark::State& state) {
  const int ready = static_cast<int>(state.range(0));
  const bool walk = state.range(1) != 0;  // the baseline: a free slot no card can use
  constexpr int kWorkers = 16;
  SchedulerOnFakes fakes({});
  coordinator::Scheduler& scheduler = fakes.scheduler;
  testing::RecordingOutput& output = fakes.output;
  JoinMainPool(scheduler, kWorkers);
  if (walk) {
    v1::Hello idle;
    idle.set_worker_id("idle");
    idle.mutable_resources()->set_slots(1);
    scheduler.OnWorkerHello(idle);
  }
  absl::StatusOr<coordinator::Scheduler::SubmitResult> submitted =
      scheduler.SubmitParsed(IndependentPlan(ready + kWorkers * 2), "bench", false);
  if (!submitted.ok() || submitted->plan_id.empty()) {
    state.SkipWithError("the plan was not submitted");
    return;
  }
  // Every slot and every queue place is taken; the rest is READY. Each iteration ends one
  // running attempt (its worker's one batch: started, finished), which frees a slot: the
  // round that follows places the next workstream, and then has nothing more to place.
  EndAnAttemptEachIteration(state, scheduler, output);
  state.counters["ready"] = ready;
}
BENCHMARK(BM_AttemptEndOnABusyFleet)
    ->ArgNames({"ready", "walk"})
    ->ArgsProduct({{1000, 10000, 100000}, {0, 1}})
    ->Iterations(500)
    ->Unit(benchmark::kMicrosecond);

// The same on a fleet shared by several plans (fair share, plans taking turns in a round):
// `ready` workstreams split between `plans` plans of shares 1, 2, 3..., all of them held
// up behind their first quarter, cards no worker can run yet (they wait for one with
// pool=special to join). The baseline is one plan (plans = 1) in the same invocation: a
// turn costs a placement, not a walk of each plan's queue, so three plans should cost
// about what one does.
void BM_AttemptEndWithPlansSharingTheFleet(benchmark::State& state) {
  const int ready = static_cast<int>(state.range(0));
  const int plans = static_cast<int>(state.range(1));
  constexpr int kWorkers = 16;
  coordinator::SchedulerOptions options;
  options.infeasible_grace = std::chrono::hours(1);  // the special cards wait, not fail
  SchedulerOnFakes fakes(options);
  coordinator::Scheduler& scheduler = fakes.scheduler;
  testing::RecordingOutput& output = fakes.output;
  for (int p = 0; p < plans; ++p) {
    common::Plan plan = IndependentPlan(ready / plans + kWorkers * 2);
    for (size_t i = 0; i < plan.workstreams.size() / 4; ++i) {
      plan.workstreams[i].labels["pool"] = "special";
      plan.workstreams[i].priority = 0;  // first in the plan's order
    }
    absl::StatusOr<coordinator::Scheduler::SubmitResult> submitted = scheduler.SubmitParsed(
        std::move(plan), "bench-" + std::to_string(p), false, {}, {static_cast<double>(p + 1), 0, 0});
    if (!submitted.ok() || submitted->plan_id.empty()) {
      state.SkipWithError("a plan was not submitted");
      return;
    }
  }
  // The workers join after the plans: what none of them could run waits out its grace in
  // the ready queue (submitted to a fleet that had joined, it would fail at once).
  JoinMainPool(scheduler, kWorkers);
  scheduler.FlushEvents();
  EndAnAttemptEachIteration(state, scheduler, output);
  state.counters["ready"] = ready;
  state.counters["plans"] = plans;
}
BENCHMARK(BM_AttemptEndWithPlansSharingTheFleet)
    ->ArgNames({"ready", "plans"})
    ->ArgsProduct({{10000, 100000}, {1, 3}})
    ->Iterations(500)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace wsfleet::bench
