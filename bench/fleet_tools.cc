#include "bench/fleet_tools.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <vector>

#include "common/plan_loader.h"
#include "coordinator/sqlite_state_store.h"

namespace wsfleet::bench {

int WriteFleetDag(int count, const std::string& dir, bool chain) {
  std::filesystem::create_directories(dir);
  std::mt19937 random(1234);
  std::ofstream plan(dir + "/plan.md");
  std::ofstream ninja(dir + "/build.ninja");
  plan << "# Fleet benchmark plan\n\n";
  ninja << "rule step\n  command = touch $out\n\n";
  for (int n = 1; n <= count; ++n) {
    std::vector<int> deps;
    if (chain && n > 1) deps.push_back(n - 1);
    if (!chain && n > 1) {
      int wanted = static_cast<int>(random() % 4);
      for (int k = 0; k < wanted; ++k) {
        int dep = n - 1 - static_cast<int>(random() % std::min(n - 1, 50));
        if (std::find(deps.begin(), deps.end(), dep) == deps.end()) deps.push_back(dep);
      }
    }
    std::sort(deps.begin(), deps.end());
    std::string list;
    std::string inputs;
    for (int dep : deps) {
      list += (list.empty() ? "" : ", ") + std::string("WS-") + std::to_string(dep);
      inputs += " out/WS-" + std::to_string(dep);
    }
    plan << "## WS-" << n << ": Node " << n << "\n\n**Duration**: 1 day\n**Dependencies**: "
         << (list.empty() ? "None" : list) << "\n\n### Test Commands\n\n```sh\ntouch out/WS-"
         << n << "\n```\n\n";
    ninja << "build out/WS-" << n << ": step" << (inputs.empty() ? "" : " |" + inputs) << "\n";
  }
  std::printf("wrote %s/plan.md and %s/build.ninja (%d nodes)\n", dir.c_str(), dir.c_str(), count);
  return 0;
}

int PrintDispatchLatency(const std::string& state_dir) {
  auto store = coordinator::SqliteStateStore::Open(state_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  auto loaded = (*store)->Load();
  if (!loaded.ok() || loaded->plans.empty()) {
    std::fprintf(stderr, "no run in %s\n", state_dir.c_str());
    return 1;
  }
  const coordinator::StoredPlan* state = &loaded->plans.back();
  common::Plan plan = common::AssemblePlan(state->plan.files);
  std::map<std::string, std::string> succeeded_attempt;  // workstream -> attempt
  for (const auto& attempt : state->attempts) {
    if (attempt.outcome == v1::ATTEMPT_OUTCOME_SUCCEEDED) {
      succeeded_attempt[attempt.workstream_id] = attempt.attempt_id;
    }
  }
  std::map<std::string, int64_t> started, finished;
  for (const v1::Event& event : state->events) {
    if (event.has_started()) started[event.attempt_id()] = event.time_unix_ms();
    if (event.has_finished()) finished[event.attempt_id()] = event.time_unix_ms();
  }
  std::vector<int64_t> latencies;
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    if (plan.graph.dependencies[i].empty()) continue;
    std::string id = plan.workstreams[i].id.ToString();
    if (!succeeded_attempt.count(id)) continue;
    int64_t ready = 0;
    for (int dep : plan.graph.dependencies[i]) {
      std::string dep_id = plan.workstreams[dep].id.ToString();
      ready = std::max(ready, finished[succeeded_attempt[dep_id]]);
    }
    latencies.push_back(started[succeeded_attempt[id]] - ready);
  }
  if (latencies.empty()) {
    std::fprintf(stderr, "no workstream with dependencies succeeded\n");
    return 1;
  }
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) { return latencies[static_cast<size_t>(q * static_cast<double>(latencies.size() - 1))]; };
  std::printf("dispatch latency (ready -> step started), %zu workstreams: p50 %lld ms, p99 %lld ms, max %lld ms\n",
              latencies.size(), static_cast<long long>(at(0.5)), static_cast<long long>(at(0.99)),
              static_cast<long long>(latencies.back()));
  return 0;
}

}  // namespace wsfleet::bench
