#include "coordinator/log_follower.h"

#include <fstream>
#include <utility>
#include <vector>

#include "coordinator/control_service.h"
#include "coordinator/scheduler.h"
#include "coordinator/state_store.h"

namespace wsfleet::coordinator {
namespace {

struct Snapshot {
  bool found = false;
  bool ended = false;
  std::vector<std::string> logs;  // one per attempt, oldest first
};

constexpr size_t kChunk = 64 << 10;

}  // namespace

LogFollower* LogFollower::Start(common::EventLoop& loop, Scheduler& scheduler, StateStore& store,
                                grpc::CallbackServerContext&, const v1::LogsRequest& request) {
  auto* follower = new LogFollower(loop, scheduler, store, request);
  follower->thread_ = std::thread([follower] { follower->Run(); });
  return follower;
}

LogFollower::LogFollower(common::EventLoop& loop, Scheduler& scheduler, StateStore& store,
                         v1::LogsRequest request)
    : loop_(loop), scheduler_(scheduler), store_(store), request_(std::move(request)) {}

bool LogFollower::WriteAndWait(std::string data) {
  std::unique_lock<std::mutex> lock(mutex_);
  chunk_.set_data(std::move(data));
  write_done_ = false;
  StartWrite(&chunk_);
  changed_.wait(lock, [&] { return write_done_; });
  return write_ok_ && !cancelled_;
}

void LogFollower::Run() {
  std::vector<size_t> offsets;
  while (!cancelled_) {
    Snapshot snapshot;
    absl::Status selected = absl::OkStatus();
    bool ran = loop_.RunSync([&] {
      absl::StatusOr<const PlanScheduler*> run = std::as_const(scheduler_).Select(request_.plan());
      if (!run.ok()) {
        selected = run.status();
        return;
      }
      // The plan is settled at the start: a plan submitted while this follows changes nothing.
      if (request_.plan().empty()) request_.set_plan((*run)->plan_row().plan_id);
      const common::Plan* plan = (*run)->plan();
      std::optional<int> index = plan != nullptr ? plan->IndexOf(request_.workstream_id()) : std::nullopt;
      if (!index) return;
      snapshot.found = true;
      RunView view = (*run)->ViewOf(*index);
      v1::WorkstreamState state = view.row.state;
      snapshot.ended = state != v1::WORKSTREAM_STATE_PENDING &&
                       state != v1::WORKSTREAM_STATE_READY &&
                       state != v1::WORKSTREAM_STATE_ASSIGNED &&
                       state != v1::WORKSTREAM_STATE_RUNNING;
      snapshot.logs = std::move(view.log_paths);
    });
    if (!ran) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the coordinator is stopping"));
      return;
    }
    if (!selected.ok()) {
      Finish(ToGrpc(selected));
      return;
    }
    if (!snapshot.found) {
      Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no workstream " + request_.workstream_id() + " in the current plan"));
      return;
    }
    offsets.resize(snapshot.logs.size(), 0);
    bool read_any = false;
    for (size_t i = 0; i < snapshot.logs.size(); ++i) {
      std::ifstream in(snapshot.logs[i], std::ios::binary);
      if (!in) continue;
      in.seekg(static_cast<std::streamoff>(offsets[i]));
      std::string buffer(kChunk, '\0');
      while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        size_t got = static_cast<size_t>(in.gcount());
        offsets[i] += got;
        read_any = true;
        if (!WriteAndWait(buffer.substr(0, got))) {
          Finish(grpc::Status::CANCELLED);
          return;
        }
      }
    }
    if (!read_any && (!request_.follow() || snapshot.ended)) break;
    if (!read_any) {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait_for(lock, std::chrono::milliseconds(200), [&] { return cancelled_.load(); });
    }
  }
  Finish(cancelled_ ? grpc::Status::CANCELLED : grpc::Status::OK);
}

void LogFollower::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mutex_);
  write_done_ = true;
  write_ok_ = ok;
  changed_.notify_all();
}

void LogFollower::OnCancel() {
  cancelled_ = true;
  std::lock_guard<std::mutex> lock(mutex_);
  changed_.notify_all();
}

void LogFollower::OnDone() {
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();
  } else if (thread_.joinable()) {
    thread_.join();
  }
  delete this;
}

}  // namespace wsfleet::coordinator
