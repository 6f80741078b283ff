#include "common/card_builder.h"

#include <cmark-gfm.h>

#include <algorithm>
#include <set>

#include "common/card_text.h"
#include "common/dependency_text.h"
#include "common/field_values.h"
#include "common/markdown.h"
#include "common/text.h"

namespace wsfleet::common {
namespace {

constexpr int kMaxGpus = 1024;
constexpr int kMaxNodes = 1024;
constexpr int kMaxRetries = 100;

// A heading whose shell blocks are the card's steps, at any level: one that names tests or
// verification ("Test Commands", "Verification Steps", "Verification & Validation",
// "Testing"; not "Acceptance Verification (Orchestrator)": see ContextOf). "Latest results"
// is not one.
bool IsStepsHeading(const std::string& normalized) {
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = start;
    while (end < normalized.size() && IsAsciiAlpha(normalized[end])) ++end;
    std::string_view word = std::string_view(normalized).substr(start, end - start);
    if (word == "test" || word == "tests" || word == "testing" || StartsWith(word, "verif")) return true;
    start = end + 1;
  }
  return false;
}

bool IsTestHeading(const std::string& normalized) { return Contains(normalized, "test"); }

// Keys the card itself reads wherever they stand (a `**GPUs**: 2` under Environment too).
bool IsCardField(const std::string& key) {
  static const std::set<std::string> kKeys = {"id", "gpus", "gpu count", "nodes", "labels", "timeout", "retries"};
  return kKeys.count(NormalizeHeading(key)) > 0;
}

cmark_node* FirstParagraph(cmark_node* item) {
  cmark_node* child = cmark_node_first_child(item);
  return (child != nullptr && IsParagraph(child)) ? child : nullptr;
}

}  // namespace

std::optional<IdHeading> ParseIdHeading(cmark_node* heading) {
  std::string text = InlineText(heading);
  std::string_view view = text;
  // Skip decorations before the ID ("🚀 WS-01", "Workstream WS-01").
  size_t start = 0;
  while (start < view.size() && !IsAsciiAlpha(view[start])) ++start;
  std::string lower = ToLower(view.substr(start, 11));
  if (StartsWith(lower, "workstream ")) start += 11;
  std::vector<IdMention> mentions = FindIdMentions(view.substr(start, 16));
  if (mentions.empty() || mentions.front().begin != 0) return std::nullopt;
  IdHeading result;
  result.placeholder = mentions.front().placeholder;
  result.id = mentions.front().id;
  result.line = StartLine(heading);
  std::string_view name = view.substr(start + mentions.front().end);
  while (!name.empty() && (IsAsciiSpace(name[0]) || name[0] == ':' || name[0] == '-' ||
                           name[0] == '.' || name[0] == ')')) {
    name.remove_prefix(1);
  }
  for (std::string_view dash : {"\xE2\x80\x93", "\xE2\x80\x94"}) {  // – —
    if (StartsWith(name, dash)) name = Trim(name.substr(dash.size()));
  }
  result.name = std::string(Trim(name));
  return result;
}

CardBuilder::Context CardBuilder::ContextOf(const std::vector<HeadingFrame>& stack) {
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
    const std::string& h = it->normalized;
    if (StartsWith(h, "objective")) return Context::kObjective;
    if (StartsWith(h, "deliverables")) return Context::kDeliverables;
    if (StartsWith(h, "acceptance criteria")) return Context::kCriteria;
    // The orchestrator's own acceptance check: judging acceptance is wsfleet's job, and the
    // template's script there only prints what to expect.
    if (StartsWith(h, "acceptance verification")) return Context::kNone;
    if (StartsWith(h, "blocked by")) return Context::kBlockedBy;
    if (h == "blocks") return Context::kBlocks;
    if (StartsWith(h, "soft dependencies")) return Context::kSoft;
    if (IsStepsHeading(h)) return Context::kSteps;
    if (StartsWith(h, "known issues")) return Context::kKnownIssues;
    if (StartsWith(h, "completion checklist")) return Context::kChecklist;
    if (h == "environment" || StartsWith(h, "environment ")) return Context::kEnvironment;
  }
  return Context::kNone;
}

