#include "bench/plan_generator.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

namespace wsfleet::bench {
namespace {

std::string Id(int n) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "WS-%02d", n);
  return buffer;
}

// The dependency line, in one of the styles people write.
std::string DependencyLine(const std::vector<int>& deps, std::mt19937& random) {
  if (deps.empty()) return random() % 2 ? "None" : "None (foundation workstream)";
  std::string line;
  for (size_t k = 0; k < deps.size(); ++k) {
    if (k > 0) line += ", ";
    line += Id(deps[k]);
    if (random() % 3 == 0) line += " (needs its API)";
  }
  return line;
}

std::string Card(int n, const std::vector<int>& deps, std::mt19937& random) {
  int low = 1 + static_cast<int>(random() % 4);
  std::string id = Id(n);
  std::string card;
  card.reserve(3500);
  card += "# " + id + ": Generated Workstream " + std::to_string(n) + "\n\n";
  card += "**ID**: " + id + "\n**Orchestrator**: Foundation\n**Milestone**: M" +
          std::to_string(1 + n % 5) + "\n**Duration**: " + std::to_string(low) + "-" +
          std::to_string(low + 2) + " days\n**Priority**: P" + std::to_string(random() % 3) +
          "\n**Dependencies**: " + DependencyLine(deps, random) +
          "\n**Agent Type**: `backend-architect`\n**Status**: " +
          (random() % 10 == 0 ? "✅ COMPLETE" : "Not Started") + "\n\n---\n\n";
  card += "## Objective\n\nBuild component " + std::to_string(n) +
          " of the generated system so that the benchmark parses a realistic card with "
          "prose, lists, code blocks and tables, as people write them.\n\n---\n\n";
  card += "## Deliverables\n\n1. **Module** - `src/module_" + std::to_string(n) +
          ".cc` and `src/module_" + std::to_string(n) +
          ".h`\n2. **Tests** - `tests/module_" + std::to_string(n) +
          "_test.cc`\n3. **Documentation** - `docs/module_" + std::to_string(n) + ".md`\n\n---\n\n";
  card += "## Acceptance Criteria\n\n**Functional**:\n- ✅ Parses its input\n"
          "- ✅ Handles errors with messages naming file and line\n\n**Performance**:\n"
          "- ✅ Throughput `module_ops_per_s >= 1000`\n- ✅ Latency `p99_ms < 10`\n\n"
          "**Quality**:\n- ✅ Test coverage ≥ 80%\n- ✅ Code review completed\n\n---\n\n";
  card += "## Technical Requirements\n\n| Item | Value |\n|---|---|\n| Hardware | DGX-Spark GB10 |\n"
          "| CUDA | 13.0 |\n\n```toml\n[dependencies]\ncrate1 = \"1.0\"\n```\n\n---\n\n";
  card += "## Test-Driven Development (TDD)\n\n### Test Commands\n\n```bash\n"
          "ctest --test-dir build -R module_" + std::to_string(n) +
          "\necho \"METRIC module_ops_per_s=1500\"\n```\n\n---\n\n";
  card += "## Dependencies\n\n### Blocked By\n";
  if (deps.empty()) card += "- None\n";
  for (int dep : deps) card += "- **" + Id(dep) + " (Upstream)**: provides an interface\n";
  card += "\n### Soft Dependencies\n- None\n\n---\n\n";
  card += "## Verification & Validation\n\n### Verification Steps (Agent Self-Check)\n\n```bash\n"
          "test -f src/module_" + std::to_string(n) + ".cc && echo \"✅ Module exists\"\n```\n\n";
  card += "## Known Issues & Risks\n\n### Issue 1: Scale\n**Problem**: Large inputs\n"
          "**Impact**: Medium\n**Mitigation**: Stream them\n\n**Status**: Ready for agent spawn\n";
  return card;
}

}  // namespace

std::vector<common::SourceFile> GeneratePlan(int count, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<common::SourceFile> cards;
  cards.reserve(count);
  for (int n = 1; n <= count; ++n) {
    std::vector<int> deps;
    if (n > 1) {
      int wanted = static_cast<int>(random() % 4);
      for (int k = 0; k < wanted; ++k) {
        // Mostly recent cards, so the DAG is deep as well as wide.
        int window = std::min(n - 1, 200);
        int dep = n - 1 - static_cast<int>(random() % window);
        if (std::find(deps.begin(), deps.end(), dep) == deps.end()) deps.push_back(dep);
      }
    }
    char name[32];
    std::snprintf(name, sizeof name, "ws%05d-card/README.md", n);
    cards.push_back({name, Card(n, deps, random)});
  }
  return cards;
}

void WritePlan(const std::vector<common::SourceFile>& cards, const std::string& dir) {
  for (const common::SourceFile& card : cards) {
    std::filesystem::path path = std::filesystem::path(dir) / card.path;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << card.text;
  }
}

}  // namespace wsfleet::bench
