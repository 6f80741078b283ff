#pragma once

#include <string>
#include <vector>

namespace wsfleet::common {

// Where something came from in a plan: a file and a 1-based line (0 = the whole file).
struct SourceLocation {
  std::string file;
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
