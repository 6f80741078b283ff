#include "common/dag.h"

#include <algorithm>
#include <map>
#include <set>

namespace wsfleet::common {
namespace {

constexpr const char* kArrow = " \xE2\x86\x92 ";  // →
constexpr size_t kMaxCycleSteps = 20;

double Weight(const Workstream& ws, bool use_max) {
  if (ws.completed()) return 0;
  return use_max ? ws.duration.estimate.max : ws.duration.estimate.min;
}

// Strongly connected components (Tarjan), without recursion so that a 100,000-long
// chain cannot overflow the stack.
std::vector<std::vector<int>> StronglyConnected(const PlanGraph& graph) {
  const int n = static_cast<int>(graph.dependencies.size());
  std::vector<int> index(n, -1), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<int> stack;
  std::vector<std::vector<int>> components;
  int counter = 0;
  struct Frame {
    int node;
    size_t next_edge;
  };
  for (int root = 0; root < n; ++root) {
    if (index[root] >= 0) continue;
    std::vector<Frame> frames{{root, 0}};
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      Frame& frame = frames.back();
      const std::vector<int>& edges = graph.dependencies[frame.node];
      if (frame.next_edge < edges.size()) {
        int next = edges[frame.next_edge++];
        if (index[next] < 0) {
          index[next] = low[next] = counter++;
          stack.push_back(next);
          on_stack[next] = true;
          frames.push_back({next, 0});
        } else if (on_stack[next]) {
          low[frame.node] = std::min(low[frame.node], index[next]);
        }
        continue;
      }
      int node = frame.node;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().node] = std::min(low[frames.back().node], low[node]);
      if (low[node] == index[node]) {
        std::vector<int> component;
        int member;
        do {
          member = stack.back();
          stack.pop_back();
          on_stack[member] = false;
          component.push_back(member);
        } while (member != node);
        components.push_back(std::move(component));
      }
    }
  }
  return components;
}

// A shortest cycle through `start` inside `component` (breadth-first on dependency edges).
std::vector<int> CycleThrough(int start, const std::set<int>& component, const PlanGraph& graph) {
  std::map<int, int> parent;
  std::vector<int> frontier{start};
  while (!frontier.empty()) {
    std::vector<int> next_frontier;
    for (int node : frontier) {
      for (int next : graph.dependencies[node]) {
        if (!component.count(next)) continue;
        if (next == start) {
          std::vector<int> cycle{start};
          for (int walk = node; walk != start; walk = parent[walk]) cycle.push_back(walk);
          std::reverse(cycle.begin() + 1, cycle.end());
          cycle.push_back(start);
          return cycle;
        }
        if (parent.emplace(next, node).second) next_frontier.push_back(next);
      }
    }
    frontier = std::move(next_frontier);
  }
  return {start, start};
}

const Dependency* FindDependency(const Workstream& from, WorkstreamId to) {
  for (const Dependency& dependency : from.dependencies) {
    if (dependency.id == to) return &dependency;
  }
  return nullptr;
}

// Indices in an order where every workstream comes after its dependencies.
std::vector<int> TopologicalOrder(const PlanGraph& graph) {
  const int n = static_cast<int>(graph.dependencies.size());
  std::vector<int> waiting(n);
  std::vector<int> order;
  order.reserve(n);
  for (int i = 0; i < n; ++i) {
    waiting[i] = static_cast<int>(graph.dependencies[i].size());
    if (waiting[i] == 0) order.push_back(i);
  }
  for (size_t head = 0; head < order.size(); ++head) {
    for (int dependent : graph.dependents[order[head]]) {
      if (--waiting[dependent] == 0) order.push_back(dependent);
    }
  }
  return order;
}

}  // namespace

PlanGraph BuildGraph(const std::vector<Workstream>& workstreams, Diagnostics& diagnostics) {
  std::map<WorkstreamId, int> by_id;
  for (size_t i = 0; i < workstreams.size(); ++i) {
    by_id.emplace(workstreams[i].id, static_cast<int>(i));
  }
  PlanGraph graph;
  graph.dependencies.resize(workstreams.size());
  graph.dependents.resize(workstreams.size());
  for (size_t i = 0; i < workstreams.size(); ++i) {
    const Workstream& ws = workstreams[i];
    for (const Dependency& dependency : ws.dependencies) {
      if (dependency.id == ws.id) continue;
      auto found = by_id.find(dependency.id);
      if (found == by_id.end()) {
        diagnostics.Error(dependency.where, ws.id.ToString() + " depends on unknown workstream " +
                                                dependency.id.ToString());
        continue;
      }
      graph.dependencies[i].push_back(found->second);
      graph.dependents[found->second].push_back(static_cast<int>(i));
    }
    for (const Dependency& soft : ws.soft_dependencies) {
      if (!by_id.count(soft.id)) {
        diagnostics.Warn(soft.where, ws.id.ToString() + " has unknown soft dependency " +
                                         soft.id.ToString());
      }
    }
  }
  for (auto& list : graph.dependencies) std::sort(list.begin(), list.end());
  for (auto& list : graph.dependents) std::sort(list.begin(), list.end());
  return graph;
}

