#include "coordinator/prompt.h"

#include <utility>

namespace wsfleet::coordinator {
namespace {

// Each line of `markdown` with its headings pushed down `levels`, so they sit under the
// prompt's own.
std::string Nested(const std::string& markdown, int levels) {
  std::string out;
  size_t start = 0;
  while (start < markdown.size()) {
    size_t end = markdown.find('\n', start);
    if (end == std::string::npos) end = markdown.size();
    std::string line = markdown.substr(start, end - start);
    out += (line.rfind("#", 0) == 0 ? std::string(static_cast<size_t>(levels), '#') : "") + line + "\n";
    start = end + 1;
  }
  return out;
}

std::string Core(const common::Workstream& ws, const std::string& plan_id) {
  std::string out = "# " + ws.id.ToString() + ": " + ws.name + "\n\n";
  out += "You are doing workstream " + ws.id.ToString() + " of plan " + plan_id +
         ", in the current directory. Its card is " + ws.where.file + ".\n";
  if (!ws.notes().objective.empty()) out += "\n## Objective\n\n" + ws.notes().objective + "\n";
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
  return out;
}

std::string Steps(const common::Workstream& ws) {
  if (ws.steps.empty()) return "";
  std::string out = "\n## How your work will be checked\n\nAfter you finish, wsfleet runs these steps "
                    "itself; the workstream succeeds only if they pass:\n";
  for (const common::Step& step : ws.steps) {
    out += "\n```bash\n" + step.script + (step.script.empty() || step.script.back() == '\n' ? "" : "\n") + "```\n";
  }
  return out;
}

std::string Kept(const std::string& title, const std::string& markdown) {
  if (markdown.empty()) return "";
  std::string body = markdown;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return "\n## " + title + "\n\n" + body + "\n";
}

std::string Dependencies(const std::vector<std::string>& summaries) {
  if (summaries.empty()) return "";
  std::string out = "\n## What your dependencies did\n\nTheir work is merged into your starting point.\n";
  for (const std::string& summary : summaries) out += "\n" + Nested(summary, 2);
  return out;
}

std::string SoftDependencies(const std::vector<PromptInputs::Soft>& soft) {
  if (soft.empty()) return "";
  std::string out = "\n## Soft dependencies\n\nWork this one can use but need not wait for.\n";
  for (const PromptInputs::Soft& dependency : soft) {
    if (dependency.summary.empty()) {
      out += "\n### " + dependency.id + (dependency.name.empty() ? "" : ": " + dependency.name) +
             "\n\nNot finished yet: do not count on it.\n";
    } else {
      out += "\n" + Nested(dependency.summary, 2);
    }
  }
  return out;
}

}  // namespace

std::string RenderPrompt(const common::Workstream& ws, const std::string& plan_id, const PromptInputs& inputs) {
  std::string core = Core(ws, plan_id);
  std::string steps = Steps(ws);
  std::vector<std::pair<std::string, std::string>> optional = {
      {"Technical Requirements", Kept("Technical Requirements", ws.notes().technical_requirements)},
      {"Implementation Plan", Kept("Implementation Plan", ws.notes().implementation_plan)},
      {"Known Issues & Risks", Kept("Known Issues & Risks", ws.notes().risks)},
      {"Integration Points", Kept("Integration Points", ws.notes().integration_points)},
      {"What your dependencies did", Dependencies(inputs.dependency_summaries)},
      {"Soft dependencies", SoftDependencies(inputs.soft)},
  };
  // Room for the note that names what was left out.
  constexpr size_t kNoteRoom = 512;
  size_t used = core.size() + steps.size() + kNoteRoom;
  std::string out = core;
  std::string left_out;
  for (const auto& [title, text] : optional) {
    if (text.empty()) continue;
    if (used + text.size() <= inputs.max_bytes) {
      out += text;
      used += text.size();
    } else {
      left_out += (left_out.empty() ? "" : ", ") + title + " (" + std::to_string(text.size()) + " bytes)";
    }
  }
  out += steps;
  if (!left_out.empty()) {
    out += "\n## Left out for length\n\nThis prompt is kept within " + std::to_string(inputs.max_bytes) +
           " bytes; left out: " + left_out + ". The card (" + ws.where.file + ") has the card's own parts.\n";
  }
  return out;
}

}  // namespace wsfleet::coordinator
