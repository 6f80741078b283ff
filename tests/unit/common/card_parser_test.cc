#include "common/card_parser.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace wsfleet::common {
namespace {

ParsedDocument Parse(std::string_view text, std::string_view file = "card.md") {
  return ParseCardDocument(file, text);
}

Workstream Only(const ParsedDocument& document) {
  EXPECT_EQ(document.workstreams.size(), 1u);
  return document.workstreams.empty() ? Workstream{} : document.workstreams.front();
}

std::vector<std::string> DependencyIds(const Workstream& ws) {
  std::vector<std::string> ids;
  for (const Dependency& dependency : ws.dependencies) ids.push_back(dependency.id.ToString());
  return ids;
}

bool HasWarning(const ParsedDocument& document, std::string_view needle) {
  const auto& all = document.diagnostics.all();
  return std::any_of(all.begin(), all.end(), [&](const Diagnostic& d) {
    return d.severity == Severity::kWarning && d.message.find(needle) != std::string::npos;
  });
}

using Strings = std::vector<std::string>;

TEST(CardParserTest, IdFieldWinsAndNormalizes) {
  const Workstream& ws = Only(Parse("# Hardware Baselines\n\n**ID**: ws-1\n**Duration**: 1 day\n"));
  EXPECT_EQ(ws.id.ToString(), "WS-01");
  EXPECT_EQ(ws.name, "Hardware Baselines");
  EXPECT_EQ(ws.where.line, 3);
}

TEST(CardParserTest, IdFromHeadingAtAnyLevel) {
  for (const char* text : {"# WS-07: Name\n", "### WS-7: Name\n", "## 🚀 WS-07 — Name\n"}) {
    ParsedDocument document = Parse(text);
    ASSERT_EQ(document.workstreams.size(), 1u) << text;
    EXPECT_EQ(document.workstreams[0].id.ToString(), "WS-07") << text;
    EXPECT_EQ(document.workstreams[0].name, "Name") << text;
  }
}

TEST(CardParserTest, FieldAndHeadingDisagreeIsAWarning) {
  ParsedDocument document = Parse("# WS-03: Name\n\n**ID**: WS-04\n");
  EXPECT_EQ(Only(document).id.ToString(), "WS-04");
  EXPECT_TRUE(HasWarning(document, "heading says WS-03"));
}

TEST(CardParserTest, AllHeaderFields) {
  const Workstream& ws = Only(Parse(R"(# WS-02: Renderer

**ID**: WS-02
**Orchestrator**: Interface
**Milestone**: M2
**Duration**: 3-4 days
**Priority**: P0 (CRITICAL PATH)
**Dependencies**: WS-01
**Agent Type**: `frontend-developer`
**Status**: In Progress
**GPUs**: 2
**Nodes**: 2
**Timeout**: 2h
**Hang timeout**: 10m
**Retries**: 1
**Labels**: gpu.product=GB10
**Reviewer**: Ada
)"));
  EXPECT_EQ(ws.notes().orchestrator, "Interface");
  EXPECT_EQ(ws.notes().milestone, "M2");
  EXPECT_DOUBLE_EQ(ws.duration.estimate.min, 3);
  EXPECT_EQ(ws.priority, 0);
  EXPECT_EQ(DependencyIds(ws), Strings({"WS-01"}));
  EXPECT_EQ(ws.agent_type, "frontend-developer");
  EXPECT_EQ(ws.status, WorkstreamStatus::kInProgress);
  EXPECT_EQ(ws.gpus, 2);
  EXPECT_EQ(ws.nodes, 2);
  EXPECT_EQ(ws.timeout_seconds, 7200);
  EXPECT_EQ(ws.hang_timeout_seconds, 600);
  EXPECT_EQ(ws.retries, 1);
  EXPECT_EQ(ws.labels.at("gpu.product"), "GB10");
  // Unknown keys are kept, not rejected.
  EXPECT_EQ(ws.fields.back(), (std::pair<std::string, std::string>{"Reviewer", "Ada"}));
}

TEST(CardParserTest, ObjectiveIsKept) {
  const Workstream& ws = Only(Parse("# WS-01: A\n\n## Objective\n\nBuild the *parser*.\n\nThen test it.\n\n## Deliverables\n"));
  EXPECT_EQ(ws.notes().objective, "Build the parser.\n\nThen test it.");
}

TEST(CardParserTest, AgentTypeWithoutBackticksAndColonInsideBold) {
  const Workstream& ws = Only(Parse("# WS-01: A\n\n**Agent Type:** backend-architect\n"));
  EXPECT_EQ(ws.agent_type, "backend-architect");
}

TEST(CardParserTest, FirstOccurrenceOutsideCodeBlocksCounts) {
  const Workstream& ws = Only(Parse(R"(# WS-05: Name

```markdown
**ID**: WS-99
**Status**: ✅ COMPLETE
**Dependencies**: WS-98
```

**Status**: Not Started
**Dependencies**: WS-01

**Status**: Completed
)"));
  EXPECT_EQ(ws.id.ToString(), "WS-05");
  EXPECT_EQ(ws.status, WorkstreamStatus::kNotStarted);
  EXPECT_EQ(DependencyIds(ws), Strings({"WS-01"}));
}

TEST(CardParserTest, BadResourceValuesAreErrorsWithLines) {
  ParsedDocument document = Parse("# WS-01: A\n\n**GPUs**: two\n**Timeout**: soon\n**Nodes**: 0\n");
  ASSERT_EQ(document.diagnostics.error_count(), 3);
  EXPECT_EQ(document.diagnostics.all()[0].where.line, 3);
  EXPECT_NE(document.diagnostics.all()[0].message.find("GPUs"), std::string::npos);
}

TEST(CardParserTest, KnownIssuesAndTheCompletionChecklistAreKept) {
  const Workstream& ws = Only(Parse(R"(# WS-01: A

**Duration**: 1 day
**Status**: Not Started

## Known Issues & Risks

### Issue 1: Driver mismatch
**Problem**: CUDA 13 needs driver 580
**Impact**: High
**Mitigation**: pin the driver

### Issue 2: Slow links
**Problem**: PCIe gen4 only

## Completion Checklist

Before marking WS-01 complete:

- [ ] All deliverables created and committed
- [x] Code reviewed and approved
)"));
  ASSERT_EQ(ws.notes().known_issues.size(), 2u);
  EXPECT_EQ(ws.notes().known_issues[0].title, "Driver mismatch");
  EXPECT_EQ(ws.notes().known_issues[0].problem, "CUDA 13 needs driver 580");
  EXPECT_EQ(ws.notes().known_issues[0].impact, "High");
  EXPECT_EQ(ws.notes().known_issues[0].mitigation, "pin the driver");
  EXPECT_EQ(ws.notes().known_issues[1].title, "Slow links");
  EXPECT_EQ(ws.notes().checklist, (Strings{"All deliverables created and committed", "Code reviewed and approved"}));
  EXPECT_EQ(ws.notes().status_text, "Not Started");  // the issues' fields are not the card's
  const Workstream& listed = Only(Parse("# WS-02: B\n\n## Known Issues\n- Flaky on ARM\n- No Windows\n"));
  ASSERT_EQ(listed.notes().known_issues.size(), 2u);
  EXPECT_EQ(listed.notes().known_issues[1].title, "No Windows");
}

TEST(CardParserTest, ACardMayOnlyTightenVerification) {
  EXPECT_TRUE(Only(Parse("# WS-01: A\n\n**Verification**: Strict\n")).strict_verification);
  EXPECT_FALSE(Only(Parse("# WS-01: A\n\n**Verification**: default\n")).strict_verification);
  EXPECT_FALSE(Only(Parse("# WS-01: A\n")).strict_verification);
  ParsedDocument loose = Parse("# WS-01: A\n\n**Verification**: lenient\n");
  ASSERT_EQ(loose.diagnostics.error_count(), 1);
  EXPECT_EQ(loose.diagnostics.all()[0].where.line, 3);
  EXPECT_NE(loose.diagnostics.all()[0].message.find("'lenient' is not strict or default"), std::string::npos)
      << loose.diagnostics.all()[0].message;
}

TEST(CardParserTest, DependenciesFromFieldAndBlockedByMerge) {
  const Workstream& ws = Only(Parse(R"(# WS-10: Name

**Dependencies**: WS-04 (Rendering), WS-03 (Input)

## Dependencies

### Blocked By
- **WS-01 (Hardware Baselines)**: needs numbers WS-08 measured
- **WS-02: Name** - reason ✅ Complete
- **WS-03**: already listed
- WS-05 - plain item

### Blocks
- **WS-11**: uses this

### Soft Dependencies
- **WS-06**: helpful
)"));
  EXPECT_EQ(DependencyIds(ws), Strings({"WS-01", "WS-02", "WS-03", "WS-04", "WS-05"}));
  ASSERT_EQ(ws.blocks.size(), 1u);
  EXPECT_EQ(ws.blocks[0].id.ToString(), "WS-11");
  ASSERT_EQ(ws.soft_dependencies.size(), 1u);
  EXPECT_EQ(ws.soft_dependencies[0].id.ToString(), "WS-06");
}

TEST(CardParserTest, DependencyLocationsAreTheLinesThatNameThem) {
  const Workstream& ws = Only(Parse(R"(# WS-10: Name

**Dependencies**: WS-04

### Blocked By
- **WS-01**: reason
)"));
  ASSERT_EQ(ws.dependencies.size(), 2u);
  EXPECT_EQ(ws.dependencies[0].where.line, 6);  // WS-01, sorted first
  EXPECT_EQ(ws.dependencies[1].where.line, 3);
}

TEST(CardParserTest, DependenciesWrittenAsAListUnderTheField) {
  const Workstream& ws = Only(Parse("# WS-03: A\n\n**Dependencies**:\n\n- WS-01\n- WS-02 (API)\n"));
  EXPECT_EQ(DependencyIds(ws), Strings({"WS-01", "WS-02"}));
}

TEST(CardParserTest, RangeInPhrase) {
  const Workstream& ws =
      Only(Parse("# WS-20: A\n\n**Dependencies**: All screens (WS-09 through WS-11)\n"));
  EXPECT_EQ(DependencyIds(ws), Strings({"WS-09", "WS-10", "WS-11"}));
}

TEST(CardParserTest, AnnotationMentionIsAWarning) {
  ParsedDocument document = Parse("# WS-06: A\n\n**Dependencies**: WS-05 (not before WS-04 lands)\n");
  EXPECT_EQ(DependencyIds(Only(document)), Strings({"WS-05"}));
  EXPECT_TRUE(HasWarning(document, "WS-04 is mentioned in a note"));
}

TEST(CardParserTest, SelfDependencyIsAnError) {
  ParsedDocument document = Parse("# WS-06: A\n\n**Dependencies**: WS-06\n");
  ASSERT_EQ(document.diagnostics.error_count(), 1);
  EXPECT_NE(document.diagnostics.all().back().message.find("depends on itself"),
            std::string::npos);
}

TEST(CardParserTest, VagueDependenciesWarnOnlyWithoutBlockedBy) {
  ParsedDocument vague = Parse("# WS-06: A\n\n**Dependencies**: TBD\n**Duration**: 1 day\n");
  EXPECT_TRUE(HasWarning(vague, "name no workstream ID"));
  ParsedDocument resolved = Parse(
      "# WS-06: A\n\n**Dependencies**: see below\n**Duration**: 1 day\n\n### Blocked By\n- WS-01\n");
  EXPECT_FALSE(HasWarning(resolved, "name no workstream ID"));
}

TEST(CardParserTest, UnknownDurationWarnsAndPlansOneDay) {
  ParsedDocument document = Parse("# WS-01: A\n\n**Duration**: X-X days\n");
  EXPECT_FALSE(Only(document).duration.known);
  EXPECT_DOUBLE_EQ(Only(document).duration.estimate.max, 1);
  EXPECT_TRUE(HasWarning(document, "planning with 1 day"));
}

TEST(CardParserTest, StepsUnderTestAndVerificationHeadings) {
  const Workstream& ws = Only(Parse(R"(# WS-01: A

## Test-Driven Development (TDD)

### Test Commands

```bash
make test
```

```python
print("documentation")
```

```
echo unlabelled
```

### TDD Test Commands

```sh
echo sh
```

## Verification & Validation

### Verification Steps (Agent Self-Check)

```console
$ echo one
output line
$ echo two \
  continued
```

### Acceptance Verification (Orchestrator)

```bash
./scripts/verify.sh
```

## Notes

```bash
echo not a step
```
)"));
  // Not the orchestrator's acceptance script (judging acceptance is wsfleet's job), nor the Notes.
  ASSERT_EQ(ws.steps.size(), 4u);
  EXPECT_EQ(ws.steps[0].script, "make test\n");
  EXPECT_EQ(ws.steps[0].where.line, 7);
  EXPECT_EQ(ws.steps[0].language, "bash");
  EXPECT_EQ(ws.steps[0].phase, Step::Phase::kTest);
  EXPECT_EQ(ws.steps[1].language, "");
  EXPECT_EQ(ws.steps[2].language, "sh");
  EXPECT_EQ(ws.steps[3].phase, Step::Phase::kVerify);
  EXPECT_EQ(ws.steps[3].script, "echo one\necho two \\\n  continued\n");
  EXPECT_EQ(ws.steps[3].heading, "Verification Steps (Agent Self-Check)");
}

TEST(CardParserTest, ShellBlocksAndPlainVerificationHeading) {
  const Workstream& ws = Only(Parse(R"(# WS-01: A

## Verification

```shell
./check.sh
```

```yaml
key: value
```

```bash
# only a comment: nothing to run
```
)"));
  ASSERT_EQ(ws.steps.size(), 1u);
  EXPECT_EQ(ws.steps[0].language, "shell");
  EXPECT_EQ(ws.steps[0].phase, Step::Phase::kVerify);
}

TEST(CardParserTest, CriteriaPerGroupWithCheckboxesAndComparisons) {
  const Workstream& ws = Only(Parse(R"(# WS-01: A

## Acceptance Criteria

**Functional**:
- ✅ Criterion one
- [ ] Criterion two
- [x] Criterion three

**Performance**:
- ✅ Bandwidth `membw_gbps >= 250` on GB10
- Latency: `p99_ms < 10`

### Quality
- ⬜ Coverage ≥ 80%
)"));
  ASSERT_EQ(ws.criteria.size(), 6u);
  EXPECT_EQ(ws.criteria[0].group, "Functional");
  EXPECT_EQ(ws.criteria[0].text, "Criterion one");
  EXPECT_EQ(ws.criteria[0].checkbox, Checkbox::kChecked);
  EXPECT_EQ(ws.criteria[1].checkbox, Checkbox::kUnchecked);
  EXPECT_EQ(ws.criteria[1].text, "Criterion two");
  EXPECT_EQ(ws.criteria[2].checkbox, Checkbox::kChecked);
  EXPECT_EQ(ws.criteria[3].group, "Performance");
  ASSERT_TRUE(ws.criteria[3].check.has_value());
  EXPECT_EQ(ws.criteria[3].check->metric, "membw_gbps");
  EXPECT_EQ(ws.criteria[3].check->op, CompareOp::kGreaterEqual);
  EXPECT_DOUBLE_EQ(ws.criteria[3].check->value, 250);
  EXPECT_EQ(ws.criteria[4].checkbox, Checkbox::kNone);
  ASSERT_TRUE(ws.criteria[4].check.has_value());
  EXPECT_EQ(ws.criteria[4].check->op, CompareOp::kLess);
  EXPECT_EQ(ws.criteria[5].group, "Quality");
  EXPECT_EQ(ws.criteria[5].checkbox, Checkbox::kUnchecked);
  EXPECT_FALSE(ws.criteria[5].check.has_value());
  EXPECT_EQ(ws.criteria[5].where.line, 15);
}

TEST(CardParserTest, DeliverablesKeepBacktickedPaths) {
  const Workstream& ws = Only(Parse(R"(# WS-01: A

## Deliverables

1. **Parser** - `common/card_parser.cc` and `common/card_parser.h`
2. **Docs** - written in `docs/card-format.md`; run `make test`
   - nested: `tests/data/`
3. **Review** - no paths
)"));
  ASSERT_EQ(ws.deliverables.size(), 3u);
  EXPECT_EQ(ws.deliverables[0].paths, Strings({"common/card_parser.cc", "common/card_parser.h"}));
  EXPECT_EQ(ws.deliverables[1].paths, Strings({"docs/card-format.md", "tests/data/"}));
  EXPECT_TRUE(ws.deliverables[2].paths.empty());
  EXPECT_EQ(ws.deliverables[0].where.line, 5);
}

TEST(CardParserTest, SeveralWorkstreamsInOneFile) {
  ParsedDocument document = Parse(R"(# Plan

## Phase 1

**Dependencies**: WS-99

### WS-01: First

**Duration**: 1 day

### WS-02: Second

**Dependencies**: WS-01
**Duration**: 2 days

## Phase 2

**Priority**: P0

## WS-3: Third
**Dependencies**: WS-02
)");
  ASSERT_EQ(document.workstreams.size(), 3u);
  EXPECT_TRUE(document.workstreams[0].dependencies.empty());
  EXPECT_EQ(DependencyIds(document.workstreams[1]), Strings({"WS-01"}));
  EXPECT_FALSE(document.workstreams[1].priority.has_value());
  EXPECT_EQ(document.workstreams[2].id.ToString(), "WS-03");
  EXPECT_EQ(document.workstreams[2].name, "Third");
}

TEST(CardParserTest, HeadingsMentioningIdsInsideACardWithAnIdFieldAreJustHeadings) {
  ParsedDocument document = Parse(R"(# WS-05: Renderer

**ID**: WS-05
**Dependencies**: WS-03

## Integration Points

### WS-03: how they integrate

Notes.

**Duration**: 2 days
)");
  ASSERT_EQ(document.workstreams.size(), 1u);
  EXPECT_EQ(document.workstreams[0].id.ToString(), "WS-05");
  EXPECT_DOUBLE_EQ(document.workstreams[0].duration.estimate.max, 2);
}

TEST(CardParserTest, NestedIdHeadingWithoutIdFieldStartsTheNextWorkstream) {
  ParsedDocument document = Parse("# WS-01: Parent\n\n**Duration**: 1 day\n\n## WS-02: Child\n\n"
                                  "**Duration**: 2 days\n");
  ASSERT_EQ(document.workstreams.size(), 2u);
  EXPECT_DOUBLE_EQ(document.workstreams[0].duration.estimate.max, 1);
  EXPECT_DOUBLE_EQ(document.workstreams[1].duration.estimate.max, 2);
}

TEST(CardParserTest, CompletionSummaryIsAResult) {
  EXPECT_EQ(Parse("# WS-01: A\n", "x/COMPLETION_SUMMARY.md").kind,
            DocumentKind::kCompletionSummary);
  EXPECT_EQ(Parse("# WS-01: Parser - Completion Summary\n\n**Status**: ✅ COMPLETE\n").kind,
            DocumentKind::kCompletionSummary);
}

TEST(CardParserTest, TemplateIsSkippedWithAWarning) {
  ParsedDocument document =
      Parse("# WS-XX: [Workstream Name]\n\n**ID**: WS-XX\n**Dependencies**: WS-XX, WS-YY\n");
  EXPECT_EQ(document.kind, DocumentKind::kTemplate);
  EXPECT_TRUE(document.workstreams.empty());
  EXPECT_TRUE(HasWarning(document, "template"));
}

TEST(CardParserTest, DocumentWithoutIdIsNotACard) {
  ParsedDocument document = Parse("# Roadmap\n\nWe will build WS-01 first.\n");
  EXPECT_EQ(document.kind, DocumentKind::kNotACard);
  EXPECT_TRUE(document.diagnostics.all().empty());
}

TEST(CardParserTest, BadIdFieldIsAnError) {
  ParsedDocument document = Parse("# Thing\n\n**ID**: banana\n");
  EXPECT_EQ(document.diagnostics.error_count(), 1);
}

}  // namespace
}  // namespace wsfleet::common

namespace wsfleet::common {
namespace {

// The seed plans' shape that ran as "Steps: 0" and SUCCEEDED: the card's only block sits
// right under "## Verification & Validation". Any heading naming verification or tests
// counts, at any level; a heading that only contains the letters ("Latest results") does not.
TEST(CardParserTest, ABlockRightUnderAVerificationOrTestHeadingOfAnyLevelIsAStep) {
  const Workstream& ws = Only(Parse(R"(# WS-01: A

**Duration**: 1 day

## Verification & Validation

```bash
./check.sh
```

## Latest results

```bash
echo not a step
```

#### Testing

```
make check
```
)"));
  ASSERT_EQ(ws.steps.size(), 2u);
  EXPECT_EQ(ws.steps[0].script, "./check.sh\n");
  EXPECT_EQ(ws.steps[0].heading, "Verification & Validation");
  EXPECT_EQ(ws.steps[1].script, "make check\n");
}

TEST(CardParserTest, ACardWithoutAStepIsAWarningAtItsHeading) {
  ParsedDocument document = Parse("# WS-01: A\n\n**Duration**: 1 day\n\n## Notes\n\n```bash\nmake\n```\n", "a.md");
  ASSERT_EQ(document.diagnostics.all().size(), 1u);
  EXPECT_EQ(document.diagnostics.all()[0].ToString(),
            "a.md:1: warning: WS-01 has no step to run: no ```bash (or sh, console or unlabelled) block under a "
            "test or verification heading; its run will say it verified nothing");
  EXPECT_EQ(document.diagnostics.error_count(), 0) << "a warning: the plan still runs";
}

// cmark-gfm gives the lines it splits off above a table no position (found by
// CardPiecesTest's random files: the field was placed on line 1).
TEST(CardParserTest, AFieldJustAboveATableIsPlacedOnItsOwnLine) {
  ParsedDocument document =
      Parse("# WS-29: Card\n\ntext\n**Dependencies**: WS-08\n| a | b |\n|---|---|\n| 1 | 2 |\n");
  const Workstream& ws = Only(document);
  ASSERT_EQ(ws.dependencies.size(), 1u);
  EXPECT_EQ(ws.dependencies[0].where.line, 4);
}

// A card's locations share one copy of its file's name (a large plan has several a card).
TEST(CardParserTest, TheLocationsOfACardShareItsFileName) {
  ParsedDocument document = Parse(
      "# WS-02: Two\n\n**Dependencies**: WS-01\n\n## Test Commands\n\n```bash\ntrue\n```\n", "plans/two.md");
  const Workstream& ws = Only(document);
  ASSERT_EQ(ws.dependencies.size(), 1u);
  ASSERT_EQ(ws.steps.size(), 1u);
  EXPECT_EQ(ws.where.file, "plans/two.md");
  EXPECT_EQ(&ws.where.file.str(), &ws.dependencies[0].where.file.str());
  EXPECT_EQ(&ws.where.file.str(), &ws.steps[0].where.file.str());
}

}  // namespace
}  // namespace wsfleet::common
