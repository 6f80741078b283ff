#include "cli/clean_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common/exit_codes.h"
#include "worker/git_workspace.h"

extern char** environ;

namespace wsfleet::cli {
namespace fs = std::filesystem;
namespace {

struct CleanOptions {
  std::string workdir = ".";
  bool dry_run = false;
};

int CleanCommand(const CleanOptions& options) {
  std::error_code error;
  fs::path repository = fs::absolute(options.workdir, error);
  fs::path root = repository / ".wsfleet" / "worktrees";
  if (!fs::is_directory(root, error)) {
    std::cout << "no worktrees under " << root.string() << "\n";
    return kExitOk;
  }
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  int removed = 0, kept = 0, failed = 0;
  std::vector<fs::path> plans;
  for (const auto& plan : fs::directory_iterator(root, error)) {
    if (plan.is_directory(error)) plans.push_back(plan.path());
  }
  std::sort(plans.begin(), plans.end());
  for (const fs::path& plan : plans) {
    std::vector<fs::path> trees;
    for (const auto& tree : fs::directory_iterator(plan, error)) {
      if (tree.is_directory(error)) trees.push_back(tree.path());
    }
    std::sort(trees.begin(), trees.end());
    for (const fs::path& tree : trees) {
      std::string name = plan.filename().string() + "/" + tree.filename().string();
      worker::GitWorkspace workspace(repository.string(), plan.filename().string(),
                                     tree.filename().string(), env);
      std::string why = workspace.WhyKeep();
      if (!why.empty()) {
        std::cout << "kept     " << name << ": " << why << "\n";
        ++kept;
        continue;
      }
      if (options.dry_run) {
        std::cout << "would remove " << name << " (merged)\n";
        ++removed;
        continue;
      }
      if (absl::Status status = workspace.Remove(); !status.ok()) {
        std::cerr << "wsfleet clean: " << name << ": " << status.message() << "\n";
        ++failed;
        continue;
      }
      std::cout << "removed  " << name << " (merged)\n";
      ++removed;
    }
    if (!options.dry_run) fs::remove(plan, error);  // only if now empty
  }
  std::cout << (options.dry_run ? "would remove " : "removed ") << removed << " merged worktree(s); kept "
            << kept << (failed > 0 ? "; " + std::to_string(failed) + " could not be removed" : "") << "\n";
  return failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace

void AddCleanCommand(CLI::App& app, std::function<int()>& run) {
  auto options = std::make_shared<CleanOptions>();
  CLI::App* clean = app.add_subcommand(
      "clean", "Remove worktrees whose work is merged into their plan's integration branch");
  clean->add_option("--workdir", options->workdir, "The repository the workers worked in")
      ->capture_default_str();
  clean->add_flag("--dry-run", options->dry_run, "Say what would be removed; remove nothing");
  clean->footer(
      "A worktree with uncommitted changes, or with commits its plan's integration branch\n"
      "lacks, is kept and listed with the reason: unmerged work is never deleted.");
  clean->callback([&run, options] { run = [options] { return CleanCommand(*options); }; });
}

}  // namespace wsfleet::cli
