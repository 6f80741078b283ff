#include "common/field_values.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/status/status.h"
#include "common/text.h"

namespace wsfleet::common {
namespace {

constexpr double kHoursPerDay = 8;
constexpr double kDaysPerWeek = 5;
constexpr double kDaysPerMonth = 20;

// A tiny cursor over a field value.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  std::string_view rest() const { return text_.substr(pos_); }
  void Skip(size_t count) { pos_ = std::min(text_.size(), pos_ + count); }
  void SkipSpaces() {
    while (!done() && IsAsciiSpace(text_[pos_])) ++pos_;
  }
  bool Consume(std::string_view token) {
    if (!StartsWith(rest(), token)) return false;
    pos_ += token.size();
    return true;
  }
  std::optional<double> Number() {
    const char* begin = text_.data() + pos_;
    const char* end = text_.data() + text_.size();
    if (begin == end || !(IsAsciiDigit(*begin) || *begin == '.')) return std::nullopt;
    double value = 0;
    auto [ptr, ec] = std::from_chars(begin, end, value, std::chars_format::fixed);
    if (ec != std::errc() || !std::isfinite(value)) return std::nullopt;
    pos_ += static_cast<size_t>(ptr - begin);
    return value;
  }
  std::string Word() {
    size_t begin = pos_;
    while (!done() && IsAsciiAlpha(text_[pos_])) ++pos_;
    return ToLower(text_.substr(begin, pos_ - begin));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Days per unit word, or 0 for a word that is not a unit of effort.
double DaysPerUnit(const std::string& unit) {
  if (unit.empty() || unit == "d" || unit == "day" || unit == "days") return 1;
  if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours") {
    return 1 / kHoursPerDay;
  }
  if (unit == "w" || unit == "wk" || unit == "wks" || unit == "week" || unit == "weeks") {
    return kDaysPerWeek;
  }
  if (unit == "month" || unit == "months") return kDaysPerMonth;
  return 0;
}

// Text inside the first balanced pair of parentheses, and the text before it.
std::pair<std::string_view, std::string_view> SplitParenthetical(std::string_view text) {
  size_t open = text.find('(');
  if (open == std::string_view::npos) return {text, {}};
  size_t close = text.find(')', open);
  std::string_view inside = text.substr(open + 1, close == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : close - open - 1);
  return {text.substr(0, open), inside};
}

}  // namespace

std::optional<DayRange> ParseDayRange(std::string_view text) {
  Cursor cursor(Trim(text));
  bool less_than = false;
  if (cursor.Consume("<") || cursor.Consume("\xE2\x89\xA4") /* ≤ */ ||
      cursor.Consume("up to ")) {
    less_than = true;
  } else {
    cursor.Consume("~") || cursor.Consume("\xE2\x89\x88") /* ≈ */ || cursor.Consume("about ");
  }
  cursor.SkipSpaces();
  std::optional<double> low = cursor.Number();
  if (!low) return std::nullopt;
  std::optional<double> high = low;
  cursor.SkipSpaces();
  if (cursor.Consume("-") || cursor.Consume("\xE2\x80\x93") /* – */ ||
      cursor.Consume("\xE2\x80\x94") /* — */ || cursor.Consume("to ")) {
    cursor.SkipSpaces();
    high = cursor.Number();
    if (!high) return std::nullopt;
    cursor.SkipSpaces();
  }
  double per_unit = DaysPerUnit(cursor.Word());
  if (per_unit == 0) return std::nullopt;
  DayRange range{*low * per_unit, *high * per_unit};
  if (range.min > range.max) std::swap(range.min, range.max);
  if (less_than) range.min = 0;
  return range;
}

Duration ParseDuration(std::string_view text) {
  Duration duration;
  duration.text = std::string(Trim(text));
  auto [main, note] = SplitParenthetical(duration.text);
  std::optional<DayRange> main_range = ParseDayRange(main);
  std::string note_lower = ToLower(note);
  std::optional<DayRange> note_range;
  if (size_t colon = note_lower.find_first_of(":0123456789"); colon != std::string::npos) {
    note_range = ParseDayRange(std::string_view(note).substr(
        note_lower[colon] == ':' ? colon + 1 : colon));
  }
  bool note_is_estimate = Contains(note_lower, "estimat") || Contains(note_lower, "est.");
  bool note_is_actual = Contains(note_lower, "complet") || Contains(note_lower, "actual") ||
                        Contains(note_lower, "took") || Contains(note_lower, "done in");
  if (note_range && note_is_estimate) {
    duration.known = true;
    duration.estimate = *note_range;
    duration.actual = main_range;
  } else if (main_range) {
    duration.known = true;
    duration.estimate = *main_range;
    if (note_range && note_is_actual) duration.actual = note_range;
  }
  return duration;
}

std::optional<int> ParsePriority(std::string_view text) {
  std::string lower = ToLower(text);
  for (size_t i = 0; i + 1 < lower.size(); ++i) {
    bool boundary = i == 0 || !IsAsciiAlnum(lower[i - 1]);
    if (boundary && lower[i] == 'p' && IsAsciiDigit(lower[i + 1]) &&
        (i + 2 >= lower.size() || !IsAsciiAlnum(lower[i + 2]))) {
      return lower[i + 1] - '0';
    }
  }
  if (Contains(lower, "critical")) return 0;
  if (Contains(lower, "high")) return 1;
  if (Contains(lower, "medium") || Contains(lower, "normal")) return 2;
  if (Contains(lower, "low")) return 3;
  return std::nullopt;
}

std::optional<WorkstreamStatus> ParseStatus(std::string_view text) {
  std::string lower = ToLower(StripDecorations(text));
  bool check_mark = Contains(text, "\xE2\x9C\x85") /* ✅ */ || Contains(text, "\xE2\x9C\x94");
  auto has = [&](std::string_view word) { return Contains(lower, word); };
  if (has("not started") || has("todo") || has("to do") || has("planned") || has("pending")) {
    return WorkstreamStatus::kNotStarted;
  }
  if (has("in progress") || has("in-progress") || has("wip") || has("ongoing") ||
      has("incomplete") || has("not complete") || has("started")) {
    return WorkstreamStatus::kInProgress;
  }
  if (has("blocked")) return WorkstreamStatus::kBlocked;
  if (has("complete") || has("done") || has("finished") || has("merged") ||
      (check_mark && lower.empty())) {
    return WorkstreamStatus::kCompleted;
  }
  if (has("ready")) return WorkstreamStatus::kReady;
  return std::nullopt;
}

absl::StatusOr<int64_t> ParseTimeoutSeconds(std::string_view text) {
  Cursor cursor(Trim(text));
  double total = 0;
  int parts = 0;
  while (!cursor.done()) {
    cursor.SkipSpaces();
    std::optional<double> number = cursor.Number();
    if (!number) break;
    cursor.SkipSpaces();
    std::string unit = cursor.Word();
    double seconds_per_unit = 0;
    if (unit == "s" || unit == "sec" || unit == "secs" || unit == "second" || unit == "seconds") {
      seconds_per_unit = 1;
    } else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" ||
               unit == "minutes") {
      seconds_per_unit = 60;
    } else if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" ||
               unit == "hours") {
      seconds_per_unit = 3600;
    } else if (unit == "d" || unit == "day" || unit == "days") {
      seconds_per_unit = 86400;
    } else {
      return absl::InvalidArgumentError("'" + std::string(Trim(text)) +
                                        "' needs a unit after each number (s, m, h or d)");
    }
    total += *number * seconds_per_unit;
    ++parts;
    cursor.SkipSpaces();
  }
  cursor.SkipSpaces();
  if (parts == 0 || !(cursor.done() || cursor.peek() == '(')) {
    return absl::InvalidArgumentError("'" + std::string(Trim(text)) +
                                      "' is not a duration such as 90s, 30m, 2h or 1h30m");
  }
  if (total <= 0 || total > 365.0 * 86400) {
    return absl::InvalidArgumentError("'" + std::string(Trim(text)) +
                                      "' is outside 1 second to 365 days");
  }
  return static_cast<int64_t>(std::llround(total));
}

