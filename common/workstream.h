#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/diagnostic.h"
#include "common/environment.h"
#include "common/workstream_id.h"

// The workstream model: what one card says, after parsing. Plain values, no behaviour.
namespace wsfleet::common {

enum class WorkstreamStatus { kNotStarted, kReady, kInProgress, kBlocked, kCompleted };

// Effort in working days (1 day = 8 hours, 1 week = 5 days).
struct DayRange {
  double min = 0;
  double max = 0;
  bool operator==(const DayRange&) const = default;
};

struct Duration {
  std::string text;                // as written
  bool known = false;              // false: missing or placeholder; `estimate` is then 1 day
  DayRange estimate{1, 1};         // what planning uses
  std::optional<DayRange> actual;  // "1 day (estimated: 4-5 days)": actual is 1 day
};

struct Dependency {
  WorkstreamId id;
  SourceLocation where;  // the line that names it
};

struct Step {
  enum class Phase { kTest, kVerify };
  Phase phase = Phase::kTest;
  SourceLocation where;  // the opening fence
  std::string language;  // "bash", "sh", "shell", "console" or "" (unlabelled)
  std::string heading;   // the section it sits under, e.g. "Test Commands"
  std::string script;
};

enum class CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

// A criterion that can be judged by a metric, e.g. `membw_gbps >= 250`.
struct MetricCheck {
  std::string metric;
  CompareOp op = CompareOp::kGreaterEqual;
  double value = 0;
  std::string unit;  // optional, as written after the number
};

enum class Checkbox { kNone, kUnchecked, kChecked };

struct Criterion {
  std::string group;  // "Functional", "Performance", "Quality", or as written
  std::string text;
  Checkbox checkbox = Checkbox::kNone;
  std::optional<MetricCheck> check;
  SourceLocation where;
};

struct Deliverable {
  std::string text;
  std::vector<std::string> paths;  // paths written in backticks
  SourceLocation where;
};

struct KnownIssue {
  std::string title;
  std::string problem;
  std::string impact;
  std::string mitigation;
};

// What a card says that placing and running its work never reads: for its agent's prompt,
// its completion summary and the people reading the plan.
struct CardNotes {
  std::string status_text;
  SourceLocation status_where;  // its **Status** field; line 0: the card has none
  std::string milestone;
  std::string orchestrator;
  SourceLocation agent_type_where;  // its **Agent Type** field
  std::string objective;  // the text under "## Objective"
  // "## Known Issues & Risks": each `### Issue: name` with its Problem / Impact /
  // Mitigation fields, or each list item; the completion summary's Known Limitations.
  std::vector<KnownIssue> known_issues;
  // "## Completion Checklist": its items' text, reproduced in the completion summary with a
  // box ticked where wsfleet verified the item.
  std::vector<std::string> checklist;
  // Sections kept as written (CommonMark, their sub-headings included) for the agent's
  // prompt: "## Technical Requirements", "## Implementation Plan", "## Known Issues &
  // Risks", "## Integration Points". Empty when the card has none.
  std::string technical_requirements;
  std::string implementation_plan;
  std::string risks;
  std::string integration_points;

  bool empty() const;  // says nothing: a card's notes need not be held
};

struct Workstream {
  WorkstreamId id;
  std::string name;
  SourceLocation where;  // the heading or ID line that defines it

  std::optional<int> priority;  // 0 for P0; empty when not given
  WorkstreamStatus status = WorkstreamStatus::kNotStarted;
  std::string agent_type;
  Duration duration;

  std::vector<Dependency> dependencies;       // enforced
  std::vector<Dependency> soft_dependencies;  // recorded, not enforced
  std::vector<Dependency> blocks;             // the other direction, checked for agreement

  // Resource keys; absent ones keep these defaults.
  int gpus = 0;
  int nodes = 1;
  std::optional<int64_t> timeout_seconds;
  // A step with no output for this long is hung: killed and recorded so.
  std::optional<int64_t> hang_timeout_seconds;
  std::optional<int> retries;
  std::map<std::string, std::string> labels;
  // "### Environment": what a worker must have (architecture, OS, GPU, CUDA, Python, Rust),
  // and the lines that are only hints ("(if applicable)"). Combined with labels.
  std::vector<EnvironmentNeed> environment;
  // `**Budget**: 2h, 50 turns, 2M tokens, $5`: what one attempt's agent may spend; 0: no limit.
  struct Budget {
    int64_t wall_seconds = 0;
    uint64_t turns = 0;
    uint64_t tokens = 0;
    double dollars = 0;
  };
  std::optional<Budget> budget;
  // `**Verification**: strict`: criteria that could not be checked fail it, whatever the
  // fleet's setting (a card can only tighten verification).
  bool strict_verification = false;

  std::vector<Deliverable> deliverables;
  std::vector<Criterion> criteria;
  std::vector<Step> steps;

  // Every `**Key**: value` field in order of first appearance, known or not.
  std::vector<std::pair<std::string, std::string>> fields;

  bool completed() const { return status == WorkstreamStatus::kCompleted; }

  // What the card says for its agent, its summary and people (see CardNotes).
  const CardNotes& notes() const { return notes_.notes ? *notes_.notes : kNoNotes; }
  CardNotes& mutable_notes();

  // Held apart, and only when the card has any: a plan's workstreams move as one vector
  // (Workstream 936 -> 552 bytes; docs/benchmarks.md). Copied with the workstream.
  struct NotesPointer {
    NotesPointer() = default;
    NotesPointer(const NotesPointer& other);
    NotesPointer(NotesPointer&&) noexcept = default;
    NotesPointer& operator=(const NotesPointer& other);
    NotesPointer& operator=(NotesPointer&&) noexcept = default;
    std::unique_ptr<CardNotes> notes;
  };
  NotesPointer notes_;

 private:
  static const CardNotes kNoNotes;
};

const char* StatusName(WorkstreamStatus status);
const char* CompareOpSymbol(CompareOp op);
std::string PriorityName(const std::optional<int>& priority);  // "P0" or "-"

}  // namespace wsfleet::common
