#pragma once

#include <functional>
#include <optional>
#include <string>

#include "worker/git_workspace.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// What merging back needs from the attempt that runs it.
struct MergeBackHooks {
  std::function<void(v1::Event)> emit;
  // Waits for the coordinator's merge turn; its summary (for --write-back), or nullopt when
  // the attempt was cancelled meanwhile.
  std::function<std::optional<std::string>()> wait_for_turn;
  // Marks the card completed and writes its summary beside it; a note for the log, or empty.
  std::function<std::string(const std::string& summary)> write_back;
  // The card's steps again, after a rebase moved the work onto newer integration work.
  std::function<v1::AttemptFinished()> retest;
  // A line for the attempt's log.
  std::function<void(const std::string&)> note;
};

// Merges an attempt's work, which passed in its worktree, into the plan's integration
// branch: commit it (safe on its branch whatever follows), ask the coordinator for the
// merge turn and wait for it, write back the card (--write-back), rebase, run the steps
// again if the base moved, and fast-forward the integration branch by compare-and-swap,
// rebasing again (three rounds) if another merge moved it meanwhile. The attempt's thread.
v1::AttemptFinished MergeBack(GitWorkspace& git, const v1::AttemptSpec& spec, const MergeBackHooks& hooks);

// --write-back in the worktree: the card (`spec.card_path()`, relative to the repository or
// absolute inside `workdir`) marked completed, its summary written beside it. Returns a note
// for the log, or empty when both were written.
std::string WriteBackCard(const GitWorkspace& git, const std::string& workdir, const v1::AttemptSpec& spec,
                          const std::string& summary);

}  // namespace wsfleet::worker
