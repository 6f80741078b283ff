#pragma once

#include <compare>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace wsfleet::common {

// A file's name as locations hold it: one copy shared by the locations made from it, so a
// plan's many locations (several a workstream) cost a pointer each, not a path each.
class FileName {
 public:
  FileName() = default;
  FileName(std::string name)  // NOLINT: a path is a file name
      : name_(name.empty() ? nullptr : std::make_shared<const std::string>(std::move(name))) {}
  FileName(const char* name) : FileName(std::string(name)) {}  // NOLINT
  FileName(std::string_view name) : FileName(std::string(name)) {}  // NOLINT

  const std::string& str() const { return name_ ? *name_ : Empty(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads as the path it is
  bool empty() const { return str().empty(); }

  friend bool operator==(const FileName& a, const FileName& b) { return a.name_ == b.name_ || a.str() == b.str(); }
  friend std::strong_ordering operator<=>(const FileName& a, const FileName& b) { return a.str() <=> b.str(); }
  friend std::string operator+(const FileName& a, std::string_view b) { return a.str() + std::string(b); }
  friend std::string operator+(std::string_view a, const FileName& b) { return std::string(a) + b.str(); }
  friend std::ostream& operator<<(std::ostream& out, const FileName& name) { return out << name.str(); }

 private:
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const std::string> name_;
};

// Where something came from in a plan: a file and a 1-based line (0 = the whole file).
struct SourceLocation {
  FileName file;
  int line = 0;

  std::string ToString() const;  // "file:line" or "file"
};

enum class Severity { kWarning, kError };

// One finding about a plan, printed as "file:line: error: message".
struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLocation where;
  std::string message;

  std::string ToString() const;
};

// Collects the findings of a parse or validation so that all are reported in one run.
// Not thread-safe; each parse owns one.
class Diagnostics {
 public:
  void Warn(SourceLocation where, std::string message);
  void Error(SourceLocation where, std::string message);
  void Append(const Diagnostics& other);

  bool has_errors() const { return error_count_ > 0; }
  int error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return items_; }

  // Stable order for output: by file, then line, then the order they were found.
  std::vector<Diagnostic> Sorted() const;

 private:
  std::vector<Diagnostic> items_;
  int error_count_ = 0;
};

}  // namespace wsfleet::common
