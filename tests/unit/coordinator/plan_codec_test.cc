#include "coordinator/plan_codec.h"

#include <gtest/gtest.h>

#include "common/plan_loader.h"

namespace wsfleet::coordinator {
namespace {

// The GPU bring-up example sets most of what a card can say: its workstreams survive the
// round trip whole (encoding what was decoded gives the same text) and field by field.
TEST(PlanCodecTest, AnExamplePlanSurvivesTheRoundTrip) {
  common::Plan plan = common::LoadPlan({std::string(WSFLEET_EXAMPLES_DIR) + "/gpu-bringup"});
  ASSERT_TRUE(plan.ok());
  std::vector<std::string> encoded = EncodeWorkstreams(plan.workstreams);
  ASSERT_FALSE(encoded.empty());
  absl::StatusOr<std::vector<common::Workstream>> decoded = DecodeWorkstreams(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeWorkstreams(*decoded), encoded);
  ASSERT_EQ(decoded->size(), plan.workstreams.size());
  for (size_t i = 0; i < plan.workstreams.size(); ++i) {
    const common::Workstream& a = plan.workstreams[i];
    const common::Workstream& b = (*decoded)[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.where.ToString(), b.where.ToString());
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.duration.estimate, b.duration.estimate);
    EXPECT_EQ(a.gpus, b.gpus);
    EXPECT_EQ(a.labels, b.labels);
    ASSERT_EQ(a.environment.size(), b.environment.size());
    for (size_t e = 0; e < a.environment.size(); ++e) {
      EXPECT_EQ(common::Describe(a.environment[e]), common::Describe(b.environment[e]));
      EXPECT_EQ(a.environment[e].where.ToString(), b.environment[e].where.ToString());
    }
    EXPECT_EQ(a.fields, b.fields);
    EXPECT_EQ(a.notes().technical_requirements, b.notes().technical_requirements);
    ASSERT_EQ(a.steps.size(), b.steps.size());
    for (size_t s = 0; s < a.steps.size(); ++s) EXPECT_EQ(a.steps[s].script, b.steps[s].script);
    ASSERT_EQ(a.criteria.size(), b.criteria.size());
    for (size_t c = 0; c < a.criteria.size(); ++c) {
      EXPECT_EQ(a.criteria[c].text, b.criteria[c].text);
      EXPECT_EQ(a.criteria[c].check.has_value(), b.criteria[c].check.has_value());
      if (a.criteria[c].check) {
        EXPECT_EQ(a.criteria[c].check->value, b.criteria[c].check->value);
      }
    }
  }
  common::Plan rebuilt = common::AssembleParsed(std::move(*decoded), plan.sources);
  EXPECT_TRUE(rebuilt.ok());
  EXPECT_EQ(rebuilt.analysis.critical_path.chain, plan.analysis.critical_path.chain);
  EXPECT_EQ(rebuilt.analysis.critical_path.days_max, plan.analysis.critical_path.days_max);
}

TEST(PlanCodecTest, ABlobOfAnotherFormatOrBrokenIsRefused) {
  EXPECT_EQ(DecodeWorkstreams({"{\"format\": 99}\n"}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecodeWorkstreams({"{\"format\": 2}\n"}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecodeWorkstreams({""}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecodeWorkstreams({}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecodeWorkstreams({"{not json"}).status().code(), absl::StatusCode::kDataLoss);
  absl::StatusOr<std::vector<common::Workstream>> broken =
      DecodeWorkstreams({"{\"format\": 4}\n{\"id\": 1}\n", "{\"id\": \"x\"}\n"});
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(broken.status().message().find("workstream 2"), std::string::npos) << broken.status();
}

// A plan past a thousand workstreams is encoded in parts, each a row of its own; what a
// workstream has as a new one has it is left out, and read back as that.
TEST(PlanCodecTest, ALargePlanIsEncodedInPartsOfCompactLines) {
  std::vector<common::Workstream> workstreams(2500);
  for (size_t i = 0; i < workstreams.size(); ++i) {
    workstreams[i].id = common::WorkstreamId(static_cast<int>(i + 1));
    workstreams[i].name = "card " + std::to_string(i + 1);
  }
  workstreams[5].where = {"plan.md", 6};
  workstreams[5].steps.emplace_back().where = {"plan.md", 9};
  workstreams[5].mutable_notes().objective = "Find out.";
  workstreams[7].nodes = 2;
  workstreams[7].gpus = 0;
  std::vector<std::string> encoded = EncodeWorkstreams(workstreams);
  ASSERT_EQ(encoded.size(), 3u);
  EXPECT_TRUE(encoded[0].starts_with("{\"format\": 4}\n{\"id\":1,\"name\":\"card 1\"}\n")) << encoded[0].substr(0, 200);
  absl::StatusOr<std::vector<common::Workstream>> decoded = DecodeWorkstreams(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), workstreams.size());
  EXPECT_EQ((*decoded)[2499].name, "card 2500");
  EXPECT_EQ((*decoded)[7].nodes, 2);
  EXPECT_EQ((*decoded)[8].nodes, 1) << "left out, read back as a new workstream has it";
  EXPECT_TRUE((*decoded)[8].notes().objective.empty());
  EXPECT_EQ((*decoded)[5].notes().objective, "Find out.");
  EXPECT_EQ(&(*decoded)[5].where.file.str(), &(*decoded)[5].steps[0].where.file.str()) << "one copy of the name";
  EXPECT_EQ(EncodeWorkstreams(*decoded), encoded);
}

// Format 3 wrote every key (this line is one it wrote): a plan stored by an older
// coordinator still reads.
TEST(PlanCodecTest, FormatThreeStillReads) {
  std::string line =
      R"({"agent_type":"","agent_type_where":{"file":"","line":0},"blocks":[],"budget":null,"checklist":[],)"
      R"("criteria":[],"deliverables":[],"dependencies":[],"duration":{"actual":null,"estimate":{"max":2.0,)"
      R"("min":1.0},"known":true,"text":"1-2 days"},"environment":[],"fields":[],"gpus":2,)"
      R"("hang_timeout_seconds":null,"id":4,"implementation_plan":"","integration_points":"","known_issues":[],)"
      R"("labels":{},"milestone":"","name":"old","nodes":1,"objective":"","orchestrator":"","priority":null,)"
      R"("retries":null,"risks":"","soft_dependencies":[],"status":0,"status_text":"","status_where":{"file":"",)"
      R"("line":0},"steps":[],"strict_verification":false,"technical_requirements":"","timeout_seconds":null,)"
      R"("where":{"file":"a.md","line":3}})";
  absl::StatusOr<std::vector<common::Workstream>> decoded = DecodeWorkstreams({"{\"format\": 3}\n" + line + "\n"});
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0].name, "old");
  EXPECT_EQ((*decoded)[0].gpus, 2);
  EXPECT_EQ((*decoded)[0].duration.text, "1-2 days");
  EXPECT_EQ((*decoded)[0].where.ToString(), "a.md:3");
}

TEST(PlanCodecTest, TextThatIsNotUtf8IsNotEncoded) {
  common::Workstream ws;
  ws.name = std::string("bad \xff byte");
  EXPECT_TRUE(EncodeWorkstreams({ws}).empty());
}

}  // namespace
}  // namespace wsfleet::coordinator
