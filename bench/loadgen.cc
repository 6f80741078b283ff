// wsfleet_loadgen: simulated workers speaking the real worker protocol (wsfleet.v1
// WorkerService.Session) to a coordinator, to measure the coordinator at fleet scale
// (bench/fleet_scale_bench.sh, docs/benchmarks.md).
//
//   wsfleet_loadgen ADDRESS WORKERS SECONDS [SLOTS] [STEP_MS] [STOP_AFTER]
//
// Each simulated worker opens a session (Hello, SLOTS slots, default 1), heartbeats at the
// interval the coordinator's Welcome gives (the first ones spread over one interval), and
// runs what it is assigned: Started at once, Finished (succeeded) STEP_MS later (default 0).
// After SECONDS it prints, one `name value` a line: joined workers, join latency (Hello to
// Welcome), heartbeats sent and answered with their latency (Heartbeat to LeaseRenewed),
// attempts finished, and refill latency (a worker's Finished to its next Assign, while it
// had a free slot), as p50/p99 in milliseconds. With STOP_AFTER it stops as soon as that many
// attempts have finished (or SECONDS pass), and says how long that took (elapsed_s).

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "wsfleet/v1/worker.grpc.pb.h"

namespace wsfleet::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

struct Stats {
  std::mutex mutex;
  std::vector<double> join_ms, heartbeat_ms, refill_ms;
  uint64_t heartbeats_sent = 0, finished = 0, assigned = 0;
};

class Driver;

// One simulated worker: its session stream, one read pending, writes one at a time.
class SimWorker : public grpc::ClientBidiReactor<v1::WorkerMessage, v1::CoordinatorMessage> {
 public:
  SimWorker(std::string id, uint32_t slots, Driver& driver, Stats& stats)
      : id_(std::move(id)), slots_(slots), driver_(driver), stats_(stats) {}

  void Open(v1::WorkerService::Stub& stub) {
    stub.async()->Session(&context_, this);
    StartRead(&incoming_);
    v1::WorkerMessage hello;
    hello.mutable_hello()->set_worker_id(id_);
    hello.mutable_hello()->set_hostname("loadgen");
    hello.mutable_hello()->mutable_resources()->set_slots(slots_);
    hello_sent_ = Clock::now();
    Send(std::move(hello));
    StartCall();
  }
  void Heartbeat() {
    v1::WorkerMessage message;
    int64_t sent_ms = ++heartbeat_number_;  // opaque to the coordinator: a number, echoed
    message.mutable_heartbeat()->set_sent_ms(sent_ms);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      heartbeats_out_[sent_ms] = Clock::now();
    }
    message.mutable_heartbeat()->set_running_attempts(running_);
    Send(std::move(message));
    std::lock_guard<std::mutex> lock(stats_.mutex);
    ++stats_.heartbeats_sent;
  }
  void Finish(const std::string& attempt) {
    v1::WorkerMessage message;
    v1::Event& event = *message.mutable_events()->add_events();
    event.set_attempt_id(attempt);
    event.set_seq(2);
    event.set_time_unix_ms(NowMs());
    event.mutable_finished()->set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --running_;
      last_finished_ = Clock::now();
    }
    Send(std::move(message));
    std::lock_guard<std::mutex> lock(stats_.mutex);
    ++stats_.finished;
  }
  void Stop() { context_.TryCancel(); }
  bool done() const { return done_; }

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mutex_);
    writing_ = false;
    if (ok) WriteNextLocked();
  }
  void OnDone(const grpc::Status&) override { done_ = true; }

 private:
  void Send(v1::WorkerMessage message) {
    std::lock_guard<std::mutex> lock(mutex_);
    outgoing_.push_back(std::move(message));
    WriteNextLocked();
  }
  void WriteNextLocked() {
    if (writing_ || outgoing_.empty()) return;
    writing_ = true;
    writing_message_ = std::move(outgoing_.front());
    outgoing_.pop_front();
    StartWrite(&writing_message_);
  }
  void Handle(const v1::CoordinatorMessage& message);

  const std::string id_;
  const uint32_t slots_;
  Driver& driver_;
  Stats& stats_;
  grpc::ClientContext context_;
  v1::CoordinatorMessage incoming_;
  std::mutex mutex_;
  std::deque<v1::WorkerMessage> outgoing_;
  v1::WorkerMessage writing_message_;
  bool writing_ = false;
  uint32_t running_ = 0;
  Clock::time_point hello_sent_;
  std::optional<Clock::time_point> last_finished_;
  std::atomic<int64_t> heartbeat_number_{0};
  std::map<int64_t, Clock::time_point> heartbeats_out_;  // not answered yet
  std::atomic<bool> done_{false};
};

