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

bool EndsWithAny(const fs::path& file, const std::vector<std::string>& paths) {
  std::string full = file.lexically_normal().generic_string();
  for (const std::string& path : paths) {
    std::string named = fs::path(path).lexically_normal().generic_string();
    while (named.rfind("./", 0) == 0) named.erase(0, 2);
    if (named.empty() || named.find("..") != std::string::npos) continue;
    if (full == named || (full.size() > named.size() && full.compare(full.size() - named.size(), named.size(), named) == 0 &&
                          full[full.size() - named.size() - 1] == '/')) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> PathWords(std::string_view script) {
  std::vector<std::string> words;
  size_t at = 0;
  while (at < script.size()) {
    size_t end = script.find_first_of(" \t\n;|&<>", at);
    if (end == std::string_view::npos) end = script.size();
    std::string word(script.substr(at, end - at));
    at = end + 1;
    std::erase_if(word, [](char c) { return c == '\'' || c == '"'; });
    if (size_t eq = word.rfind('='); eq != std::string::npos) word = word.substr(eq + 1);
    if (!word.empty()) words.push_back(std::move(word));
  }
  return words;
}

}  // namespace wsfleet::worker
