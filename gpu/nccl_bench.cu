#include "gpu/nccl_bench.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <cstring>

#include "gpu/dynamic_library.h"

namespace wsfleet::gpu {
namespace {

// NCCL's entry points, loaded when the benchmark runs (as cuBLAS is in gemm.cu): a node
// without NCCL still runs every other command, and this one says what is missing.
struct Nccl {
  void* library = nullptr;
  ncclResult_t (*get_version)(int*) = nullptr;
  ncclResult_t (*get_unique_id)(ncclUniqueId*) = nullptr;
  ncclResult_t (*comm_init_rank)(ncclComm_t*, int, ncclUniqueId, int) = nullptr;
  ncclResult_t (*comm_destroy)(ncclComm_t) = nullptr;
  ncclResult_t (*comm_abort)(ncclComm_t) = nullptr;
  const char* (*error_string)(ncclResult_t) = nullptr;
  ncclResult_t (*group_start)() = nullptr;
  ncclResult_t (*group_end)() = nullptr;
  ncclResult_t (*all_reduce)(const void*, void*, size_t, ncclDataType_t, ncclRedOp_t, ncclComm_t,
                             cudaStream_t) = nullptr;
  ncclResult_t (*all_gather)(const void*, void*, size_t, ncclDataType_t, ncclComm_t,
                             cudaStream_t) = nullptr;
  ncclResult_t (*reduce_scatter)(const void*, void*, size_t, ncclDataType_t, ncclRedOp_t,
                                 ncclComm_t, cudaStream_t) = nullptr;
  ncclResult_t (*broadcast)(const void*, void*, size_t, ncclDataType_t, int, ncclComm_t,
                            cudaStream_t) = nullptr;
  ncclResult_t (*send)(const void*, size_t, ncclDataType_t, int, ncclComm_t, cudaStream_t) = nullptr;
  ncclResult_t (*recv)(void*, size_t, ncclDataType_t, int, ncclComm_t, cudaStream_t) = nullptr;

  // Empty when loaded; else what is missing.
  std::string Load() {
    std::string error;
    library = OpenCudaLibrary("libnccl.so.2", &error);
    if (library == nullptr) return "NCCL (libnccl.so.2) is not installed here: " + error;
    auto Symbol = [this](auto& function, const char* name) { return Bind(library, function, name); };
    bool ok = Symbol(get_version, "ncclGetVersion") && Symbol(get_unique_id, "ncclGetUniqueId") &&
              Symbol(comm_init_rank, "ncclCommInitRank") && Symbol(comm_destroy, "ncclCommDestroy") &&
              Symbol(comm_abort, "ncclCommAbort") && Symbol(error_string, "ncclGetErrorString") &&
              Symbol(group_start, "ncclGroupStart") && Symbol(group_end, "ncclGroupEnd") &&
              Symbol(all_reduce, "ncclAllReduce") && Symbol(all_gather, "ncclAllGather") &&
              Symbol(reduce_scatter, "ncclReduceScatter") && Symbol(broadcast, "ncclBroadcast") &&
              Symbol(send, "ncclSend") && Symbol(recv, "ncclRecv");
    return ok ? "" : "libnccl.so.2 lacks a function this benchmark needs (NCCL 2.7 or newer)";
  }
};

// One local rank: its device, communicator, stream and buffers.
struct LocalRank {
  int device = 0;
  int rank = 0;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  float* send = nullptr;
  float* recv = nullptr;
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  unsigned long long* wrong = nullptr;  // device counter for the check
};

__global__ void Fill(float* data, size_t count, float value) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<size_t>(blockDim.x) * gridDim.x) {
    data[i] = value;
  }
}

// Counts elements unlike the expected: `value` everywhere, or, with `segment` > 0, the
// all_gather layout where segment s holds rank s's contribution (s + 1).
__global__ void CountWrong(const float* data, size_t count, float value, size_t segment,
                          unsigned long long* wrong) {
  unsigned long long mine = 0;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<size_t>(blockDim.x) * gridDim.x) {
    float expected = segment > 0 ? static_cast<float>(i / segment + 1) : value;
    mine += data[i] != expected ? 1 : 0;
  }
  if (mine > 0) atomicAdd(wrong, mine);
}

class Bench {
 public:
  Bench(const NcclBenchOptions& options, NcclBenchResult& result)
      : options_(options), result_(result) {}

  ~Bench() {
    for (LocalRank& local : ranks_) {
      cudaSetDevice(local.device);
      if (local.comm != nullptr) (failed_ ? nccl_.comm_abort : nccl_.comm_destroy)(local.comm);
      if (local.stream != nullptr) cudaStreamDestroy(local.stream);
      if (local.start != nullptr) cudaEventDestroy(local.start);
      if (local.stop != nullptr) cudaEventDestroy(local.stop);
      cudaFree(local.send);
      cudaFree(local.recv);
      cudaFree(local.wrong);
    }
  }

