#include "common/prose_criterion.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <vector>

#include "common/text.h"

namespace wsfleet::common {
namespace {

struct Operator {
  std::string_view text;
  CompareOp op;
  bool word;  // matched at word boundaries, any case
};

// Longer forms first, so that "<=" is not read as "<" and "no more than" not as "more than".
constexpr std::array kOperators = {
    Operator{"<=", CompareOp::kLessEqual, false},       Operator{">=", CompareOp::kGreaterEqual, false},
    Operator{"\xE2\x89\xA4", CompareOp::kLessEqual, false},    // ≤
    Operator{"\xE2\x89\xA5", CompareOp::kGreaterEqual, false},  // ≥
    Operator{"==", CompareOp::kEqual, false},           Operator{"!=", CompareOp::kNotEqual, false},
    Operator{"<", CompareOp::kLess, false},             Operator{">", CompareOp::kGreater, false},
    Operator{"=", CompareOp::kEqual, false},
    Operator{"no more than", CompareOp::kLessEqual, true}, Operator{"not more than", CompareOp::kLessEqual, true},
    Operator{"no less than", CompareOp::kGreaterEqual, true}, Operator{"not less than", CompareOp::kGreaterEqual, true},
    Operator{"no fewer than", CompareOp::kGreaterEqual, true},
    Operator{"at least", CompareOp::kGreaterEqual, true}, Operator{"at most", CompareOp::kLessEqual, true},
    Operator{"less than", CompareOp::kLess, true},      Operator{"fewer than", CompareOp::kLess, true},
    Operator{"lower than", CompareOp::kLess, true},     Operator{"more than", CompareOp::kGreater, true},
    Operator{"greater than", CompareOp::kGreater, true}, Operator{"higher than", CompareOp::kGreater, true},
    Operator{"up to", CompareOp::kLessEqual, true},     Operator{"within", CompareOp::kLessEqual, true},
    Operator{"under", CompareOp::kLess, true},          Operator{"below", CompareOp::kLess, true},
    Operator{"over", CompareOp::kGreater, true},        Operator{"above", CompareOp::kGreater, true},
    Operator{"exceeds", CompareOp::kGreater, true},     Operator{"exceed", CompareOp::kGreater, true},
    Operator{"equals", CompareOp::kEqual, true},
};

bool WordChar(char c) { return IsAsciiAlnum(c) || c == '_'; }

// A number at `at` ("1,000", "2.5", "-3"); its end in `end`.
std::optional<double> NumberAt(std::string_view text, size_t at, size_t& end) {
  std::string digits;
  size_t i = at;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    if (text[i] == '-') digits += '-';
    ++i;
  }
  size_t first = i;
  for (; i < text.size(); ++i) {
    char c = text[i];
    bool thousands = c == ',' && i > first && IsAsciiDigit(text[i - 1]) && i + 3 < text.size() + 0 &&
                     IsAsciiDigit(text[i + 1]) && IsAsciiDigit(text[i + 2]) && IsAsciiDigit(text[i + 3]);
    if (thousands) continue;
    if (!IsAsciiDigit(c) && !(c == '.' && i + 1 < text.size() && IsAsciiDigit(text[i + 1]))) break;
    digits += c;
  }
  if (i == first || digits.empty() || digits == "-") return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(value)) return std::nullopt;
  end = i;
  return value;
}

std::vector<std::string> SplitOn(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t at = 0; at <= text.size(); ++at) {
    if (at == text.size() || text[at] == separator) {
      if (at > begin) parts.emplace_back(text.substr(begin, at - begin));
      begin = at + 1;
    }
  }
  return parts;
}

// The unit right after a number ("ms", " GB/s", "%"), if it is one.
std::optional<Unit> UnitAt(std::string_view text, size_t at) {
  while (at < text.size() && text[at] == ' ') ++at;
  size_t end = at;
  while (end < text.size() && (IsAsciiAlpha(text[end]) || text[end] == '/' || text[end] == '%' ||
                               static_cast<unsigned char>(text[end]) >= 0x80)) {
    ++end;
  }
  while (end > at && !ParseUnit(text.substr(at, end - at))) --end;  // "50 ms." or "80% of lines"
  return end > at ? ParseUnit(text.substr(at, end - at)) : std::nullopt;
}

// The criterion's words, lower case, and each two neighbours run together ("All-reduce"
// also gives "allreduce").
std::set<std::string> Words(std::string_view text) {
  std::vector<std::string> list;
  std::string word;
  for (char c : text) {
    if (IsAsciiAlnum(c)) {
      word += AsciiLower(c);
    } else if (!word.empty()) {
      list.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) list.push_back(std::move(word));
  std::set<std::string> words(list.begin(), list.end());
  for (size_t i = 0; i + 1 < list.size(); ++i) words.insert(list[i] + list[i + 1]);
  return words;
}

bool HasPlainWord(const std::set<std::string>& words, const std::string& word) {
  // "tests" in the criterion for "test" in the name, and the other way round.
  return words.count(word) || words.count(word + "s") ||
         (word.size() > 1 && word.back() == 's' && words.count(word.substr(0, word.size() - 1)));
}

// Short forms metric names use for what criteria spell out.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kAbbreviations = {{
    {"bw", "bandwidth"},
    {"membw", "memory bandwidth"},
    {"busbw", "bus bandwidth"},
    {"mem", "memory"},
    {"lat", "latency"},
    {"tput", "throughput"},
    {"util", "utilisation"},
    {"util", "utilization"},
    {"ttft", "time first token"},
    {"cov", "coverage"},
    {"err", "error"},
}};