// Runs what is due: heartbeats and the ends of attempts, in time order, on one thread.
class Driver {
 public:
  struct Task {
    Clock::time_point due;
    SimWorker* worker;
    std::string attempt;  // empty: a heartbeat (which schedules the next one)
    bool operator>(const Task& other) const { return due > other.due; }
  };
  void Schedule(Task task) {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push(std::move(task));
    wake_.notify_one();
  }
  void Interval(std::chrono::milliseconds interval) { interval_ = interval; }
  std::chrono::milliseconds interval() const { return interval_.load(); }
  void Run(Clock::time_point until) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (Clock::now() < until && !stopped_) {
      if (tasks_.empty() || tasks_.top().due > Clock::now()) {
        wake_.wait_until(lock, tasks_.empty() ? until : std::min(until, tasks_.top().due));
        continue;
      }
      Task task = tasks_.top();
      tasks_.pop();
      lock.unlock();
      if (task.attempt.empty()) {
        task.worker->Heartbeat();
        Schedule({task.due + interval_.load(), task.worker, ""});
      } else {
        task.worker->Finish(task.attempt);
      }
      lock.lock();
    }
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    wake_.notify_all();
  }
  bool stopped() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopped_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::priority_queue<Task, std::vector<Task>, std::greater<Task>> tasks_;
  std::atomic<std::chrono::milliseconds> interval_{std::chrono::milliseconds(1000)};
};

int step_ms = 0;

void SimWorker::OnReadDone(bool ok) {
  if (!ok) return;
  Handle(incoming_);
  incoming_.Clear();
  StartRead(&incoming_);
}

void SimWorker::Handle(const v1::CoordinatorMessage& message) {
  Clock::time_point now = Clock::now();
  switch (message.kind_case()) {
    case v1::CoordinatorMessage::kBatch:
      for (const v1::CoordinatorMessage& inner : message.batch().messages()) Handle(inner);
      break;
    case v1::CoordinatorMessage::kWelcome: {
      if (message.welcome().heartbeat_interval_ms() > 0) {
        driver_.Interval(std::chrono::milliseconds(message.welcome().heartbeat_interval_ms()));
      }
      std::lock_guard<std::mutex> lock(stats_.mutex);
      stats_.join_ms.push_back(Millis(now - hello_sent_));
      break;
    }
    case v1::CoordinatorMessage::kLease: {
      std::optional<Clock::time_point> sent;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = heartbeats_out_.find(message.lease().heartbeat_sent_ms());
        if (found != heartbeats_out_.end()) {
          sent = found->second;
          heartbeats_out_.erase(heartbeats_out_.begin(), std::next(found));
        }
      }
      std::lock_guard<std::mutex> lock(stats_.mutex);
      if (sent) stats_.heartbeat_ms.push_back(Millis(now - *sent));
      break;
    }
    case v1::CoordinatorMessage::kAssign: {
      const std::string& attempt = message.assign().attempt().attempt_id();
      std::optional<double> refill;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (last_finished_ && running_ < slots_) refill = Millis(now - *last_finished_);
        ++running_;
      }
      v1::WorkerMessage started;
      v1::Event& event = *started.mutable_events()->add_events();
      event.set_attempt_id(attempt);
      event.set_seq(1);
      event.set_time_unix_ms(NowMs());
      event.mutable_started()->set_worker_id(id_);
      Send(std::move(started));
      driver_.Schedule({now + std::chrono::milliseconds(step_ms), this, attempt});
      std::lock_guard<std::mutex> lock(stats_.mutex);
      ++stats_.assigned;
      if (refill) stats_.refill_ms.push_back(*refill);
      break;
    }
    default:
      break;  // acks, cancels, drains: nothing to do for a simulated worker
  }
}