  void Run() {
    std::string missing = nccl_.Load();
    if (!missing.empty()) {
      result_.unavailable = true;
      result_.error = missing;
      return;
    }
    nccl_.get_version(&result_.nccl_version);
    int count = 0;
    int highest = *std::max_element(options_.devices.begin(), options_.devices.end());
    if (cudaGetDeviceCount(&count) != cudaSuccess || count <= highest) {
      result_.unavailable = true;
      result_.error = "needs CUDA device " + std::to_string(highest) + "; this process sees " +
                      std::to_string(count) + " device(s)";
      return;
    }
    if (!Init() || !Allocate()) return;
    for (Collective collective : options_.collectives) {
      for (uint64_t bytes : options_.sizes) {
        NcclRow row;
        if (!Measure(collective, bytes, row)) return;
        result_.rows.push_back(row);
        if (options_.on_row) options_.on_row(row);
      }
    }
    result_.ok = true;
  }

 private:
  bool Cuda(cudaError_t error, const char* what) {
    if (error == cudaSuccess) return true;
    return Failed(std::string(what) + ": " + cudaGetErrorString(error));
  }
  bool Check(ncclResult_t error, const char* what) {
    if (error == ncclSuccess || error == ncclInProgress) return true;
    return Failed(std::string(what) + ": " + nccl_.error_string(error));
  }
  bool Failed(const std::string& message) {
    failed_ = true;
    result_.error = message;
    return false;
  }

  bool Init() {
    ncclUniqueId id;
    std::string created;
    if (options_.first_rank == 0) {
      if (!Check(nccl_.get_unique_id(&id), "ncclGetUniqueId")) return false;
      created.assign(id.internal, sizeof id.internal);
    }
    if (options_.world_size > static_cast<int>(options_.devices.size())) {
      std::string error;
      std::string shared = options_.exchange_id(created, &error);
      if (shared.size() != sizeof id.internal) {
        return Failed("the NCCL unique ID did not arrive: " +
                      (error.empty() ? std::to_string(shared.size()) + " bytes instead of 128" : error));
      }
      std::memcpy(id.internal, shared.data(), sizeof id.internal);
    }
    ranks_.resize(options_.devices.size());
    // One process, several GPUs: their communicators are created in one group.
    if (!Check(nccl_.group_start(), "ncclGroupStart")) return false;
    for (size_t i = 0; i < ranks_.size(); ++i) {
      LocalRank& local = ranks_[i];
      local.device = options_.devices[i];
      local.rank = options_.first_rank + static_cast<int>(i);
      if (!Cuda(cudaSetDevice(local.device), "cudaSetDevice")) return false;
      if (!Check(nccl_.comm_init_rank(&local.comm, options_.world_size, id, local.rank),
                 "ncclCommInitRank")) {
        return false;
      }
    }
    return Check(nccl_.group_end(), "ncclGroupEnd (communicator set-up)");
  }

  bool Allocate() {
    uint64_t largest = *std::max_element(options_.sizes.begin(), options_.sizes.end());
    for (LocalRank& local : ranks_) {
      if (!Cuda(cudaSetDevice(local.device), "cudaSetDevice") ||
          !Cuda(cudaStreamCreateWithFlags(&local.stream, cudaStreamNonBlocking), "cudaStreamCreate") ||
          !Cuda(cudaEventCreate(&local.start), "cudaEventCreate") ||
          !Cuda(cudaEventCreate(&local.stop), "cudaEventCreate") ||
          !Cuda(cudaMalloc(&local.send, largest), "cudaMalloc (send buffer)") ||
          !Cuda(cudaMalloc(&local.recv, largest), "cudaMalloc (receive buffer)") ||
          !Cuda(cudaMalloc(&local.wrong, sizeof(unsigned long long)), "cudaMalloc")) {
        return false;
      }
    }
    return true;
  }

  bool Launch(Collective collective, LocalRank& local, size_t count) {
    const int n = options_.world_size;
    switch (collective) {
      case Collective::kAllReduce:
        return Check(nccl_.all_reduce(local.send, local.recv, count, ncclFloat, ncclSum, local.comm,
                                      local.stream), "ncclAllReduce");
      case Collective::kAllGather:
        return Check(nccl_.all_gather(local.send, local.recv, count / n, ncclFloat, local.comm,
                                      local.stream), "ncclAllGather");
      case Collective::kReduceScatter:
        return Check(nccl_.reduce_scatter(local.send, local.recv, count / n, ncclFloat, ncclSum,
                                          local.comm, local.stream), "ncclReduceScatter");
      case Collective::kBroadcast:
        return Check(nccl_.broadcast(local.send, local.recv, count, ncclFloat, 0, local.comm,
                                     local.stream), "ncclBroadcast");
      case Collective::kSendRecv:
        // A ring: each rank sends to the next and receives from the previous.
        return Check(nccl_.group_start(), "ncclGroupStart") &&
               Check(nccl_.send(local.send, count, ncclFloat, (local.rank + 1) % n, local.comm,
                                local.stream), "ncclSend") &&
               Check(nccl_.recv(local.recv, count, ncclFloat, (local.rank - 1 + n) % n, local.comm,
                                local.stream), "ncclRecv") &&
               Check(nccl_.group_end(), "ncclGroupEnd");
    }
    return false;
  }