std::string_view SourceLines::Slice(int first, int last) {
  if (starts_.empty()) {
    starts_.push_back(0);
    for (size_t at = text_.find('\n'); at != std::string_view::npos; at = text_.find('\n', at + 1)) {
      starts_.push_back(at + 1);
    }
    if (starts_.back() != text_.size()) starts_.push_back(text_.size());
  }
  size_t lines = starts_.size() - 1;
  if (first < 1 || last < first || static_cast<size_t>(first) > lines) return {};
  size_t end = std::min(static_cast<size_t>(last), lines);
  return text_.substr(starts_[first - 1], starts_[end] - starts_[first - 1]);
}

void CardBuilder::Keep(std::string& section, cmark_node* block) {
  std::string_view text = lines_.Slice(StartLine(block), EndLine(block));
  // A list's last line may be the blank one after it: blocks are set apart by one.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty()) return;
  section.append(text).append("\n\n");
}

std::string* CardBuilder::KeptSection(const std::vector<HeadingFrame>& stack, bool self) {
  for (size_t i = 0; i < stack.size(); ++i) {
    if (self && i + 1 == stack.size()) break;
    const std::string& h = stack[i].normalized;
    if (StartsWith(h, "technical requirements")) return &ws_.mutable_notes().technical_requirements;
    if (StartsWith(h, "implementation plan")) return &ws_.mutable_notes().implementation_plan;
    if (StartsWith(h, "known issues")) return &ws_.mutable_notes().risks;
    if (StartsWith(h, "integration points")) return &ws_.mutable_notes().integration_points;
  }
  return nullptr;
}

