#include "common/card_status.h"

#include "common/card_parser.h"

namespace wsfleet::common {
namespace {

constexpr std::string_view kCompleted = "✅ Completed";

// Where line `number` (1-based) of `text` starts and ends (before its line break).
bool FindLine(const std::string& text, int number, size_t& begin, size_t& end) {
  begin = 0;
  for (int line = 1; line < number; ++line) {
    size_t next = text.find('\n', begin);
    if (next == std::string::npos) return false;
    begin = next + 1;
  }
  end = text.find('\n', begin);
  if (end == std::string::npos) end = text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  return true;
}

}  // namespace

absl::StatusOr<std::string> MarkCardCompleted(const std::string& path, const std::string& text,
                                              const WorkstreamId& id) {
  ParsedDocument document = ParseCardDocument(path, text);
  const Workstream* card = nullptr;
  for (const Workstream& ws : document.workstreams) {
    if (ws.id == id) card = &ws;
  }
  if (card == nullptr) return absl::NotFoundError(path + " holds no card " + id.ToString());
  if (card->notes().status_where.line <= 0) {
    return absl::NotFoundError("no **Status**: line in " + path + " for " + id.ToString());
  }
  size_t begin = 0, end = 0;
  if (!FindLine(text, card->notes().status_where.line, begin, end)) {
    return absl::InternalError(path + ":" + std::to_string(card->notes().status_where.line) + ": no such line");
  }
  std::string_view line(text.data() + begin, end - begin);
  // "**Status**: value" or "**Status:** value": the value starts after the closing **.
  size_t key = line.find("Status");
  size_t stars = key == std::string_view::npos ? key : line.find("**", key);
  if (stars == std::string_view::npos) {
    return absl::InternalError(path + ":" + std::to_string(card->notes().status_where.line) +
                               ": the Status field is not where the parser found it");
  }
  size_t value = stars + 2;
  if (value < line.size() && line[value] == ':') ++value;
  while (value < line.size() && line[value] == ' ') ++value;
  // A line break that markdown spells with two trailing spaces or a backslash stays.
  size_t value_end = line.size();
  if (line.ends_with("\\")) {
    value_end -= 1;
  } else if (line.ends_with("  ")) {
    value_end = line.find_last_not_of(' ') + 1;
  }
  std::string marked = text;
  marked.replace(begin + value, std::max(value_end, value) - value, kCompleted);
  return marked;
}

}  // namespace wsfleet::common