  // Every local rank's operation in one group, as one process driving several GPUs must.
  bool LaunchAll(Collective collective, size_t count) {
    if (!Check(nccl_.group_start(), "ncclGroupStart")) return false;
    for (LocalRank& local : ranks_) {
      if (!Launch(collective, local, count)) return false;
    }
    return Check(nccl_.group_end(), "ncclGroupEnd");
  }

  bool Measure(Collective collective, uint64_t bytes, NcclRow& row) {
    const size_t count = bytes / sizeof(float);
    const int n = options_.world_size;
    row.collective = collective;
    row.bytes = bytes;
    for (LocalRank& local : ranks_) {
      cudaSetDevice(local.device);
      Fill<<<256, 256, 0, local.stream>>>(local.send, count, static_cast<float>(local.rank + 1));
      Fill<<<256, 256, 0, local.stream>>>(local.recv, count, -1.0f);
    }
    for (int i = 0; i < options_.warmup; ++i) {
      if (!LaunchAll(collective, count)) return false;
    }
    for (LocalRank& local : ranks_) {
      cudaSetDevice(local.device);
      if (!Cuda(cudaEventRecord(local.start, local.stream), "cudaEventRecord")) return false;
    }
    for (int i = 0; i < options_.iterations; ++i) {
      if (!LaunchAll(collective, count)) return false;
    }
    float slowest_ms = 0;
    for (LocalRank& local : ranks_) {
      cudaSetDevice(local.device);
      float ms = 0;
      if (!Cuda(cudaEventRecord(local.stop, local.stream), "cudaEventRecord") ||
          !Cuda(cudaEventSynchronize(local.stop), "the collective") ||
          !Cuda(cudaEventElapsedTime(&ms, local.start, local.stop), "cudaEventElapsedTime")) {
        return false;
      }
      slowest_ms = std::max(slowest_ms, ms);
    }
    row.seconds = slowest_ms / 1e3 / options_.iterations;
    row.algbw = AlgorithmBandwidth(bytes, row.seconds);
    row.busbw = BusBandwidth(collective, n, bytes, row.seconds);
    // The check: one more operation on fresh inputs, every output element compared.
    for (LocalRank& local : ranks_) {
      cudaSetDevice(local.device);
      Fill<<<256, 256, 0, local.stream>>>(local.recv, count, -1.0f);
      cudaMemsetAsync(local.wrong, 0, sizeof(unsigned long long), local.stream);
    }
    if (!LaunchAll(collective, count)) return false;
    const float sum = static_cast<float>(n) * static_cast<float>(n + 1) / 2;
    for (LocalRank& local : ranks_) {
      cudaSetDevice(local.device);
      size_t out = count;
      float expected = sum;
      size_t segment = 0;
      switch (collective) {
        case Collective::kAllReduce: break;
        case Collective::kAllGather: segment = count / n; break;
        case Collective::kReduceScatter: out = count / n; break;
        case Collective::kBroadcast: expected = 1; break;  // rank 0's input
        case Collective::kSendRecv: expected = static_cast<float>((local.rank - 1 + n) % n + 1); break;
      }
      CountWrong<<<256, 256, 0, local.stream>>>(local.recv, out, expected, segment, local.wrong);
      unsigned long long wrong = 0;
      if (!Cuda(cudaMemcpyAsync(&wrong, local.wrong, sizeof wrong, cudaMemcpyDeviceToHost, local.stream),
                "cudaMemcpy") ||
          !Cuda(cudaStreamSynchronize(local.stream), "the check")) {
        return false;
      }
      row.wrong += wrong;
    }
    return true;
  }

  const NcclBenchOptions& options_;
  NcclBenchResult& result_;
  Nccl nccl_;
  std::vector<LocalRank> ranks_;
  bool failed_ = false;  // communicators are aborted, not destroyed, after an error
};

}  // namespace

NcclBenchResult RunNcclBench(const NcclBenchOptions& options) {
  NcclBenchResult result;
  const int local = static_cast<int>(options.devices.size());
  if (options.sizes.empty() || options.collectives.empty() || local < 1 || options.first_rank < 0 ||
      options.first_rank + local > options.world_size) {
    result.error = "bad ranks or sizes: rank " + std::to_string(options.first_rank) + " + " +
                   std::to_string(local) + " local of " + std::to_string(options.world_size);
    return result;
  }
  Bench bench(options, result);
  bench.Run();
  return result;
}

}  // namespace wsfleet::gpu