std::optional<Workstream> CardBuilder::Build(const std::vector<cmark_node*>& blocks,
                                             const std::optional<IdHeading>& heading,
                                             bool* skipped_template) {
  std::vector<HeadingFrame> stack;
  std::string pending_list_field;  // "**Dependencies**:" with its list on the next lines
  std::string first_heading_text;
  for (cmark_node* block : blocks) {
    std::string list_field = std::move(pending_list_field);
    pending_list_field.clear();
    if (IsHeading(block)) {
      int level = HeadingLevel(block);
      std::string text = InlineText(block);
      if (first_heading_text.empty()) first_heading_text = std::string(Trim(text));
      while (!stack.empty() && stack.back().level >= level) stack.pop_back();
      std::string normalized = NormalizeHeading(text);
      bool opens_criteria = StartsWith(normalized, "acceptance criteria");
      if (ContextOf(stack) == Context::kCriteria && !opens_criteria) {
        criteria_group_ = StripDecorations(text);
      } else if (opens_criteria) {
        criteria_group_.clear();
      }
      // "### Issue 1: Name" under Known Issues opens one issue.
      if (ContextOf(stack) == Context::kKnownIssues && !StartsWith(normalized, "known issues")) {
        std::string title(StripDecorations(text));
        if (size_t colon = title.find(':'); colon != std::string::npos && StartsWith(ToLower(title), "issue")) {
          title = std::string(Trim(title.substr(colon + 1)));
        }
        ws_.mutable_notes().known_issues.push_back({title, "", "", ""});
      }
      stack.push_back({level, std::move(normalized), std::move(text)});
      if (std::string* kept = KeptSection(stack, /*self=*/true)) Keep(*kept, block);
      continue;
    }
    if (std::string* kept = KeptSection(stack, /*self=*/false)) Keep(*kept, block);
    Context context = ContextOf(stack);
    if (IsParagraph(block) && context == Context::kObjective) {
      if (!ws_.notes().objective.empty()) ws_.mutable_notes().objective += "\n\n";
      ws_.mutable_notes().objective += InlineText(block);
    } else if (IsParagraph(block)) {
      std::vector<InlineLine> lines = InlineLines(block);
      for (size_t i = 0; i < lines.size(); ++i) {
        Field field;
        if (!ParseFieldLine(lines[i], field)) continue;
        if (context == Context::kCriteria && field.value.empty()) {
          criteria_group_ = StripDecorations(field.key);
          continue;
        }
        if (context == Context::kEnvironment && !IsCardField(field.key)) {
          OnEnvironmentLine(field.key + ": " + field.value, lines[i].line);
          continue;
        }
        if (context == Context::kKnownIssues) {  // the issue's own fields, not the card's
          if (ws_.notes().known_issues.empty()) continue;
          KnownIssue& issue = ws_.mutable_notes().known_issues.back();
          std::string key = NormalizeHeading(field.key);
          if (key == "problem" || key == "description") issue.problem = field.value;
          if (key == "impact") issue.impact = field.value;
          if (key == "mitigation") issue.mitigation = field.value;
          continue;
        }
        OnField(field.key, field.value, lines[i].line);
        if (field.value.empty() && i + 1 == lines.size()) {
          pending_list_field = NormalizeHeading(field.key);
        }
      }
    } else if (IsList(block)) {
      if (list_field == "dependencies" || list_field == "depends on") {
        OnDependencyList(block, ws_.dependencies, "dependency");
        continue;
      }
      switch (context) {
        case Context::kDeliverables: OnDeliverables(block); break;
        case Context::kCriteria: OnCriteria(block); break;
        case Context::kBlockedBy: OnDependencyList(block, ws_.dependencies, "dependency"); break;
        case Context::kBlocks: OnDependencyList(block, ws_.blocks, "Blocks entry"); break;
        case Context::kSoft:
          OnDependencyList(block, ws_.soft_dependencies, "soft dependency");
          break;
        case Context::kKnownIssues:
          for (std::string& text : ItemTexts(block)) ws_.mutable_notes().known_issues.push_back({std::move(text), "", "", ""});
          break;
        case Context::kChecklist:
          for (std::string& text : ItemTexts(block)) ws_.mutable_notes().checklist.push_back(std::move(text));
          break;
        case Context::kEnvironment:
          for (cmark_node* item = cmark_node_first_child(block); item != nullptr; item = cmark_node_next(item)) {
            cmark_node* paragraph = FirstParagraph(item);
            if (paragraph == nullptr) continue;
            std::string text;
            for (const InlineLine& line : InlineLines(paragraph)) text += (text.empty() ? "" : " ") + line.text;
            OnEnvironmentLine(text, StartLine(item));
          }
          break;
        default: break;
      }
    } else if (IsCodeBlock(block) && context == Context::kSteps) {
      const HeadingFrame* frame = nullptr;
      for (auto it = stack.rbegin(); it != stack.rend() && frame == nullptr; ++it) {
        if (IsStepsHeading(it->normalized)) frame = &*it;
      }
      OnStep(block, frame != nullptr ? std::string(StripDecorations(frame->text)) : "");
    }
  }

  if (placeholder_ || (heading && heading->placeholder) ||
      (heading && StartsWith(heading->name, "[") && EndsWith(heading->name, "]"))) {
    *skipped_template = true;
    return std::nullopt;
  }
  if (field_id_) {
    ws_.id = *field_id_;
    ws_.where = At(field_id_line_);
    if (heading && heading->id != *field_id_) {
      diagnostics_.Warn(At(field_id_line_), "**ID** says " + field_id_->ToString() +
                                                " but the heading says " +
                                                heading->id.ToString() + "; using " +
                                                field_id_->ToString());
    }
  } else if (heading) {
    ws_.id = heading->id;
    ws_.where = At(heading->line);
  } else {
    return std::nullopt;
  }
  if (heading && !heading->name.empty()) {
    ws_.name = heading->name;
  } else if (ws_.name.empty()) {
    ws_.name = first_heading_text.empty() ? ws_.id.ToString() : first_heading_text;
  }
  Finish(ws_);
  return std::move(ws_);
}

