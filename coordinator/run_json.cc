#include "coordinator/run_json.h"

#include "proto/enum_names.h"

namespace wsfleet::coordinator {

nlohmann::ordered_json AgentJson(const v1::AgentReport& agent) {
  nlohmann::ordered_json json = {{"type", agent.agent_type()},
                                 {"session_id", agent.session_id()},
                                 {"turns", agent.turns()},
                                 {"tool_calls", agent.tool_calls()},
                                 {"input_tokens", agent.input_tokens()},
                                 {"cached_input_tokens", agent.cached_input_tokens()},
                                 {"output_tokens", agent.output_tokens()},
                                 {"wall_seconds", agent.wall_seconds()},
                                 {"pid", agent.pid()}};
  json["cost_usd"] = agent.cost_reported() ? nlohmann::ordered_json(agent.cost_usd()) : nlohmann::ordered_json(nullptr);
  if (!agent.error().empty()) json["error"] = agent.error();
  return json;
}

nlohmann::ordered_json WorkstreamJson(const v1::WorkstreamStatus& ws) {
  // Keys put straight into the object, in order: an initializer list builds a two-element
  // array per key first, and was most of `status -o json`'s time at 100,000 workstreams.
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  auto& object = json.get_ref<nlohmann::ordered_json::object_t&>();
  object.reserve(20);
  auto put = [&object](const char* key, nlohmann::ordered_json value) { object.emplace_back(key, std::move(value)); };
  put("id", ws.id());
  put("name", ws.name());
  put("state", rpc::StateName(ws.state()));
  put("attempts", ws.attempts());
  put("worker_id", ws.worker_id());
  put("started_unix_ms", ws.started_unix_ms());
  put("finished_unix_ms", ws.finished_unix_ms());
  nlohmann::ordered_json tests = nlohmann::ordered_json::object();
  auto& counts = tests.get_ref<nlohmann::ordered_json::object_t&>();
  counts.emplace_back("passed", ws.tests().passed());
  counts.emplace_back("failed", ws.tests().failed());
  counts.emplace_back("skipped", ws.tests().skipped());
  put("tests", std::move(tests));
  put("message", ws.message());
  put("merge", ws.merge());
  put("output_dropped_bytes", ws.output_dropped_bytes());
  put("priority", ws.priority());
  put("remaining_days", ws.remaining_days());
  put("agent", ws.has_agent() ? AgentJson(ws.agent()) : nlohmann::ordered_json(nullptr));
  put("agent_spent", ws.has_agent_spent() ? AgentJson(ws.agent_spent()) : nlohmann::ordered_json(nullptr));
  // How it was checked (empty before its attempt ended, or when not asked for).
  const v1::Verification& checked = ws.verification();
  json["criteria"] = nlohmann::ordered_json::array();
  for (const v1::CriterionResult& criterion : checked.criteria()) {
    nlohmann::ordered_json entry = {{"text", criterion.text()},     {"group", criterion.group()},
                                    {"verdict", criterion.verdict()}, {"detail", criterion.detail()}};
    entry["metric"] = criterion.metric().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(criterion.metric());
    entry["value"] = criterion.metric().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(criterion.value());
    entry["wanted"] = criterion.wanted().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(criterion.wanted());
    json["criteria"].push_back(entry);
  }
  json["deliverables"] = nlohmann::ordered_json::array();
  for (const v1::DeliverableCheck& deliverable : checked.deliverables()) {
    nlohmann::ordered_json entry = {
        {"path", deliverable.path()}, {"checked", deliverable.checked()}, {"exists", deliverable.exists()}};
    entry["lines"] = deliverable.counted() ? nlohmann::ordered_json(deliverable.lines()) : nlohmann::ordered_json(nullptr);
    json["deliverables"].push_back(entry);
  }
  json["coverage"] = nlohmann::ordered_json(nullptr);
  if (checked.has_coverage()) {
    json["coverage"] = {{"line_percent", checked.coverage().line_percent()}};
    json["coverage"]["branch_percent"] = checked.coverage().has_branch()
                                             ? nlohmann::ordered_json(checked.coverage().branch_percent())
                                             : nlohmann::ordered_json(nullptr);
  }
  json["verdict_reasons"] = checked.reasons();
  return json;
}

void WriteRunStatusJson(const v1::RunStatus& status, std::ostream& out) {
  // The document around the workstreams, with a marker where they go: its own layout is
  // nlohmann's; the workstreams are written one at a time in the same layout (indented as
  // elements of an array two levels down), never all held as JSON at once (100,000 of them
  // took 376 MB and 0.8 s in the client as one document).
  const std::string marker = "\\u0001workstreams";  // as dump() escapes it
  nlohmann::ordered_json frame = {{"plan_id", status.plan_id()},
                                  {"done", status.done()},
                                  {"succeeded", status.succeeded()},
                                  {"state_dir", status.state_dir()},
                                  {"metrics_url", status.metrics_url()},
                                  {"workstreams", "\x01workstreams"}};
  frame["agents_spent"] = AgentJson(status.agents_spent());
  frame["plan_budget_stop"] = status.plan_budget_stop();
  std::string text = frame.dump(2);
  size_t at = text.find("\"" + marker + "\"");
  out << text.substr(0, at);
  if (status.workstreams().empty()) {
    out << "[]";
  } else {
    std::string buffer = "[";  // written a megabyte at a time: one stream write per line cost a third of the time
    bool first = true;
    for (const v1::WorkstreamStatus& ws : status.workstreams()) {
      std::string element = WorkstreamJson(ws).dump(2);
      buffer += first ? "\n    " : ",\n    ";
      first = false;
      for (size_t start = 0; start < element.size();) {
        size_t end = element.find('\n', start);
        if (end == std::string::npos) end = element.size() - 1;
        buffer.append(element, start, end + 1 - start);
        if (element[end] == '\n') buffer += "    ";
        start = end + 1;
      }
      if (buffer.size() >= (1 << 20)) {
        out << buffer;
        buffer.clear();
      }
    }
    out << buffer << "\n  ]";
  }
  out << text.substr(at + marker.size() + 2);
}

nlohmann::ordered_json WorkersJson(const v1::ListWorkersResponse& response) {
  nlohmann::ordered_json workers = nlohmann::ordered_json::array();
  for (const v1::WorkerInfo& info : response.workers()) {
    nlohmann::ordered_json gpus = nlohmann::ordered_json::array();
    for (const v1::GpuDevice& gpu : info.resources().gpus()) {
      gpus.push_back({{"index", gpu.index()}, {"uuid", gpu.uuid()}, {"name", gpu.name()},
                      {"memory_bytes", gpu.memory_bytes()}});
    }
    nlohmann::ordered_json labels = nlohmann::ordered_json::object();
    std::map<std::string, std::string> sorted(info.resources().labels().begin(), info.resources().labels().end());
    for (const auto& [key, value] : sorted) labels[key] = value;
    workers.push_back({{"worker_id", info.worker_id()},
                       {"hostname", info.hostname()},
                       {"state", info.state()},
                       {"resources", {{"slots", info.resources().slots()}, {"gpus", gpus}, {"labels", labels}}},
                       {"running_attempts", info.running_attempts()},
                       {"last_heartbeat_unix_ms", info.last_heartbeat_unix_ms()},
                       {"metrics_url", info.metrics_url()},
                       {"gpu_note", info.gpu_note()}});
  }
  nlohmann::ordered_json jobs = nlohmann::ordered_json::array();
  for (const v1::LaunchedJob& job : response.jobs()) {
    jobs.push_back({{"job_id", job.job_id()},
                    {"state", job.state()},
                    {"reason", job.reason()},
                    {"shape", job.shape()},
                    {"submitted_unix_ms", job.submitted_unix_ms()}});
  }
  return {{"workers", workers}, {"jobs", jobs}};
}

nlohmann::ordered_json PlansJson(const v1::ListPlansResponse& response) {
  nlohmann::ordered_json plans = nlohmann::ordered_json::array();
  for (const v1::PlanInfo& plan : response.plans()) {
    plans.push_back({{"plan_id", plan.plan_id()},
                     {"name", plan.name()},
                     {"created_unix_ms", plan.created_unix_ms()},
                     {"done", plan.done()},
                     {"succeeded", plan.succeeded()},
                     {"workstreams", {{"total", plan.workstreams()},
                                      {"ended", plan.ended()},
                                      {"succeeded", plan.succeeded_count()},
                                      {"failed", plan.failed_count()},
                                      {"running", plan.running()}}},
                     {"share", plan.share()},
                     {"max_gpus", plan.max_gpus()},
                     {"max_workers", plan.max_workers()},
                     {"holds", {{"slots", plan.slots()}, {"gpus", plan.gpus()}}},
                     {"slot_seconds", plan.slot_seconds()},
                     {"gpu_seconds", plan.gpu_seconds()},
                     {"remaining_days", plan.remaining_days()},
                     {"critical_path_seconds", plan.critical_path_seconds()},
                     {"eta_seconds", plan.eta_seconds()},
                     {"agents_spent", AgentJson(plan.agents_spent())}});
  }
  return {{"plans", plans}};
}

}  // namespace wsfleet::coordinator
