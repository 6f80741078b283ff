#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "wsfleet/v1/control.pb.h"

// What the plan page shows, as the coordinator gives it. The page's HTTP threads call;
// an implementation reads its scheduler on the scheduler's own thread.
namespace wsfleet::ui {

// A plan's DAG: what does not change while it runs.
struct PageGraph {
  struct Node {
    std::string id;
    std::string name;
    std::vector<std::string> dependencies;  // resolved ones only, by ID
    uint32_t priority = 0;
    std::string duration;  // as the card gives it: "2-3 days"
    std::string agent;     // the agent type; empty when it runs none
    uint32_t gpus = 0;
  };
  std::string plan_id;
  std::string name;
  std::vector<Node> nodes;
  std::vector<std::string> critical_path;  // the whole plan's, by upper estimates, first first
};

// One workstream for the page's details: its status as `status -o json` writes it (with
// its verification), and where its summary and its latest attempt's log are.
struct WorkstreamDetail {
  nlohmann::ordered_json status;
  std::string summary_path;  // may not exist (yet)
  std::string log_path;      // empty before its first attempt
};

class PlanPageSource {
 public:
  virtual ~PlanPageSource() = default;
  // The plans held, as `wsfleet plans -o json` lists them.
  virtual absl::StatusOr<nlohmann::ordered_json> Plans() = 0;
  // `plan_id` as every control call takes it: empty means the only plan held, else the only
  // one running.
  virtual absl::StatusOr<PageGraph> Graph(const std::string& plan_id) = 0;
  virtual absl::StatusOr<v1::RunStatus> Status(const std::string& plan_id) = 0;
  virtual absl::StatusOr<WorkstreamDetail> Detail(const std::string& plan_id, const std::string& workstream_id) = 0;
  // From now on, `changed` is called with a plan's status whenever it changes (coalesced by
  // the coordinator); on the scheduler's thread, so it must only hand the status over.
  virtual void Follow(std::function<void(const v1::RunStatus&)> changed) = 0;
};

}  // namespace wsfleet::ui
