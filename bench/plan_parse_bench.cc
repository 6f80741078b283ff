// Benchmarks of reading a plan: parse + validate of generated N-card plans, from memory and
// from disk, against a baseline of cmark-gfm parsing the same text and doing nothing else.
//
//   wsfleet_bench                       run the benchmarks
//   wsfleet_bench generate N DIR        write an N-card plan to DIR (for `wsfleet plan DIR`)
//   wsfleet_bench load DIR              load DIR once, print peak RSS in kB (the probe)
//   wsfleet_bench fleet-dag N DIR [chain]  a plan and a build.ninja of one random DAG
//   wsfleet_bench dispatch-latency DIR  p50/p99 ready -> started from a run's state

#include <benchmark/benchmark.h>
#include <cmark-gfm.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "bench/fleet_tools.h"
#include "bench/plan_generator.h"
#include "common/child_process.h"
#include "common/plan_loader.h"

namespace wsfleet::bench {
namespace {

const std::vector<common::SourceFile>& Cards(int count) {
  static std::map<int, std::vector<common::SourceFile>> cache;
  auto found = cache.find(count);
  if (found == cache.end()) found = cache.emplace(count, GeneratePlan(count)).first;
  return found->second;
}

// A generated plan on disk, written once per process.
const std::string& PlanDir(int count) {
  static std::map<int, std::string> dirs;
  auto found = dirs.find(count);
  if (found != dirs.end()) return found->second;
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("wsfleet-bench-" + std::to_string(::getpid()) + "-" + std::to_string(count)))
                        .string();
  std::filesystem::remove_all(dir);
  WritePlan(Cards(count), dir);
  std::atexit([] {
    for (const auto& [n, path] : dirs) std::filesystem::remove_all(path);
  });
  return dirs.emplace(count, dir).first->second;
}

void SetCardCounters(benchmark::State& state, int count) {
  state.counters["cards_per_s"] =
      benchmark::Counter(static_cast<double>(count), benchmark::Counter::kIsIterationInvariantRate);
}

// Baseline: cmark-gfm alone over the same bytes, one thread.
void BM_CmarkParseOnly(benchmark::State& state) {
  const auto& cards = Cards(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    for (const common::SourceFile& card : cards) {
      cmark_node* root = cmark_parse_document(card.text.data(), card.text.size(), CMARK_OPT_DEFAULT);
      benchmark::DoNotOptimize(root);
      cmark_node_free(root);
    }
  }
  SetCardCounters(state, static_cast<int>(cards.size()));
}

// Parse + validate from memory, on `threads` parser threads.
void BM_AssemblePlan(benchmark::State& state) {
  const auto& cards = Cards(static_cast<int>(state.range(0)));
  common::LoadOptions options;
  options.parse_threads = static_cast<unsigned>(state.range(1));
  for (auto _ : state) {
    common::Plan plan = common::AssemblePlan(cards, options);
    if (!plan.ok()) state.SkipWithError("generated plan has errors");
    benchmark::DoNotOptimize(plan);
  }
  SetCardCounters(state, static_cast<int>(cards.size()));
}

// What `wsfleet plan DIR` does: walk, read, parse, validate (default threads).
void BM_LoadPlanFromDisk(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  const std::string& dir = PlanDir(count);
  for (auto _ : state) {
    common::Plan plan = common::LoadPlan({dir});
    if (!plan.ok() || static_cast<int>(plan.workstreams.size()) != count) {
      state.SkipWithError("plan did not load");
    }
    benchmark::DoNotOptimize(plan);
  }
  SetCardCounters(state, count);
}

// Peak resident memory of a fresh process that loads the plan from disk. The child
// reports its own VmHWM: rusage would also count the parent's pages, which exec inherits
// into the child's high-water mark.
void BM_PeakRssLoadFromDisk(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  const std::string& dir = PlanDir(count);
  long peak_kb = 0;
  for (auto _ : state) {
    char self[4096];
    ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) {
      state.SkipWithError("cannot find own executable");
      break;
    }
    self[length] = '\0';
    absl::StatusOr<std::string> report = common::RunCapturingOutput({self, "load", dir});
    if (!report.ok()) {
      state.SkipWithError(("load failed: " + std::string(report.status().message())).c_str());
      break;
    }
    peak_kb = std::max(peak_kb, std::atol(report->c_str()));
  }
  state.counters["peak_rss_mb"] = static_cast<double>(peak_kb) / 1024.0;
}

// VmHWM of this process in kB, from /proc/self/status.
long PeakResidentKb() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) kb = std::atol(line + 6);
  }
  std::fclose(status);
  return kb;
}

BENCHMARK(BM_CmarkParseOnly)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AssemblePlan)
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({10000, 0})
    ->ArgNames({"cards", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_LoadPlanFromDisk)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PeakRssLoadFromDisk)->Arg(10000)->Iterations(3)->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int Generate(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s generate N DIR\n", argv[0]);
    return 64;
  }
  int count = std::atoi(argv[2]);
  if (count <= 0) {
    std::fprintf(stderr, "generate: N must be a positive number, got '%s'\n", argv[2]);
    return 64;
  }
  WritePlan(GeneratePlan(count), argv[3]);
  std::printf("wrote %d cards to %s\n", count, argv[3]);
  return 0;
}

int Load(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s load DIR\n", argv[0]);
    return 64;
  }
  common::Plan plan = common::LoadPlan({argv[2]});
  std::printf("%ld\n", PeakResidentKb());
  return plan.ok() ? 0 : 2;
}

}  // namespace
}  // namespace wsfleet::bench

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "generate") == 0) return wsfleet::bench::Generate(argc, argv);
  if ((argc == 4 || argc == 5) && std::strcmp(argv[1], "fleet-dag") == 0) {
    return wsfleet::bench::WriteFleetDag(std::atoi(argv[2]), argv[3],
                                         argc == 5 && std::strcmp(argv[4], "chain") == 0);
  }
  if (argc == 3 && std::strcmp(argv[1], "dispatch-latency") == 0) {
    return wsfleet::bench::PrintDispatchLatency(argv[2]);
  }
  if (argc >= 2 && std::strcmp(argv[1], "load") == 0) return wsfleet::bench::Load(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 64;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
