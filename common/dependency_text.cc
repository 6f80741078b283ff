#include "common/dependency_text.h"

#include <algorithm>
#include <set>

#include "common/text.h"

namespace wsfleet::common {
namespace {

size_t SkipSpaces(std::string_view text, size_t pos) {
  while (pos < text.size() && IsAsciiSpace(text[pos])) ++pos;
  return pos;
}

// If a range connector starts at `pos`, returns the offset just after it.
size_t MatchRangeConnector(std::string_view text, size_t pos) {
  static constexpr std::string_view kConnectors[] = {
      "..", "\xE2\x80\xA6" /* … */, "\xE2\x80\x93" /* – */, "\xE2\x80\x94" /* — */, "-",
      "through", "thru", "to"};
  std::string_view rest = text.substr(pos);
  for (std::string_view connector : kConnectors) {
    if (rest.size() < connector.size()) continue;
    if (ToLower(rest.substr(0, connector.size())) != connector) continue;
    size_t end = pos + connector.size();
    bool is_word = IsAsciiAlpha(connector[0]);
    if (is_word && end < text.size() && IsAsciiAlnum(text[end])) continue;
    return end;
  }
  return std::string_view::npos;
}

// Offset just after the parenthesis that closes the one at `open` (or the end of text).
size_t MatchingParen(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) return i + 1;
  }
  return text.size();
}

bool StartsWithNone(std::string_view text) {
  std::string lower = ToLower(Trim(text));
  for (std::string_view word : {"none", "n/a", "no dependencies", "nothing"}) {
    if (StartsWith(lower, word) &&
        (lower.size() == word.size() || !IsAsciiAlnum(lower[word.size()]))) {
      return true;
    }
  }
  return lower.empty() || lower == "-" || lower == "\xE2\x80\x94" || lower == "\xE2\x80\x93";
}

}  // namespace

DependencyText ParseDependencyText(std::string_view text) {
  DependencyText result;
  result.none = StartsWithNone(text);
  std::vector<IdMention> mentions = FindIdMentions(text);
  std::set<WorkstreamId> seen;
  std::set<WorkstreamId> mentioned;
  auto add = [&](WorkstreamId id) {
    if (seen.insert(id).second) result.ids.push_back(id);
  };
  size_t skip_until = 0;  // mentions before this offset sit inside an annotation
  for (size_t m = 0; m < mentions.size(); ++m) {
    const IdMention& mention = mentions[m];
    if (mention.placeholder) {
      result.placeholder = true;
      continue;
    }
    if (mention.begin < skip_until || result.none) {
      if (mentioned.insert(mention.id).second) result.mentioned_only.push_back(mention.id);
      continue;
    }
    size_t after = mention.end;
    // A range: "<id> <connector> <id>".
    size_t connector_end = MatchRangeConnector(text, SkipSpaces(text, after));
    if (connector_end != std::string_view::npos && m + 1 < mentions.size() &&
        !mentions[m + 1].placeholder &&
        mentions[m + 1].begin == SkipSpaces(text, connector_end)) {
      int first = std::min(mention.id.number(), mentions[m + 1].id.number());
      int last = std::max(mention.id.number(), mentions[m + 1].id.number());
      if (last - first >= kMaxRangeLength) {
        result.problems.push_back("range " + mention.id.ToString() + " to " +
                                  mentions[m + 1].id.ToString() + " spans more than " +
                                  std::to_string(kMaxRangeLength) + " workstreams");
        add(mention.id);
        add(mentions[m + 1].id);
      } else {
        for (int n = first; n <= last; ++n) add(WorkstreamId(n));
      }
      after = mentions[m + 1].end;
      ++m;
    } else {
      add(mention.id);
    }
    size_t next = SkipSpaces(text, after);
    if (next < text.size() && text[next] == '(') skip_until = MatchingParen(text, next);
  }
  if (!result.ids.empty()) result.none = false;
  return result;
}

std::string_view DependencyHead(std::string_view item_text) {
  size_t cut = item_text.size();
  size_t colon = item_text.find(':');
  if (colon != std::string_view::npos) cut = colon;
  for (std::string_view separator : {" - ", " \xE2\x80\x94 ", " \xE2\x80\x93 "}) {
    size_t found = item_text.find(separator);
    // A spaced dash between two IDs is a range ("WS-09 - WS-16"), not a reason.
    while (found != std::string_view::npos && found < cut) {
      std::vector<IdMention> after =
          FindIdMentions(item_text.substr(found + separator.size(), 8));
      if (after.empty() || after.front().begin != 0) {
        cut = found;
        break;
      }
      found = item_text.find(separator, found + separator.size());
    }
  }
  return Trim(item_text.substr(0, cut));
}

}  // namespace wsfleet::common
