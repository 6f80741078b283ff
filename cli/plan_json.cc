#include "cli/plan_json.h"

namespace wsfleet::cli {
namespace {

using common::Diagnostic;
using common::Plan;
using common::Severity;
using common::Workstream;
using Json = nlohmann::ordered_json;

Json Range(const common::DayRange& range) { return {{"min", range.min}, {"max", range.max}}; }

Json Ids(const std::vector<common::Dependency>& dependencies) {
  Json ids = Json::array();
  for (const common::Dependency& dependency : dependencies) ids.push_back(dependency.id.ToString());
  return ids;
}

Json StepJson(const common::Step& step) {
  return {{"file", step.where.file.str()},
          {"line", step.where.line},
          {"language", step.language},
          {"phase", step.phase == common::Step::Phase::kTest ? "test" : "verify"},
          {"heading", step.heading},
          {"script", step.script}};
}

Json CriterionJson(const common::Criterion& criterion) {
  Json json = {{"group", criterion.group}, {"text", criterion.text}, {"line", criterion.where.line}};
  json["checked"] = criterion.checkbox == common::Checkbox::kNone
                        ? Json(nullptr)
                        : Json(criterion.checkbox == common::Checkbox::kChecked);
  if (criterion.check) {
    json["check"] = {{"metric", criterion.check->metric},
                     {"op", common::CompareOpSymbol(criterion.check->op)},
                     {"value", criterion.check->value},
                     {"unit", criterion.check->unit}};
  } else {
    json["check"] = nullptr;
  }
  return json;
}

Json WorkstreamJson(const Plan& plan, int index) {
  const Workstream& ws = plan.workstreams[index];
  Json json = {{"id", ws.id.ToString()},
               {"name", ws.name},
               {"file", ws.where.file.str()},
               {"line", ws.where.line},
               {"dependencies", Ids(ws.dependencies)},
               {"priority", ws.priority ? Json(common::PriorityName(ws.priority)) : Json(nullptr)},
               {"milestone", ws.notes().milestone},
               {"agent_type", ws.agent_type},
               {"status", StatusKey(ws.status)},
               {"duration_days", Range(ws.duration.estimate)},
               {"gpus", ws.gpus},
               {"nodes", ws.nodes}};
  json["duration_days"]["known"] = ws.duration.known;
  json["actual_days"] = ws.duration.actual ? Range(*ws.duration.actual) : Json(nullptr);
  json["orchestrator"] = ws.notes().orchestrator;
  json["soft_dependencies"] = Ids(ws.soft_dependencies);
  json["blocks"] = Ids(ws.blocks);
  json["timeout_seconds"] = ws.timeout_seconds ? Json(*ws.timeout_seconds) : Json(nullptr);
  json["hang_timeout_seconds"] = ws.hang_timeout_seconds ? Json(*ws.hang_timeout_seconds) : Json(nullptr);
  json["retries"] = ws.retries ? Json(*ws.retries) : Json(nullptr);
  json["strict_verification"] = ws.strict_verification;
  json["labels"] = Json::object();
  for (const auto& [key, value] : ws.labels) json["labels"][key] = value;
  // What a worker must have ("needs"), or a line that is only a hint (needs: null).
  json["environment"] = Json::array();
  for (const common::EnvironmentNeed& need : ws.environment) {
    bool hint = need.kind == common::EnvironmentNeed::Kind::kHint;
    json["environment"].push_back(
        {{"text", need.text}, {"needs", hint ? Json(nullptr) : Json(common::Describe(need))}, {"line", need.where.line}});
  }
  json["level"] = plan.analysis.acyclic ? Json(plan.analysis.level_of[index]) : Json(nullptr);
  json["on_critical_path"] = plan.analysis.acyclic && plan.analysis.on_critical_path[index];
  json["deliverables"] = Json::array();
  for (const common::Deliverable& deliverable : ws.deliverables) {
    json["deliverables"].push_back(
        {{"text", deliverable.text}, {"paths", deliverable.paths}, {"line", deliverable.where.line}});
  }
  json["steps"] = Json::array();
  for (const common::Step& step : ws.steps) json["steps"].push_back(StepJson(step));
  json["criteria"] = Json::array();
  for (const common::Criterion& criterion : ws.criteria) {
    json["criteria"].push_back(CriterionJson(criterion));
  }
  return json;
}

Json DiagnosticsJson(const Plan& plan, Severity severity) {
  Json list = Json::array();
  for (const Diagnostic& diagnostic : plan.diagnostics.Sorted()) {
    if (diagnostic.severity != severity) continue;
    list.push_back({{"file", diagnostic.where.file.str()},
                    {"line", diagnostic.where.line},
                    {"message", diagnostic.message}});
  }
  return list;
}

}  // namespace

const char* StatusKey(common::WorkstreamStatus status) {
  switch (status) {
    case common::WorkstreamStatus::kNotStarted: return "not_started";
    case common::WorkstreamStatus::kReady: return "ready";
    case common::WorkstreamStatus::kInProgress: return "in_progress";
    case common::WorkstreamStatus::kBlocked: return "blocked";
    case common::WorkstreamStatus::kCompleted: return "completed";
  }
  return "unknown";
}

Json PlanToJson(const Plan& plan) {
  Json json;
  json["workstreams"] = Json::array();
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    json["workstreams"].push_back(WorkstreamJson(plan, static_cast<int>(i)));
  }
  json["levels"] = Json::array();
  for (const std::vector<int>& level : plan.analysis.levels) {
    Json ids = Json::array();
    for (int index : level) ids.push_back(plan.workstreams[index].id.ToString());
    json["levels"].push_back(ids);
  }
  Json chain = Json::array();
  for (int index : plan.analysis.critical_path.chain) {
    chain.push_back(plan.workstreams[index].id.ToString());
  }
  json["critical_path"] = {{"ids", chain},
                           {"days_min", plan.analysis.critical_path.days_min},
                           {"days_max", plan.analysis.critical_path.days_max}};
  json["makespan_days"] = Range(plan.analysis.makespan);
  json["warnings"] = DiagnosticsJson(plan, Severity::kWarning);
  json["errors"] = DiagnosticsJson(plan, Severity::kError);
  return json;
}

}  // namespace wsfleet::cli