absl::StatusOr<int> ParseCount(std::string_view text, int max) {
  std::string_view trimmed = Trim(text);
  int value = 0;
  auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  bool whole = ptr == trimmed.data() + trimmed.size() || !IsAsciiAlnum(*ptr);
  if (ec != std::errc() || ptr == trimmed.data() || !whole || value < 0 || value > max) {
    return absl::InvalidArgumentError("'" + std::string(trimmed) +
                                      "' is not a whole number from 0 to " +
                                      std::to_string(max));
  }
  return value;
}

absl::StatusOr<std::map<std::string, std::string>> ParseLabels(std::string_view text) {
  std::map<std::string, std::string> labels;
  std::string cleaned;
  for (char c : text) cleaned.push_back(c == '`' || c == ',' || c == ';' ? ' ' : c);
  Cursor cursor(cleaned);
  std::string item;
  auto flush = [&]() -> absl::Status {
    if (item.empty()) return absl::OkStatus();
    size_t eq = item.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == item.size()) {
      return absl::InvalidArgumentError("label '" + item + "' is not key=value");
    }
    labels[item.substr(0, eq)] = item.substr(eq + 1);
    item.clear();
    return absl::OkStatus();
  };
  for (char c : cleaned) {
    if (IsAsciiSpace(c)) {
      if (absl::Status status = flush(); !status.ok()) return status;
    } else {
      item.push_back(c);
    }
  }
  if (absl::Status status = flush(); !status.ok()) return status;
  if (labels.empty()) return absl::InvalidArgumentError("no key=value labels");
  return labels;
}