void CardBuilder::OnField(const std::string& key, const std::string& value, int line) {
  std::string name = NormalizeHeading(key);
  if (std::find(seen_keys_.begin(), seen_keys_.end(), name) != seen_keys_.end()) return;
  seen_keys_.push_back(name);
  ws_.fields.emplace_back(key, value);
  auto error = [&](const absl::Status& status) {
    diagnostics_.Error(At(line), "**" + key + "**: " + std::string(status.message()));
  };
  if (name == "id") {
    std::vector<IdMention> mentions = FindIdMentions(value);
    if (!mentions.empty() && mentions.front().placeholder) {
      placeholder_ = true;
    } else if (std::optional<WorkstreamId> id = WorkstreamId::Parse(
                   mentions.empty() ? value : value.substr(0, mentions.front().end))) {
      field_id_ = id;
      field_id_line_ = line;
    } else {
      diagnostics_.Error(At(line), "**ID**: '" + value + "' is not a workstream ID like WS-01");
    }
  } else if (name == "name" || name == "title") {
    ws_.name = value;
  } else if (name == "dependencies" || name == "depends on") {
    OnDependencyText(value, line, ws_.dependencies, "dependency");
  } else if (name == "soft dependencies") {
    OnDependencyText(value, line, ws_.soft_dependencies, "soft dependency");
  } else if (name == "priority") {
    ws_.priority = ParsePriority(value);
    if (!ws_.priority) {
      diagnostics_.Warn(At(line), "**Priority**: '" + value + "' is not P0-P9; left unset");
    }
  } else if (name == "status") {
    ws_.mutable_notes().status_text = value;
    ws_.mutable_notes().status_where = At(line);
    if (std::optional<WorkstreamStatus> status = ParseStatus(value)) {
      ws_.status = *status;
    } else {
      diagnostics_.Warn(At(line), "**Status**: '" + value + "' not recognised; Not Started");
    }
  } else if (name == "duration" || name == "estimate" || name == "estimated duration") {
    ws_.duration = ParseDuration(value);
  } else if (name == "agent type" || name == "agent") {
    std::string agent;
    for (char c : value) {
      if (c != '`') agent.push_back(c);
    }
    ws_.agent_type = std::string(Trim(agent));
    ws_.mutable_notes().agent_type_where = At(line);
  } else if (name == "milestone") {
    ws_.mutable_notes().milestone = value;
  } else if (name == "orchestrator") {
    ws_.mutable_notes().orchestrator = value;
  } else if (name == "gpus" || name == "gpu") {
    absl::StatusOr<int> gpus = ParseCount(value, kMaxGpus);
    gpus.ok() ? void(ws_.gpus = *gpus) : error(gpus.status());
  } else if (name == "nodes") {
    absl::StatusOr<int> nodes = ParseCount(value, kMaxNodes);
    if (nodes.ok() && *nodes == 0) nodes = absl::InvalidArgumentError("needs at least 1 node");
    nodes.ok() ? void(ws_.nodes = *nodes) : error(nodes.status());
  } else if (name == "timeout") {
    absl::StatusOr<int64_t> seconds = ParseTimeoutSeconds(value);
    seconds.ok() ? void(ws_.timeout_seconds = *seconds) : error(seconds.status());
  } else if (name == "hang timeout") {
    absl::StatusOr<int64_t> seconds = ParseTimeoutSeconds(value);
    seconds.ok() ? void(ws_.hang_timeout_seconds = *seconds) : error(seconds.status());
  } else if (name == "retries") {
    absl::StatusOr<int> retries = ParseCount(value, kMaxRetries);
    retries.ok() ? void(ws_.retries = *retries) : error(retries.status());
  } else if (name == "budget") {
    absl::StatusOr<Workstream::Budget> budget = ParseBudget(value);
    budget.ok() ? void(ws_.budget = *budget) : error(budget.status());
  } else if (name == "labels") {
    absl::StatusOr<std::map<std::string, std::string>> labels = ParseLabels(value);
    labels.ok() ? void(ws_.labels = *std::move(labels)) : error(labels.status());
  } else if (name == "verification") {
    // A card can ask for more checking, never for less: a card an agent may edit must not
    // be able to loosen what decides that its work is done.
    std::string wanted = ToLower(Trim(value));
    if (wanted == "strict") {
      ws_.strict_verification = true;
    } else if (wanted != "default") {
      error(absl::InvalidArgumentError("'" + value + "' is not strict or default (a card may only ask for "
                                       "strict verification; lenient is the fleet's setting)"));
    }
  }
}

