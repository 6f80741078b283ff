#include "worker/merge_back.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/card_status.h"

namespace wsfleet::worker {
namespace fs = std::filesystem;

v1::AttemptFinished MergeBack(GitWorkspace& git, const v1::AttemptSpec& spec, const MergeBackHooks& hooks) {
  v1::AttemptFinished finished;
  finished.set_outcome(v1::ATTEMPT_OUTCOME_FAILED);
  auto failed = [&](const std::string& message, const char* merge = "") {
    finished.set_message(message);
    finished.set_merge(merge);
    return finished;
  };
  // Committed first: whatever happens next, the work is safe on its branch.
  std::string subject = spec.workstream_id() + ": " + spec.name() + " (wsfleet " + spec.attempt_id() + ")";
  if (absl::Status committed = git.CommitAll(subject); !committed.ok()) {
    return failed(std::string(committed.message()));
  }
  v1::Event request;
  request.mutable_merge_request()->set_branch(git.branch());
  hooks.emit(std::move(request));
  std::optional<std::string> summary = hooks.wait_for_turn();
  if (!summary) {
    finished.set_outcome(v1::ATTEMPT_OUTCOME_CANCELLED);
    return failed("cancelled while waiting to merge");
  }
  if (spec.write_back()) {
    std::string note = hooks.write_back(*summary);
    if (!note.empty()) hooks.note("write-back: " + note);
    if (absl::Status committed = git.CommitAll(spec.workstream_id() + ": completed (wsfleet write-back)");
        !committed.ok()) {
      return failed(std::string(committed.message()));
    }
  }
  // Another merge may move the integration branch between our rebase and our move of it:
  // then the compare-and-swap fails and we rebase again.
  constexpr int kRounds = 3;
  for (int round = 1; round <= kRounds; ++round) {
    absl::StatusOr<std::string> before = git.Head();
    absl::StatusOr<std::string> tip = before.ok() ? git.Rebase() : before;
    if (!tip.ok()) {
      bool conflict = tip.status().code() == absl::StatusCode::kFailedPrecondition;
      return failed("merge: " + std::string(tip.status().message()), conflict ? "conflict" : "");
    }
    absl::StatusOr<std::string> after = git.Head();
    if (!after.ok()) return failed(std::string(after.status().message()));
    if (*after != *before) {
      // The steps judged the work alone; they judge it again on top of what merged since.
      v1::AttemptFinished again = hooks.retest();
      if (again.outcome() != v1::ATTEMPT_OUTCOME_SUCCEEDED) {
        again.set_merge("tests_failed");
        again.set_message("after rebasing onto " + git.integration_branch() + ": " + again.message());
        return again;
      }
    }
    absl::StatusOr<bool> moved = git.FastForward(*tip);
    if (!moved.ok()) return failed(std::string(moved.status().message()));
    if (*moved) {
      v1::Event merged;
      merged.mutable_merged()->set_branch(git.branch());
      merged.mutable_merged()->set_integration_branch(git.integration_branch());
      merged.mutable_merged()->set_commit(*after);
      hooks.emit(std::move(merged));
      finished.set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
      finished.set_merge("merged");
      return finished;
    }
  }
  return failed(git.integration_branch() + " kept moving: " + std::to_string(kRounds) +
                " rebases did not catch up");
}

std::string WriteBackCard(const GitWorkspace& git, const std::string& workdir, const v1::AttemptSpec& spec,
                          const std::string& summary) {
  // The card in the worktree: its path relative to the repository (absolute paths inside
  // the workdir are made relative; others cannot be found in the worktree).
  std::error_code ignored;
  fs::path card = spec.card_path();
  if (card.is_absolute()) {
    fs::path root = fs::absolute(workdir, ignored);
    fs::path relative = card.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") return "skipped: the card is not inside the repository";
    card = relative;
  }
  fs::path in_tree = fs::path(git.path()) / card;
  std::ifstream in(in_tree, std::ios::binary);
  if (!in) return "skipped: " + card.string() + " is not in the worktree";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  std::optional<common::WorkstreamId> id = common::WorkstreamId::Parse(spec.workstream_id());
  absl::StatusOr<std::string> marked =
      id ? common::MarkCardCompleted(card.string(), text, *id)
         : absl::InvalidArgumentError(spec.workstream_id() + " is not a workstream ID");
  if (marked.ok()) std::ofstream(in_tree, std::ios::binary | std::ios::trunc) << *marked;
  if (!summary.empty()) {
    std::ofstream(in_tree.parent_path() / (spec.workstream_id() + "-COMPLETION_SUMMARY.md")) << summary;
  }
  return marked.ok() ? "" : std::string(marked.status().message()) + " (summary written)";
}

}  // namespace wsfleet::worker
