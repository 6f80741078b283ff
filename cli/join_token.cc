#include "cli/join_token.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"

namespace wsfleet::cli {
namespace {

std::string Trimmed(const std::string& text) {
  const char* space = " \t\r\n";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

}  // namespace

absl::StatusOr<std::string> ReadJoinToken(const std::string& file) {
  std::string token;
  std::string where;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::NotFoundError("--join-token-file " + file + ": cannot read it");
    std::ostringstream text;
    text << in.rdbuf();
    token = Trimmed(text.str());
    where = "--join-token-file " + file;
    if (token.empty()) return absl::InvalidArgumentError(where + ": the file is empty");
  } else if (const char* env = std::getenv("WSFLEET_JOIN_TOKEN"); env != nullptr) {
    token = Trimmed(env);
    where = "$WSFLEET_JOIN_TOKEN";
  }
  if (token.rfind("CHANGE-ME", 0) == 0) {
    return absl::InvalidArgumentError(where + ": still the placeholder token; put one from "
                                      "`wsfleet token create` there (see k8s/base/join-token.yaml)");
  }
  return token;
}

}  // namespace wsfleet::cli
