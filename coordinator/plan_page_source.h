#pragma once

#include <functional>
#include <string>

#include "common/event_loop.h"
#include "coordinator/scheduler.h"
#include "coordinator/state_paths.h"
#include "coordinator/status_watch.h"
#include "ui/plan_page_source.h"

namespace wsfleet::coordinator {

// What the plan page shows, read from the scheduler on its loop: the page's HTTP threads
// call, each call waits for the loop to answer (unavailable once the loop has stopped).
class SchedulerPageSource : public ui::PlanPageSource {
 public:
  using Watch = std::function<void(StatusWatchers::Callback)>;
  // `watch` adds an in-process status watcher (CoordinatorServer::Watch).
  SchedulerPageSource(common::EventLoop& loop, const Scheduler& scheduler, StatePaths paths, Watch watch)
      : loop_(loop), scheduler_(scheduler), paths_(std::move(paths)), watch_(std::move(watch)) {}

  absl::StatusOr<nlohmann::ordered_json> Plans() override;
  absl::StatusOr<ui::PageGraph> Graph(const std::string& plan_id) override;
  absl::StatusOr<v1::RunStatus> Status(const std::string& plan_id) override;
  absl::StatusOr<ui::WorkstreamDetail> Detail(const std::string& plan_id, const std::string& workstream_id) override;
  void Follow(std::function<void(const v1::RunStatus&)> changed) override { watch_(std::move(changed)); }

 private:
  // Runs `read` on the loop with the plan `plan_id` selects; its answer, or why not.
  template <typename Answer>
  absl::StatusOr<Answer> OnLoop(const std::string& plan_id,
                                const std::function<absl::StatusOr<Answer>(const PlanScheduler&)>& read);

  common::EventLoop& loop_;
  const Scheduler& scheduler_;
  StatePaths paths_;
  Watch watch_;
};

}  // namespace wsfleet::coordinator
