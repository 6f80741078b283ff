#include "cli/graph_render.h"

#include <nlohmann/json.hpp>

#include "cli/plan_json.h"
#include "cli/plan_table.h"

namespace wsfleet::cli {
namespace {

bool Critical(const common::Plan& plan, int index) {
  return plan.analysis.acyclic && plan.analysis.on_critical_path[index];
}

// Both ends on the critical path and adjacent in its chain.
bool CriticalEdge(const common::Plan& plan, int from, int to) {
  const std::vector<int>& chain = plan.analysis.critical_path.chain;
  for (size_t k = 0; k + 1 < chain.size(); ++k) {
    if (chain[k] == from && chain[k + 1] == to) return true;
  }
  return false;
}

std::string Escape(const std::string& text, const std::string& quote_as) {
  std::string out;
  for (char c : text) {
    if (c == '"') {
      out += quote_as;
    } else if (c == '\\' && quote_as == "\\\"") {
      out += "\\\\";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string MermaidId(const common::Workstream& ws) {
  return "WS" + std::to_string(ws.id.number());
}

}  // namespace

std::string RenderDot(const common::Plan& plan) {
  std::string out = "digraph plan {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    const common::Workstream& ws = plan.workstreams[i];
    out += "  \"" + ws.id.ToString() + "\" [label=\"" + ws.id.ToString() + "\\n" +
           Escape(ws.name, "\\\"") + "\\n" + FormatDays(ws.duration.estimate) + "\"";
    if (ws.completed()) out += ", style=\"rounded,dashed\"";
    if (Critical(plan, static_cast<int>(i))) out += ", color=red, penwidth=2";
    out += "];\n";
  }
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    for (int dependency : plan.graph.dependencies[i]) {
      out += "  \"" + plan.workstreams[dependency].id.ToString() + "\" -> \"" +
             plan.workstreams[i].id.ToString() + "\"";
      if (CriticalEdge(plan, dependency, static_cast<int>(i))) out += " [color=red, penwidth=2]";
      out += ";\n";
    }
  }
  return out + "}\n";
}

std::string RenderMermaid(const common::Plan& plan) {
  std::string out = "flowchart LR\n";
  for (const common::Workstream& ws : plan.workstreams) {
    out += "  " + MermaidId(ws) + "[\"" + ws.id.ToString() + ": " + Escape(ws.name, "#quot;") +
           " (" + FormatDays(ws.duration.estimate) + ")\"]\n";
  }
  std::string critical_links;
  int link = 0;
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    for (int dependency : plan.graph.dependencies[i]) {
      out += "  " + MermaidId(plan.workstreams[dependency]) + " --> " +
             MermaidId(plan.workstreams[i]) + "\n";
      if (CriticalEdge(plan, dependency, static_cast<int>(i))) {
        critical_links += (critical_links.empty() ? "" : ",") + std::to_string(link);
      }
      ++link;
    }
  }
  std::string critical_nodes;
  std::string done_nodes;
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    const std::string id = MermaidId(plan.workstreams[i]);
    if (Critical(plan, static_cast<int>(i))) critical_nodes += (critical_nodes.empty() ? "" : ",") + id;
    if (plan.workstreams[i].completed()) done_nodes += (done_nodes.empty() ? "" : ",") + id;
  }
  out += "  classDef critical stroke:#d00,stroke-width:3px;\n";
  out += "  classDef completed stroke-dasharray:4 4;\n";
  if (!critical_nodes.empty()) out += "  class " + critical_nodes + " critical;\n";
  if (!done_nodes.empty()) out += "  class " + done_nodes + " completed;\n";
  if (!critical_links.empty()) out += "  linkStyle " + critical_links + " stroke:#d00,stroke-width:3px;\n";
  return out;
}

std::string RenderGraphJson(const common::Plan& plan) {
  nlohmann::ordered_json json;
  json["nodes"] = nlohmann::ordered_json::array();
  json["edges"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    const common::Workstream& ws = plan.workstreams[i];
    json["nodes"].push_back({{"id", ws.id.ToString()},
                             {"name", ws.name},
                             {"status", StatusKey(ws.status)},
                             {"level", plan.analysis.acyclic ? plan.analysis.level_of[i] : -1},
                             {"duration_days", {{"min", ws.duration.estimate.min},
                                                {"max", ws.duration.estimate.max}}},
                             {"critical", Critical(plan, static_cast<int>(i))}});
    for (int dependency : plan.graph.dependencies[i]) {
      json["edges"].push_back({{"from", plan.workstreams[dependency].id.ToString()},
                               {"to", ws.id.ToString()},
                               {"critical", CriticalEdge(plan, dependency, static_cast<int>(i))}});
    }
  }
  json["critical_path"] = nlohmann::ordered_json::array();
  for (int index : plan.analysis.critical_path.chain) {
    json["critical_path"].push_back(plan.workstreams[index].id.ToString());
  }
  return json.dump(2) + "\n";
}

}  // namespace wsfleet::cli
