#include "gpu/cli/nccl_command.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <memory>
#include <string>

#include "common/exit_codes.h"
#include "gpu/bus_bandwidth.h"
#include "gpu/devices.h"
#include "gpu/nccl_bench.h"
#include "rendezvous/client.h"

namespace wsfleet::gpu::cli {
namespace {

struct NcclOptions {
  std::string collectives = "all";
  std::string min_bytes = "8";
  std::string max_bytes = "1G";
  uint64_t factor = 2;
  int warmup = 5;
  int iterations = 20;
  std::string key = "nccl-id";
  double rendezvous_timeout_seconds = 300;
};

int Usage(const std::string& message) {
  std::cerr << "wsfleet gpu bench nccl: " << message << "\n";
  return kExitUsage;
}

// An integer from the environment (what the worker sets for a gang's rank), or `fallback`.
std::optional<int> EnvInt(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 0 || value > 1 << 20) return std::nullopt;
  return static_cast<int>(value);
}

// The metric name of a collective: all_reduce -> allreduce, as in `allreduce_busbw_gbps`.
std::string MetricName(gpu::Collective collective) {
  std::string name = gpu::CollectiveName(collective);
  name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
  return name;
}

int NcclCommand(const NcclOptions& options) {
  std::vector<gpu::Collective> collectives;
  if (options.collectives == "all") {
    collectives = {gpu::Collective::kAllReduce, gpu::Collective::kAllGather,
                   gpu::Collective::kReduceScatter, gpu::Collective::kBroadcast,
                   gpu::Collective::kSendRecv};
  } else {
    std::stringstream list(options.collectives);
    for (std::string name; std::getline(list, name, ',');) {
      std::optional<gpu::Collective> collective = gpu::ParseCollective(name);
      if (!collective) {
        return Usage("'" + name + "' is not all_reduce, all_gather, reduce_scatter, broadcast or sendrecv");
      }
      collectives.push_back(*collective);
    }
  }
  std::optional<uint64_t> min_bytes = gpu::ParseSize(options.min_bytes);
  std::optional<uint64_t> max_bytes = gpu::ParseSize(options.max_bytes);
  if (!min_bytes || !max_bytes || *min_bytes > *max_bytes) {
    return Usage("--min-bytes and --max-bytes take sizes such as 8, 1K, 64M, 1G, min <= max");
  }
  absl::StatusOr<std::vector<gpu::DeviceInfo>> devices = gpu::DiscoverDevices();
  if (!devices.ok()) {
    std::cerr << "wsfleet gpu bench nccl: " << devices.status().message() << "\n";
    return kExitNoGpu;
  }
  // Ranks from the gang (a plain run: every local GPU, this node alone).
  std::optional<int> local = EnvInt("WSFLEET_LOCAL_WORLD_SIZE", static_cast<int>(devices->size()));
  std::optional<int> first = EnvInt("WSFLEET_RANK", 0);
  std::optional<int> world = local ? EnvInt("WSFLEET_WORLD_SIZE", *local) : std::nullopt;
  if (!local || !first || !world || *local < 1 || *first + *local > *world) {
    return Usage("$WSFLEET_RANK, $WSFLEET_WORLD_SIZE and $WSFLEET_LOCAL_WORLD_SIZE do not fit together");
  }
  if (*local > static_cast<int>(devices->size())) {
    std::cerr << "wsfleet gpu bench nccl: this node should hold " << *local
              << " ranks, one per GPU, but sees " << devices->size() << " GPU(s)\n";
    return kExitNoGpu;
  }
  gpu::NcclBenchOptions bench;
  bench.first_rank = *first;
  bench.world_size = *world;
  for (int i = 0; i < *local; ++i) bench.devices.push_back(i);
  bench.collectives = collectives;
  bench.sizes = gpu::SizeSweep(*min_bytes, *max_bytes, options.factor, 4 * static_cast<uint64_t>(*world));
  bench.warmup = options.warmup;
  bench.iterations = options.iterations;
  if (bench.sizes.empty()) return Usage("no sizes between --min-bytes and --max-bytes");
  auto timeout = std::chrono::milliseconds(std::llround(options.rendezvous_timeout_seconds * 1000));
  bench.exchange_id = [&](const std::string& created, std::string* error) -> std::string {
    absl::StatusOr<std::string> socket = rendezvous::SocketFromEnvironment();
    if (!socket.ok()) {
      *error = "ranks on other nodes need the gang's rendezvous: " + std::string(socket.status().message());
      return "";
    }
    if (!created.empty()) {
      if (absl::Status put = rendezvous::Put(*socket, options.key, created); !put.ok()) {
        *error = "put " + options.key + ": " + std::string(put.message());
        return "";
      }
    }
    absl::StatusOr<std::string> id = rendezvous::Get(*socket, options.key, timeout);
    if (!id.ok()) *error = "get " + options.key + ": " + std::string(id.status().message());
    return id.ok() ? *id : "";
  };
  std::printf("nccl: %d rank%s, %d on this node (ranks %d..%d), float sum, %d warm-up + %d timed "
              "iterations per size\n", *world, *world == 1 ? "" : "s", *local, *first,
              *first + *local - 1, options.warmup, options.iterations);
  std::printf("%-15s %12s %12s %12s %12s %8s\n", "collective", "size (B)", "time (us)",
              "algbw (GB/s)", "busbw (GB/s)", "#wrong");
  bench.on_row = [](const gpu::NcclRow& row) {
    std::printf("%-15s %12llu %12.1f %12.2f %12.2f %8llu\n", gpu::CollectiveName(row.collective),
                static_cast<unsigned long long>(row.bytes), row.seconds * 1e6, row.algbw / 1e9,
                row.busbw / 1e9, static_cast<unsigned long long>(row.wrong));
    std::fflush(stdout);
  };
  gpu::NcclBenchResult result = gpu::RunNcclBench(bench);
  if (result.unavailable) {
    std::cerr << "wsfleet gpu bench nccl: " << result.error << "\n";
    return kExitNoGpu;
  }
  if (!result.ok) {
    std::cerr << "wsfleet gpu bench nccl: " << result.error << "\n";
    return kExitFailed;
  }
  // Per collective: the best bus bandwidth over the sizes (the large messages' plateau),
  // and what the checks found. Only rank 0's process reports, so a gang reports once.
  std::map<gpu::Collective, gpu::NcclRow> best;
  uint64_t wrong = 0;
  for (const gpu::NcclRow& row : result.rows) {
    wrong += row.wrong;
    gpu::NcclRow& top = best[row.collective];
    if (row.busbw >= top.busbw) top = row;
  }
  if (*first == 0) {
    std::printf("METRIC nccl_ranks=%d\n", *world);
    for (const auto& [collective, row] : best) {
      std::printf("METRIC %s_busbw_gbps=%.2f GB/s\n", MetricName(collective).c_str(), row.busbw / 1e9);
      std::printf("METRIC %s_algbw_gbps=%.2f GB/s\n", MetricName(collective).c_str(), row.algbw / 1e9);
    }
    std::printf("METRIC nccl_wrong_elements=%llu\n", static_cast<unsigned long long>(wrong));
  }
  if (wrong > 0) {
    std::cerr << "wsfleet gpu bench nccl: " << wrong << " element(s) differ from the expected result\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void AddGpuNcclCommand(CLI::App& bench, std::function<int()>& run) {
  auto options = std::make_shared<NcclOptions>();
  CLI::App* nccl = bench.add_subcommand(
      "nccl", "NCCL collectives across the gang's ranks: time, algbw and busbw per size, data checked");
  nccl->add_option("--collectives", options->collectives,
                   "all, or a comma list of all_reduce, all_gather, reduce_scatter, broadcast, sendrecv")
      ->capture_default_str();
  nccl->add_option("--min-bytes", options->min_bytes, "Smallest message (8, 1K, 64M, 1G, ...)")
      ->capture_default_str();
  nccl->add_option("--max-bytes", options->max_bytes, "Largest message")->capture_default_str();
  nccl->add_option("--factor", options->factor, "Multiply the size by this from one step to the next")
      ->check(CLI::Range(uint64_t{2}, uint64_t{1024}))->capture_default_str();
  nccl->add_option("--warmup", options->warmup, "Untimed runs per size")
      ->check(CLI::Range(0, 10000))->capture_default_str();
  nccl->add_option("--iterations", options->iterations, "Timed runs per size (their mean counts)")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  nccl->add_option("--rendezvous-key", options->key,
                   "The key under which rank 0 publishes the NCCL unique ID")->capture_default_str();
  nccl->add_option("--rendezvous-timeout", options->rendezvous_timeout_seconds,
                   "Seconds to wait for rank 0's NCCL unique ID")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  nccl->footer(
      "One process per node, one rank per local GPU: the ranks come from the worker's gang\n"
      "($WSFLEET_RANK, $WSFLEET_WORLD_SIZE, $WSFLEET_LOCAL_WORLD_SIZE); run alone, every local\n"
      "GPU is a rank. Rank 0 creates the NCCL unique ID and the gang's rendezvous carries it.\n"
      "busbw as nccl-tests defines it. Rank 0 prints METRIC <collective>_busbw_gbps (the best\n"
      "over the sizes), <collective>_algbw_gbps, nccl_ranks and nccl_wrong_elements.\n"
      "Exit codes: 0 ok, 1 failed or wrong data, 64 bad usage, 69 no GPU or no NCCL here.");
  nccl->callback([&run, options] { run = [options] { return NcclCommand(*options); }; });
}

}  // namespace wsfleet::gpu::cli
