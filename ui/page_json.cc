#include "ui/page_json.h"

#include <fstream>
#include <map>
#include <sstream>

#include "common/last_line.h"
#include "proto/enum_names.h"

namespace wsfleet::ui {

nlohmann::ordered_json GraphJson(const PageGraph& graph) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const PageGraph::Node& node : graph.nodes) {
    nodes.push_back({{"id", node.id},
                     {"name", node.name},
                     {"deps", node.dependencies},
                     {"priority", node.priority},
                     {"duration", node.duration},
                     {"agent", node.agent},
                     {"gpus", node.gpus}});
  }
  return {{"plan", graph.plan_id}, {"name", graph.name}, {"nodes", std::move(nodes)},
          {"critical", graph.critical_path}};
}

std::vector<std::string> RemainingCriticalPath(const PageGraph& graph, const v1::RunStatus& status) {
  if (status.done()) return graph.critical_path;
  std::map<std::string, const v1::WorkstreamStatus*> by_id;
  for (const v1::WorkstreamStatus& ws : status.workstreams()) by_id[ws.id()] = &ws;
  std::map<std::string, std::vector<std::string>> dependents;
  for (const PageGraph::Node& node : graph.nodes) {
    for (const std::string& dependency : node.dependencies) dependents[dependency].push_back(node.id);
  }
  // The longest of the unfinished, then, step by step, the longest of what follows it.
  auto longest_of = [&](const std::vector<std::string>& ids) {
    const v1::WorkstreamStatus* best = nullptr;
    for (const std::string& id : ids) {
      auto found = by_id.find(id);
      if (found == by_id.end() || rpc::Ended(found->second->state())) continue;
      if (best == nullptr || found->second->remaining_days() > best->remaining_days()) best = found->second;
    }
    return best;
  };
  std::vector<std::string> all;
  for (const PageGraph::Node& node : graph.nodes) all.push_back(node.id);
  std::vector<std::string> path;
  for (const v1::WorkstreamStatus* at = longest_of(all); at != nullptr; at = longest_of(dependents[at->id()])) {
    path.push_back(at->id());
  }
  return path;
}

nlohmann::ordered_json LiveJson(const PageGraph& graph, const v1::RunStatus& status, int64_t sent_unix_ms) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  nlohmann::ordered_json workstreams = nlohmann::ordered_json::array();
  for (const v1::WorkstreamStatus& ws : status.workstreams()) {
    const char* state = rpc::StateName(ws.state());
    counts[state] = counts.value(state, 0) + 1;
    nlohmann::ordered_json out = {{"id", ws.id()}, {"s", state}, {"a", ws.attempts()}};
    if (!ws.worker_id().empty()) out["w"] = ws.worker_id();
    if (ws.started_unix_ms() > 0) out["t0"] = ws.started_unix_ms();
    if (ws.finished_unix_ms() > 0) out["t1"] = ws.finished_unix_ms();
    if (!ws.message().empty()) out["m"] = ws.message();
    if (!ws.last_output_line().empty()) out["l"] = ws.last_output_line();
    if (ws.has_tests()) out["tests"] = {ws.tests().passed(), ws.tests().failed(), ws.tests().skipped()};
    workstreams.push_back(std::move(out));
  }
  return {{"plan", status.plan_id()},
          {"done", status.done()},
          {"succeeded", status.succeeded()},
          {"eta", status.eta_seconds()},
          {"sent", sent_unix_ms},
          {"counts", std::move(counts)},
          {"critical", RemainingCriticalPath(graph, status)},
          {"ws", std::move(workstreams)}};
}

nlohmann::ordered_json DetailJson(const WorkstreamDetail& detail, size_t log_tail_bytes) {
  nlohmann::ordered_json out = {{"workstream", detail.status}, {"summary", nullptr}, {"log", nullptr}};
  if (std::ifstream summary(detail.summary_path); summary) {
    std::ostringstream text;
    text << summary.rdbuf();
    out["summary"] = text.str();
  }
  if (!detail.log_path.empty()) out["log"] = common::LastLinesOf(detail.log_path, log_tail_bytes);
  return out;
}

}  // namespace wsfleet::ui