std::optional<MetricCheck> ParseMetricCheck(std::string_view code) {
  std::string_view text = Trim(code);
  size_t i = 0;
  if (i >= text.size() || !(IsAsciiAlpha(text[i]) || text[i] == '_')) return std::nullopt;
  while (i < text.size() && (IsAsciiAlnum(text[i]) || text[i] == '_' || text[i] == '.' ||
                             text[i] == ':' || text[i] == '/')) {
    ++i;
  }
  MetricCheck check;
  check.metric = std::string(text.substr(0, i));
  Cursor cursor(text.substr(i));
  cursor.SkipSpaces();
  if (cursor.Consume(">=") || cursor.Consume("\xE2\x89\xA5") /* ≥ */) {
    check.op = CompareOp::kGreaterEqual;
  } else if (cursor.Consume("<=") || cursor.Consume("\xE2\x89\xA4") /* ≤ */) {
    check.op = CompareOp::kLessEqual;
  } else if (cursor.Consume("==") || cursor.Consume("=")) {
    check.op = CompareOp::kEqual;
  } else if (cursor.Consume("!=") || cursor.Consume("\xE2\x89\xA0") /* ≠ */) {
    check.op = CompareOp::kNotEqual;
  } else if (cursor.Consume(">")) {
    check.op = CompareOp::kGreater;
  } else if (cursor.Consume("<")) {
    check.op = CompareOp::kLess;
  } else {
    return std::nullopt;
  }
  cursor.SkipSpaces();
  bool negative = cursor.Consume("-");
  std::optional<double> value = cursor.Number();
  if (!value) return std::nullopt;
  check.value = negative ? -*value : *value;
  cursor.SkipSpaces();
  std::string_view unit = Trim(cursor.rest());
  for (char c : unit) {
    if (!(IsAsciiAlnum(c) || c == '%' || c == '/' || c == '_')) return std::nullopt;
  }
  check.unit = std::string(unit);
  return check;
}

absl::StatusOr<Workstream::Budget> ParseBudget(std::string_view text) {
  Workstream::Budget budget;
  std::string_view rest = Trim(text);
  if (rest.empty()) return absl::InvalidArgumentError("an empty budget");
  auto bad = [&](std::string_view part) {
    return absl::InvalidArgumentError("'" + std::string(part) +
                                      "' is not a budget: give a time (2h), turns (50 turns), "
                                      "tokens (2M tokens) or dollars ($5)");
  };
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (part.empty()) continue;
    Cursor cursor(part);
    bool dollar_sign = cursor.peek() == '$';
    if (dollar_sign) cursor.Skip(1);
    std::optional<double> number = cursor.Number();
    if (!number || *number <= 0) return bad(part);
    cursor.SkipSpaces();
    std::string word = cursor.Word();  // lower case
    double scale = 1;
    if (!dollar_sign && (word == "k" || word == "m" || word == "g")) {
      cursor.SkipSpaces();
      std::string unit = cursor.Word();
      if (unit == "tokens" || unit == "token" || unit == "turns" || unit == "turn") {
        scale = word == "g" ? 1e9 : word == "m" ? 1e6 : 1e3;
        word = unit;
      } else if (!unit.empty()) {
        return bad(part);
      }
      // else "30m": minutes, read as a time below
    }
    cursor.SkipSpaces();
    if (dollar_sign) {
      if (!word.empty() || !cursor.done()) return bad(part);
      budget.dollars = *number;
    } else if (word == "dollars" || word == "dollar" || word == "usd") {
      if (!cursor.done()) return bad(part);
      budget.dollars = *number;
    } else if (word == "turns" || word == "turn") {
      if (!cursor.done()) return bad(part);
      budget.turns = static_cast<uint64_t>(*number * scale);
    } else if (word == "tokens" || word == "token") {
      if (!cursor.done()) return bad(part);
      budget.tokens = static_cast<uint64_t>(*number * scale);
    } else {
      absl::StatusOr<int64_t> seconds = ParseTimeoutSeconds(part);
      if (!seconds.ok()) return bad(part);
      budget.wall_seconds = *seconds;
    }
  }
  return budget;
}

}  // namespace wsfleet::common
