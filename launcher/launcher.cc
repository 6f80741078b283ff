#include "launcher/launcher.h"

namespace wsfleet::launcher {

std::map<std::string, std::string> NotesByShape(const LauncherView& view) {
  std::map<std::string, std::string> notes;
  auto add = [&](const std::string& key, const std::string& note) {
    std::string& text = notes[key];
    text += (text.empty() ? "" : "; ") + note;
  };
  for (const LaunchedJob& job : view.jobs) {
    if (job.state == JobState::kPending) {
      add(job.shape.Key(), "Slurm job " + job.id + " pending" + (job.reason.empty() ? "" : ": " + job.reason));
    } else if (job.state == JobState::kStarting) {
      add(job.shape.Key(), "Slurm job " + job.id + " starting");
    }
  }
  for (const auto& [key, why] : view.refused) add(key, why);
  if (!view.engine_error.empty()) {
    for (auto& [key, text] : notes) text += "; " + view.engine_error;
  }
  return notes;
}

}  // namespace wsfleet::launcher