void Percentiles(const char* name, std::vector<double>& values) {
  if (values.empty()) {
    std::printf("%s_p50_ms -\n%s_p99_ms -\n", name, name);
    return;
  }
  std::sort(values.begin(), values.end());
  auto at = [&](double q) { return values[std::min(values.size() - 1, static_cast<size_t>(q * static_cast<double>(values.size())))]; };
  std::printf("%s_p50_ms %.2f\n%s_p99_ms %.2f\n%s_max_ms %.2f\n", name, at(0.5), name, at(0.99), name, values.back());
}

int Main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: wsfleet_loadgen ADDRESS WORKERS SECONDS [SLOTS] [STEP_MS] [STOP_AFTER]\n");
    return 64;
  }
  std::string address = argv[1];
  int workers = std::atoi(argv[2]);
  int seconds = std::atoi(argv[3]);
  uint32_t slots = argc > 4 ? static_cast<uint32_t>(std::atoi(argv[4])) : 1;
  step_ms = argc > 5 ? std::atoi(argv[5]) : 0;
  uint64_t stop_after = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 0;
  if (workers <= 0 || seconds <= 0 || slots == 0) {
    std::fprintf(stderr, "wsfleet_loadgen: WORKERS, SECONDS and SLOTS are positive numbers\n");
    return 64;
  }
  // Workers on other machines each have their own connection: 50 sessions share one here.
  constexpr int kPerConnection = 50;
  std::vector<std::unique_ptr<v1::WorkerService::Stub>> stubs;
  for (int c = 0; c * kPerConnection < workers; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("wsfleet.loadgen.connection", c);  // a distinct argument: a distinct connection
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    stubs.push_back(v1::WorkerService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
  }
  Stats stats;
  Driver driver;
  std::vector<std::unique_ptr<SimWorker>> sims;
  Clock::time_point start = Clock::now();
  std::thread heartbeats([&] { driver.Run(start + std::chrono::seconds(seconds)); });
  std::atomic<bool> ended{false};
  std::thread stopper([&] {  // bounded: ends with the run at the latest
    while (stop_after > 0 && !ended) {
      {
        std::lock_guard<std::mutex> lock(stats.mutex);
        if (stats.finished >= stop_after) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (stop_after > 0) driver.Stop();
  });
  // Joins spread over the first 5 s (workers started by a scheduler, not all in one
  // instant): each join is measured against a coordinator already busy with the others.
  const auto ramp = std::chrono::milliseconds(std::min(5000, seconds * 250));
  for (int i = 0; i < workers && !driver.stopped(); ++i) {
    std::this_thread::sleep_until(start + ramp * i / workers);
    sims.push_back(std::make_unique<SimWorker>("sim-" + std::to_string(i), slots, driver, stats));
    sims.back()->Open(*stubs[static_cast<size_t>(i / kPerConnection)]);
    // The first heartbeats spread over one interval, as workers started at different times.
    driver.Schedule({Clock::now() + driver.interval(), sims.back().get(), ""});
  }
  heartbeats.join();
  ended = true;
  stopper.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& sim : sims) sim->Stop();
  for (int i = 0; i < 500 && !std::all_of(sims.begin(), sims.end(), [](auto& s) { return s->done(); }); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(stats.mutex);
  std::printf("workers %d\njoined %zu\nelapsed_s %.2f\n", workers, stats.join_ms.size(), elapsed);
  Percentiles("join", stats.join_ms);
  std::printf("heartbeats_sent %llu\nheartbeats_answered %zu\n",
              static_cast<unsigned long long>(stats.heartbeats_sent), stats.heartbeat_ms.size());
  Percentiles("heartbeat", stats.heartbeat_ms);
  std::printf("assigned %llu\nfinished %llu\n", static_cast<unsigned long long>(stats.assigned),
              static_cast<unsigned long long>(stats.finished));
  Percentiles("refill", stats.refill_ms);
  bool all_done = std::all_of(sims.begin(), sims.end(), [](auto& s) { return s->done(); });
  if (!all_done) std::_Exit(0);  // a session that did not end in 5 s: do not wait on it
  return 0;
}

}  // namespace
}  // namespace wsfleet::bench

int main(int argc, char** argv) { return wsfleet::bench::Main(argc, argv); }