void CardBuilder::OnDependencyText(const std::string& text, int line,
                                   std::vector<Dependency>& into, const char* what) {
  DependencyText parsed = ParseDependencyText(text);
  if (parsed.placeholder) placeholder_ = true;
  std::set<WorkstreamId> known;
  for (const Dependency& dependency : into) known.insert(dependency.id);
  for (WorkstreamId id : parsed.ids) {
    if (known.insert(id).second) into.push_back({id, At(line)});
  }
  for (WorkstreamId id : parsed.mentioned_only) {
    diagnostics_.Warn(At(line), id.ToString() + " is mentioned in a note, not listed as a " +
                                    what + "; it is not enforced");
  }
  for (const std::string& problem : parsed.problems) diagnostics_.Error(At(line), problem);
  if (parsed.ids.empty() && !parsed.none && !parsed.placeholder &&
      parsed.mentioned_only.empty() && &into == &ws_.dependencies && !vague_dependencies_) {
    vague_dependencies_ = Dependency{WorkstreamId(), At(line)};
    vague_dependencies_text_ = std::string(Trim(text));
  }
}

void CardBuilder::OnDependencyList(cmark_node* list, std::vector<Dependency>& into,
                                   const char* what) {
  for (cmark_node* item = cmark_node_first_child(list); item != nullptr;
       item = cmark_node_next(item)) {
    cmark_node* paragraph = FirstParagraph(item);
    if (paragraph == nullptr) continue;
    InlineLine first = InlineLines(paragraph).front();
    std::string_view head =
        DependencyHead(first.has_lead_strong ? first.lead_strong : first.text);
    OnDependencyText(std::string(head), first.line, into, what);
  }
}

void CardBuilder::OnDeliverables(cmark_node* list) {
  for (cmark_node* item = cmark_node_first_child(list); item != nullptr;
       item = cmark_node_next(item)) {
    Deliverable deliverable;
    deliverable.where = At(StartLine(item));
    if (cmark_node* paragraph = FirstParagraph(item)) {
      deliverable.text = InlineLines(paragraph).front().text;
    }
    cmark_iter* iter = cmark_iter_new(item);
    cmark_event_type event;
    while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
      cmark_node* node = cmark_iter_get_node(iter);
      if (event == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_CODE) {
        std::string code = Literal(node);
        if (LooksLikePath(code) && std::find(deliverable.paths.begin(), deliverable.paths.end(),
                                             code) == deliverable.paths.end()) {
          deliverable.paths.push_back(code);
        }
      }
    }
    cmark_iter_free(iter);
    ws_.deliverables.push_back(std::move(deliverable));
  }
}

void CardBuilder::OnEnvironmentLine(const std::string& line, int line_number) {
  size_t colon = line.find(':');
  if (colon == std::string::npos || colon == 0) return;  // prose: nothing to read
  for (EnvironmentNeed& need : ReadEnvironmentLine(line.substr(0, colon), line.substr(colon + 1), At(line_number))) {
    ws_.environment.push_back(std::move(need));
  }
}

