#include "launcher/slurm_commands.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "launcher/launcher.h"

namespace wsfleet::launcher {

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

absl::StatusOr<std::vector<std::string>> SlurmFeatures(const SlurmSettings& settings, const WorkerShape& shape) {
  std::vector<std::string> features;
  auto add = [&](const std::string& feature) {
    if (!feature.empty() && std::find(features.begin(), features.end(), feature) == features.end()) {
      features.push_back(feature);
    }
  };
  for (const auto& [name, value] : shape.labels) {
    auto mapped = settings.features.find(name + "=" + value);
    if (mapped == settings.features.end()) {
      return absl::FailedPreconditionError("the label " + name + "=" + value +
                                           " names no Slurm node feature (map it under slurm.features in the "
                                           "coordinator's --config)");
    }
    add(mapped->second);
  }
  for (const std::string& need : shape.environment) {
    auto mapped = settings.features.find(need);
    if (mapped != settings.features.end()) {
      add(mapped->second);
    } else if (need.rfind("arch=", 0) == 0) {
      add(need.substr(5));
    } else if (need.rfind("gpu=", 0) == 0) {
      add(absl::AsciiStrToLower(need.substr(4)));
    }
  }
  return features;
}

absl::StatusOr<std::vector<std::string>> SbatchCommand(const SlurmSettings& settings, const WorkerShape& shape,
                                                       const std::string& script_path) {
  absl::StatusOr<std::vector<std::string>> features = SlurmFeatures(settings, shape);
  if (!features.ok()) return features.status();
  std::vector<std::string> argv = {settings.sbatch, "--parsable", "--job-name=" + settings.job_name};
  if (!settings.log_dir.empty()) argv.push_back("--output=" + settings.log_dir + "/%j.out");
  if (!settings.partition.empty()) argv.push_back("--partition=" + settings.partition);
  if (!settings.account.empty()) argv.push_back("--account=" + settings.account);
  if (!settings.qos.empty()) argv.push_back("--qos=" + settings.qos);
  int nodes = std::max(1, shape.nodes);
  argv.push_back("--nodes=" + std::to_string(nodes));
  argv.push_back("--ntasks-per-node=1");
  if (shape.gpus > 0) argv.push_back("--gres=gpu:" + std::to_string(shape.gpus));
  if (shape.time_limit.count() > 0) argv.push_back("--time=" + std::to_string(shape.time_limit.count()));
  if (!features->empty()) {
    std::string constraint;
    for (const std::string& feature : *features) constraint += (constraint.empty() ? "" : "&") + feature;
    argv.push_back("--constraint=" + constraint);
  }
  argv.insert(argv.end(), settings.extra_sbatch_args.begin(), settings.extra_sbatch_args.end());
  argv.push_back(script_path);
  return argv;
}

std::string WorkerScript(const SlurmSettings& settings, const WorkerShape& shape) {
  std::string worker = ShellQuote(settings.wsfleet) + " worker --coordinator " + ShellQuote(settings.coordinator);
  // Each node's worker is named by the job and the node; srun expands the variables there.
  worker += " --id \"wsfleet-$SLURM_JOB_ID-$SLURM_NODEID\"";
  worker += " --idle-exit " + std::to_string(settings.idle_exit_seconds) + "s";
  // As workers started by hand share it: their spools and keys go in it by worker ID.
  if (!settings.workdir.empty()) worker += " --workdir " + ShellQuote(settings.workdir);
  if (shape.gpus > 0) {
    // Slurm hides the other GPUs (CUDA_VISIBLE_DEVICES): the worker's 0..N-1 are the job's.
    std::string indices;
    for (uint32_t i = 0; i < shape.gpus; ++i) indices += (i == 0 ? "" : ",") + std::to_string(i);
    worker += " --gpus " + indices;
  } else {
    worker += " --gpus none --slots " + std::to_string(std::max(1, settings.slots));
  }
  worker += " --label " + ShellQuote(std::string(kShapeLabel) + "=" + shape.Key());
  for (const auto& [name, value] : shape.labels) worker += " --label " + ShellQuote(name + "=" + value);
  if (!settings.tls_ca.empty()) worker += " --tls-ca " + ShellQuote(settings.tls_ca);
  if (settings.insecure) worker += " --insecure";
  for (const std::string& arg : settings.worker_args) worker += " " + ShellQuote(arg);
  return "#!/bin/sh\n"
         "# A wsfleet worker on each node of this job (" + shape.Describe() + "); each leaves once idle\n"
         "# for its --idle-exit, and the job ends with them.\n"
         "exec srun --ntasks-per-node=1 --kill-on-bad-exit=0 sh -c " + ShellQuote("exec " + worker) + "\n";
}

absl::StatusOr<std::string> ParseSbatchOutput(const std::string& output) {
  std::string line(absl::StripAsciiWhitespace(output));
  line = line.substr(0, line.find(';'));
  if (line.empty() || !std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return absl::InvalidArgumentError("sbatch printed no job ID: '" + std::string(absl::StripAsciiWhitespace(output)) + "'");
  }
  return line;
}

JobState JobStateOf(const std::string& slurm_state) {
  if (slurm_state == "PENDING" || slurm_state == "REQUEUED" || slurm_state == "REQUEUE_HOLD" ||
      slurm_state == "REQUEUE_FED" || slurm_state == "SUSPENDED" || slurm_state == "RESV_DEL_HOLD" ||
      slurm_state == "SPECIAL_EXIT") {
    return JobState::kPending;
  }
  if (slurm_state == "RUNNING" || slurm_state == "CONFIGURING" || slurm_state == "RESIZING" ||
      slurm_state == "SIGNALING" || slurm_state == "STAGE_OUT") {
    return JobState::kStarting;
  }
  return JobState::kEnded;  // COMPLETING, COMPLETED, CANCELLED, FAILED, TIMEOUT, PREEMPTED, NODE_FAIL...
}

std::vector<std::string> SqueueCommand(const SlurmSettings& settings) {
  return {settings.squeue, "--noheader", "--name=" + settings.job_name, "--format=%i|%T|%r"};
}

std::map<std::string, SqueueJob> ParseSqueueOutput(const std::string& output) {
  std::map<std::string, SqueueJob> jobs;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line(absl::StripAsciiWhitespace(output.substr(start, end - start)));
    start = end + 1;
    size_t first = line.find('|');
    size_t second = first == std::string::npos ? first : line.find('|', first + 1);
    if (second == std::string::npos || first == 0) continue;
    jobs[line.substr(0, first)] = {line.substr(first + 1, second - first - 1), line.substr(second + 1)};
  }
  return jobs;
}

}  // namespace wsfleet::launcher
