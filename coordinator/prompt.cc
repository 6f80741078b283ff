#include "coordinator/prompt.h"

namespace wsfleet::coordinator {

std::string RenderPrompt(const common::Workstream& ws, const std::string& plan_id,
                         const std::vector<std::string>& dependencies) {
  std::string out = "# " + ws.id.ToString() + ": " + ws.name + "\n\n";
  out += "You are doing workstream " + ws.id.ToString() + " of plan " + plan_id +
         ", in the current directory. Its card is " + ws.where.file + ".\n";
  if (!ws.objective.empty()) out += "\n## Objective\n\n" + ws.objective + "\n";
  if (!ws.deliverables.empty()) {
    out += "\n## Deliverables\n\n";
    for (const common::Deliverable& deliverable : ws.deliverables) out += "- " + deliverable.text + "\n";
  }
  if (!ws.criteria.empty()) {
    out += "\n## Acceptance criteria\n\n";
    for (const common::Criterion& criterion : ws.criteria) {
      out += "- (" + criterion.group + ") " + criterion.text + "\n";
    }
    out += "\nCriteria with a comparison in backticks are checked against `METRIC name=value`\n"
           "lines that the steps print.\n";
  }
  if (!dependencies.empty()) {
    // Each summary's headings pushed down a level, so they sit under this one.
    out += "\n## What your dependencies did\n\nTheir work is merged into your starting point.\n";
    for (const std::string& summary : dependencies) {
      out += "\n";
      size_t start = 0;
      while (start < summary.size()) {
        size_t end = summary.find('\n', start);
        if (end == std::string::npos) end = summary.size();
        std::string line = summary.substr(start, end - start);
        out += (line.rfind("#", 0) == 0 ? "##" : "") + line + "\n";
        start = end + 1;
      }
    }
  }
  if (!ws.steps.empty()) {
    out += "\n## How your work will be checked\n\nAfter you finish, wsfleet runs these steps "
           "itself; the workstream succeeds only if they pass:\n";
    for (const common::Step& step : ws.steps) {
      out += "\n```bash\n" + step.script + (step.script.empty() || step.script.back() == '\n' ? "" : "\n") + "```\n";
    }
  }
  return out;
}

}  // namespace wsfleet::coordinator
