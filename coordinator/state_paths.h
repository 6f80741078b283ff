#pragma once

#include <string>

// The state directory, drawn once:
//
//   <state>/
//     wsfleet.db                          SQLite, WAL: plans, plan_files, workstreams,
//     wsfleet.db-wal                        attempts, events, workers
//     plans/<plan-id>/                     each plan's own files (several plans run at once)
//       logs/<WS-ID>/<attempt-id>.log      an attempt's output; appended (by the coordinator,
//                                          or by a worker of `wsfleet run` on this machine)
//                                          and fdatasync'ed before the events that name it
//                                          commit; cut back to the committed length on
//                                          recovery
//       transcripts/<WS-ID>/<attempt-id>.jsonl  the attempt's agent's raw event stream (its
//                                          stdout), kept like the logs
//       summaries/<WS-ID>-COMPLETION_SUMMARY.md
//       report.md, report.json             the plan's run report
//     latest -> plans/<plan-id>            a link to the plan submitted last
//
// Summaries and the report are written temp + rename without fsync: they derive from the
// database and are all written again whenever a coordinator opens the state.
namespace wsfleet::coordinator {

// One plan's files.
struct PlanPaths {
  std::string root;

  std::string LogDir(const std::string& workstream) const { return root + "/logs/" + workstream; }
  std::string Log(const std::string& workstream, const std::string& attempt) const {
    return LogDir(workstream) + "/" + attempt + ".log";
  }
  std::string Transcript(const std::string& workstream, const std::string& attempt) const {
    return root + "/transcripts/" + workstream + "/" + attempt + ".jsonl";
  }
  // One directory for all (a directory per workstream cost a mkdir each, as much as the
  // file itself), named as --write-back names the copy beside the card.
  std::string Summary(const std::string& workstream) const {
    return root + "/summaries/" + workstream + "-COMPLETION_SUMMARY.md";
  }
  std::string ReportMarkdown() const { return root + "/report.md"; }
  std::string ReportJson() const { return root + "/report.json"; }
};

struct StatePaths {
  std::string root;

  std::string Database() const { return root + "/wsfleet.db"; }
  PlanPaths Plan(const std::string& plan_id) const { return {root + "/plans/" + plan_id}; }
  std::string Latest() const { return root + "/latest"; }
};

}  // namespace wsfleet::coordinator
