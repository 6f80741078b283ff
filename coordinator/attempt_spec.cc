#include "coordinator/attempt_spec.h"

namespace wsfleet::coordinator {

v1::AttemptSpec BuildAttemptSpec(const common::Workstream& card, const AttemptRow& attempt,
                                 const AttemptSpecInputs& inputs) {
  v1::AttemptSpec spec;
  spec.set_attempt_id(attempt.attempt_id);
  spec.set_workstream_id(attempt.workstream_id);
  spec.set_name(card.name);
  spec.set_plan_id(inputs.plan_id);
  spec.set_card_path(card.where.file);
  spec.set_card_line(static_cast<uint32_t>(card.where.line));
  spec.set_agent_type(card.agent_type);
  spec.set_prompt(inputs.prompt);
  spec.set_attempt_number(static_cast<uint32_t>(attempt.number));
  spec.set_timeout_seconds(card.timeout_seconds.value_or(inputs.default_step_timeout_seconds));
  spec.set_hang_timeout_seconds(card.hang_timeout_seconds.value_or(0));
  if (card.budget) {
    v1::AgentBudget& budget = *spec.mutable_budget();
    budget.set_wall_seconds(card.budget->wall_seconds);
    budget.set_turns(card.budget->turns);
    budget.set_tokens(card.budget->tokens);
    budget.set_dollars(card.budget->dollars);
  }
  spec.set_write_back(inputs.write_back);
  spec.set_resume_session(inputs.resume_session);
  if (!inputs.resume_session.empty()) *spec.mutable_resume_baseline() = inputs.resume_baseline;
  spec.set_previous_failure(inputs.previous_failure);
  spec.set_node_rank(static_cast<uint32_t>(attempt.rank));
  spec.set_nodes(static_cast<uint32_t>(inputs.node_addrs.size()));
  for (const std::string& addr : inputs.node_addrs) spec.add_node_addrs(addr);
  for (uint32_t gpu : attempt.gpus) spec.add_gpu_indices(gpu);
  spec.set_log_path(inputs.log_path);
  spec.set_transcript_path(inputs.transcript_path);
  int tests = 0, verifications = 0;
  for (const common::Step& step : card.steps) {
    v1::StepSpec& out = *spec.add_steps();
    bool test = step.phase == common::Step::Phase::kTest;
    out.set_phase(test ? v1::STEP_PHASE_TEST : v1::STEP_PHASE_VERIFY);
    out.set_name(test ? "test " + std::to_string(++tests) : "verify " + std::to_string(++verifications));
    out.set_script(step.script);
    out.set_language(step.language);
    out.set_file(step.where.file);
    out.set_line(static_cast<uint32_t>(step.where.line));
    out.set_heading(step.heading);
  }
  for (const common::Deliverable& deliverable : card.deliverables) {
    for (const std::string& path : deliverable.paths) spec.add_deliverable_paths(path);
  }
  return spec;
}

}  // namespace wsfleet::coordinator
