#include "worker/workspace_walk.h"

namespace wsfleet::worker {

namespace fs = std::filesystem;

void WalkWorkspace(const fs::path& root, int max_depth, int max_files,
                   const std::function<void(const fs::directory_entry&)>& visit) {
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
  for (int visited = 0; !error && it != fs::recursive_directory_iterator() && visited < max_files;
       it.increment(error), ++visited) {
    const fs::directory_entry& entry = *it;
    std::error_code kind;
    if (entry.is_directory(kind)) {
      std::string name = entry.path().filename().string();
      if (name == ".git" || name == "node_modules" || it.depth() >= max_depth) it.disable_recursion_pending();
      continue;
    }
    if (entry.is_regular_file(kind)) visit(entry);
  }
}

}  // namespace wsfleet::worker