bool HasWord(const std::set<std::string>& words, const std::string& word) {
  if (HasPlainWord(words, word)) return true;
  for (const auto& [short_form, long_form] : kAbbreviations) {
    if (word != short_form) continue;
    std::string expansion(long_form);
    size_t begin = 0;
    bool all = true;
    for (size_t at = 0; at <= expansion.size(); ++at) {
      if (at == expansion.size() || expansion[at] == ' ') {
        all = all && HasPlainWord(words, expansion.substr(begin, at - begin));
        begin = at + 1;
      }
    }
    if (all) return true;
  }
  return false;
}

}  // namespace

std::optional<ProseComparison> ParseProseComparison(std::string_view text) {
  ProseComparison comparison;
  std::string_view scan = text;
  if (size_t bind = ToLower(text).find("(metric:"); bind != std::string::npos) {
    size_t close = text.find(')', bind);
    comparison.bound_metric = std::string(Trim(text.substr(bind + 8, close == std::string_view::npos
                                                                           ? std::string_view::npos
                                                                           : close - bind - 8)));
    std::erase(comparison.bound_metric, '`');
    scan = text.substr(0, bind);
  }
  std::string lower = ToLower(scan);
  for (size_t at = 0; at < scan.size(); ++at) {
    for (const Operator& op : kOperators) {
      std::string_view haystack = op.word ? std::string_view(lower) : scan;
      if (haystack.compare(at, op.text.size(), op.text) != 0) continue;
      if (op.word && ((at > 0 && WordChar(lower[at - 1])) ||
                      (at + op.text.size() < lower.size() && WordChar(lower[at + op.text.size()])))) {
        continue;
      }
      size_t number = at + op.text.size();
      while (number < scan.size() && (scan[number] == ' ' || scan[number] == '~')) ++number;
      size_t end = 0;
      std::optional<double> value = NumberAt(scan, number, end);
      if (!value) continue;
      comparison.op = op.op;
      comparison.value = *value;
      comparison.unit = UnitAt(scan, end);
      return comparison;
    }
  }
  return std::nullopt;
}

MetricChoice ChooseMetric(std::string_view criterion, const ProseComparison& comparison,
                          const std::map<std::string, double>& metrics) {
  if (!comparison.bound_metric.empty()) {
    if (!metrics.count(comparison.bound_metric)) {
      return {"", "no step reported METRIC " + comparison.bound_metric + " (named by the criterion)"};
    }
    return {comparison.bound_metric, ""};
  }
  if (metrics.empty()) return {"", "no step reported a metric"};
  std::set<std::string> words = Words(criterion);
  size_t best = 0;
  std::vector<std::string> chosen;
  for (const auto& [name, value] : metrics) {
    std::optional<Unit> unit = UnitOfMetricName(name);
    if (unit && comparison.unit && unit->dimension != comparison.unit->dimension) continue;
    std::vector<std::string> parts = SplitOn(name, '_');
    if (unit && !parts.empty()) parts.pop_back();  // its unit is no word to look for
    bool coverage_line = parts.size() >= 2 && parts[0] == "coverage" && parts[1] == "line";
    size_t matched = 0;
    bool all = !parts.empty();
    for (const std::string& part : parts) {
      std::string word = ToLower(part);
      if (HasWord(words, word)) {
        ++matched;
      } else if (!(coverage_line && word == "line" && !words.count("branch"))) {
        all = false;
      }
    }
    if (!all || matched == 0) continue;
    if (matched > best) {
      best = matched;
      chosen = {name};
    } else if (matched == best) {
      chosen.push_back(name);
    }
  }
  if (chosen.size() == 1) return {chosen[0], ""};
  if (chosen.empty()) {
    std::string reported;
    for (const auto& [name, value] : metrics) reported += (reported.empty() ? "" : ", ") + name;
    return {"", "no reported metric matches its words (reported: " + reported + ")"};
  }
  std::string names;
  for (size_t i = 0; i < chosen.size(); ++i) names += (i == 0 ? "" : i + 1 == chosen.size() ? " and " : ", ") + chosen[i];
  return {"", (chosen.size() == 2 ? "two metrics could match: " : std::to_string(chosen.size()) + " metrics could match: ") +
                  names + "; name one with (metric: NAME)"};
}

}  // namespace wsfleet::common
