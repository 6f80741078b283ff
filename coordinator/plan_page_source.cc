#include "coordinator/plan_page_source.h"

#include "coordinator/run_json.h"
#include "coordinator/verification_view.h"

namespace wsfleet::coordinator {

template <typename Answer>
absl::StatusOr<Answer> SchedulerPageSource::OnLoop(
    const std::string& plan_id, const std::function<absl::StatusOr<Answer>(const PlanScheduler&)>& read) {
  absl::StatusOr<Answer> answer = absl::UnavailableError("the coordinator is stopping");
  loop_.RunSync([&] {
    if (plan_id.empty() && !scheduler_.has_plan()) {
      answer = absl::NotFoundError("no plan submitted yet");
      return;
    }
    absl::StatusOr<const PlanScheduler*> plan = scheduler_.Select(plan_id);
    answer = plan.ok() ? read(**plan) : absl::StatusOr<Answer>(plan.status());
  });
  return answer;
}

absl::StatusOr<nlohmann::ordered_json> SchedulerPageSource::Plans() {
  absl::StatusOr<nlohmann::ordered_json> answer = absl::UnavailableError("the coordinator is stopping");
  loop_.RunSync([&] {
    v1::ListPlansResponse plans;
    for (const PlanScheduler* plan : scheduler_.plans()) *plans.add_plans() = plan->Info();
    answer = PlansJson(plans);
  });
  return answer;
}

absl::StatusOr<ui::PageGraph> SchedulerPageSource::Graph(const std::string& plan_id) {
  return OnLoop<ui::PageGraph>(plan_id, [](const PlanScheduler& plan) -> absl::StatusOr<ui::PageGraph> {
    const common::Plan& cards = *plan.plan();
    ui::PageGraph graph;
    graph.plan_id = plan.plan_row().plan_id;
    graph.name = plan.plan_row().name;
    graph.nodes.reserve(cards.workstreams.size());
    for (size_t i = 0; i < cards.workstreams.size(); ++i) {
      const common::Workstream& card = cards.workstreams[i];
      ui::PageGraph::Node& node = graph.nodes.emplace_back();
      node.id = card.id.ToString();
      node.name = card.name;
      if (i < cards.graph.dependencies.size()) {
        for (int dependency : cards.graph.dependencies[i]) node.dependencies.push_back(cards.workstreams[dependency].id.ToString());
      }
      node.priority = static_cast<uint32_t>(card.priority.value_or(10));
      node.duration = card.duration.text;
      node.agent = card.agent_type;
      node.gpus = static_cast<uint32_t>(std::max(0, card.gpus));
    }
    if (cards.analysis.acyclic) {
      for (int index : cards.analysis.critical_path.chain) graph.critical_path.push_back(cards.workstreams[index].id.ToString());
    }
    return graph;
  });
}

absl::StatusOr<v1::RunStatus> SchedulerPageSource::Status(const std::string& plan_id) {
  return OnLoop<v1::RunStatus>(plan_id, [](const PlanScheduler& plan) -> absl::StatusOr<v1::RunStatus> {
    return plan.Status();
  });
}

absl::StatusOr<ui::WorkstreamDetail> SchedulerPageSource::Detail(const std::string& plan_id,
                                                                 const std::string& workstream_id) {
  return OnLoop<ui::WorkstreamDetail>(plan_id, [&](const PlanScheduler& plan) -> absl::StatusOr<ui::WorkstreamDetail> {
    std::optional<int> index = plan.plan()->IndexOf(workstream_id);
    if (!index) return absl::NotFoundError("no workstream '" + workstream_id + "' in plan " + plan.plan_row().plan_id);
    v1::WorkstreamStatus status = plan.WorkstreamStatusOf(*index);
    AddVerificationOf(plan, *index, status);
    RunView view = plan.ViewOf(*index);
    ui::WorkstreamDetail detail;
    detail.status = WorkstreamJson(status);
    detail.summary_path = paths_.Plan(plan.plan_row().plan_id).Summary(status.id());
    if (!view.log_paths.empty()) detail.log_path = view.log_paths.back();
    return detail;
  });
}

}  // namespace wsfleet::coordinator