std::vector<std::string> CardBuilder::ItemTexts(cmark_node* list) const {
  std::vector<std::string> texts;
  for (cmark_node* item = cmark_node_first_child(list); item != nullptr; item = cmark_node_next(item)) {
    cmark_node* paragraph = FirstParagraph(item);
    if (paragraph == nullptr) continue;
    std::string text;
    for (const InlineLine& line : InlineLines(paragraph)) text += (text.empty() ? "" : " ") + line.text;
    StripCheckbox(text);
    if (!Trim(text).empty()) texts.emplace_back(Trim(text));
  }
  return texts;
}

void CardBuilder::OnCriteria(cmark_node* list) {
  cmark_iter* iter = cmark_iter_new(list);
  cmark_event_type event;
  while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* item = cmark_iter_get_node(iter);
    if (event != CMARK_EVENT_ENTER || !IsItem(item)) continue;
    cmark_node* paragraph = FirstParagraph(item);
    if (paragraph == nullptr) continue;
    Criterion criterion;
    criterion.where = At(StartLine(item));
    criterion.group = criteria_group_.empty() ? "General" : criteria_group_;
    std::vector<InlineLine> lines = InlineLines(paragraph);
    for (const InlineLine& line : lines) {
      if (!criterion.text.empty()) criterion.text += ' ';
      criterion.text += line.text;
      for (const std::string& code : line.code_spans) {
        if (!criterion.check) criterion.check = ParseMetricCheck(code);
      }
    }
    int task = TaskState(item);
    Checkbox marker = StripCheckbox(criterion.text);
    criterion.checkbox = task < 0 ? marker : (task == 1 ? Checkbox::kChecked : Checkbox::kUnchecked);
    ws_.criteria.push_back(std::move(criterion));
  }
  cmark_iter_free(iter);
}

void CardBuilder::OnStep(cmark_node* code_block, const std::string& heading) {
  Step step;
  step.language = FenceInfo(code_block);
  if (!IsStepLanguage(step.language)) return;
  step.where = At(StartLine(code_block));
  step.heading = heading;
  step.phase = IsTestHeading(NormalizeHeading(heading)) ? Step::Phase::kTest
                                                        : Step::Phase::kVerify;
  step.script = Literal(code_block);
  if (step.language == "console") step.script = ConsoleCommands(step.script);
  if (!HasCommand(step.script)) return;
  ws_.steps.push_back(std::move(step));
}

void CardBuilder::Finish(Workstream& workstream) {
  if (!workstream.duration.known) {
    std::string what = workstream.duration.text.empty()
                           ? "no **Duration**"
                           : "**Duration** '" + workstream.duration.text + "' is not a range";
    diagnostics_.Warn(workstream.where, what + " for " + workstream.id.ToString() +
                                            "; planning with 1 day");
  }
  if (vague_dependencies_ && workstream.dependencies.empty()) {
    diagnostics_.Warn(vague_dependencies_->where,
                      "dependencies '" + vague_dependencies_text_ +
                          "' name no workstream ID (write None if there is none)");
  }
  if (workstream.steps.empty()) {
    // Else it would "succeed" having checked nothing.
    diagnostics_.Warn(workstream.where,
                      workstream.id.ToString() + " has no step to run: no ```bash (or sh, console or unlabelled) "
                      "block under a test or verification heading; its run will say it verified nothing");
  }
  std::sort(workstream.dependencies.begin(), workstream.dependencies.end(),
            [](const Dependency& a, const Dependency& b) { return a.id < b.id; });
  for (const Dependency& dependency : workstream.dependencies) {
    if (dependency.id == workstream.id) {
      diagnostics_.Error(dependency.where,
                         workstream.id.ToString() + " depends on itself");
    }
  }
}

}  // namespace wsfleet::common