bool CheckAcyclic(const std::vector<Workstream>& workstreams, const PlanGraph& graph,
                  Diagnostics& diagnostics) {
  bool acyclic = true;
  std::vector<std::vector<int>> components = StronglyConnected(graph);
  std::sort(components.begin(), components.end(),
            [](const auto& a, const auto& b) {
              return *std::min_element(a.begin(), a.end()) < *std::min_element(b.begin(), b.end());
            });
  for (const std::vector<int>& component : components) {
    if (component.size() < 2) continue;
    acyclic = false;
    int start = *std::min_element(component.begin(), component.end());
    std::vector<int> cycle =
        CycleThrough(start, std::set<int>(component.begin(), component.end()), graph);
    std::string path;
    std::string steps;
    for (size_t k = 0; k < cycle.size(); ++k) {
      // A cycle through thousands of cards prints its start and its end, not every step.
      if (k == kMaxCycleSteps && cycle.size() > kMaxCycleSteps + 1) {
        path += kArrow + std::string("\xE2\x80\xA6");
        steps += "; " + std::to_string(cycle.size() - 1 - kMaxCycleSteps) + " more steps";
        k = cycle.size() - 1;
      }
      if (k > 0) path += kArrow;
      path += workstreams[cycle[k]].id.ToString();
      if (k + 1 < cycle.size()) {
        const Workstream& from = workstreams[cycle[k]];
        const Dependency* edge = FindDependency(from, workstreams[cycle[k + 1]].id);
        steps += std::string(k > 0 ? "; " : "") + from.id.ToString() + " needs " +
                 workstreams[cycle[k + 1]].id.ToString() + " at " +
                 (edge != nullptr ? edge->where.ToString() : from.where.ToString());
      }
    }
    if (component.size() > cycle.size() - 1) {
      steps += "; " + std::to_string(component.size()) + " workstreams are in this cycle";
    }
    const Dependency* first = FindDependency(workstreams[cycle[0]], workstreams[cycle[1]].id);
    diagnostics.Error(first != nullptr ? first->where : workstreams[start].where,
                      "dependency cycle: " + path + " (" + steps + ")");
  }
  return acyclic;
}

PlanAnalysis Analyze(const std::vector<Workstream>& workstreams, const PlanGraph& graph) {
  const int n = static_cast<int>(workstreams.size());
  PlanAnalysis analysis;
  std::vector<int> order = TopologicalOrder(graph);
  analysis.acyclic = static_cast<int>(order.size()) == n;
  if (!analysis.acyclic) return analysis;

  analysis.level_of.assign(n, 0);
  std::vector<double> longest_max(n, 0), longest_min(n, 0);
  std::vector<int> previous(n, -1);
  for (int node : order) {
    int level = 0;
    double best_max = 0, best_min = 0;
    for (int dependency : graph.dependencies[node]) {
      level = std::max(level, analysis.level_of[dependency] + 1);
      if (previous[node] < 0 || longest_max[dependency] > best_max) {
        best_max = longest_max[dependency];
        previous[node] = dependency;
      }
      best_min = std::max(best_min, longest_min[dependency]);
    }
    analysis.level_of[node] = level;
    longest_max[node] = best_max + Weight(workstreams[node], true);
    longest_min[node] = best_min + Weight(workstreams[node], false);
  }
  for (int node = 0; node < n; ++node) {
    int level = analysis.level_of[node];
    if (static_cast<int>(analysis.levels.size()) <= level) analysis.levels.resize(level + 1);
    analysis.levels[level].push_back(node);
  }

  analysis.on_critical_path.assign(n, false);
  int end = -1;
  for (int node = 0; node < n; ++node) {
    if (end < 0 || longest_max[node] > longest_max[end]) end = node;
    analysis.makespan.min = std::max(analysis.makespan.min, longest_min[node]);
  }
  for (int node = end; node >= 0; node = previous[node]) {
    analysis.critical_path.chain.push_back(node);
    analysis.on_critical_path[node] = true;
    analysis.critical_path.days_min += Weight(workstreams[node], false);
    analysis.critical_path.days_max += Weight(workstreams[node], true);
  }
  std::reverse(analysis.critical_path.chain.begin(), analysis.critical_path.chain.end());
  analysis.makespan.max = analysis.critical_path.days_max;

  analysis.remaining_days_max.assign(n, 0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    double tail = 0;
    for (int dependent : graph.dependents[*it]) {
      tail = std::max(tail, analysis.remaining_days_max[dependent]);
    }
    analysis.remaining_days_max[*it] = tail + Weight(workstreams[*it], true);
  }
  return analysis;
}

void CheckBlocksAgree(const std::vector<Workstream>& workstreams, const PlanGraph& graph,
                      Diagnostics& diagnostics) {
  std::map<WorkstreamId, int> by_id;
  for (size_t i = 0; i < workstreams.size(); ++i) {
    by_id.emplace(workstreams[i].id, static_cast<int>(i));
  }
  for (size_t i = 0; i < workstreams.size(); ++i) {
    const Workstream& ws = workstreams[i];
    if (ws.blocks.empty()) continue;
    for (const Dependency& blocked : ws.blocks) {
      auto found = by_id.find(blocked.id);
      if (found == by_id.end()) {
        diagnostics.Warn(blocked.where, ws.id.ToString() + " lists unknown workstream " +
                                            blocked.id.ToString() + " under Blocks");
      } else if (!FindDependency(workstreams[found->second], ws.id)) {
        diagnostics.Warn(blocked.where,
                         ws.id.ToString() + " says it blocks " + blocked.id.ToString() + ", but " +
                             blocked.id.ToString() + " does not depend on " + ws.id.ToString());
      }
    }
    for (int dependent : graph.dependents[i]) {
      WorkstreamId id = workstreams[dependent].id;
      bool listed = std::any_of(ws.blocks.begin(), ws.blocks.end(),
                                [&](const Dependency& b) { return b.id == id; });
      if (!listed) {
        const Dependency* edge = FindDependency(workstreams[dependent], ws.id);
        diagnostics.Warn(edge != nullptr ? edge->where : workstreams[dependent].where,
                         id.ToString() + " depends on " + ws.id.ToString() + ", but " +
                             ws.id.ToString() + "'s Blocks list does not name it");
      }
    }
  }
}

}  // namespace wsfleet::common
