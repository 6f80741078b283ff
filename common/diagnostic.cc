#include "common/diagnostic.h"

#include <algorithm>

namespace wsfleet::common {

std::string SourceLocation::ToString() const {
  if (line <= 0) return file.str();
  return file + ":" + std::to_string(line);
}

std::string Diagnostic::ToString() const {
  return where.ToString() + (severity == Severity::kError ? ": error: " : ": warning: ") +
         message;
}

void Diagnostics::Warn(SourceLocation where, std::string message) {
  items_.push_back({Severity::kWarning, std::move(where), std::move(message)});
}

void Diagnostics::Error(SourceLocation where, std::string message) {
  items_.push_back({Severity::kError, std::move(where), std::move(message)});
  ++error_count_;
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  error_count_ += other.error_count_;
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.where.file != b.where.file) return a.where.file < b.where.file;
    return a.where.line < b.where.line;
  });
  return sorted;
}

}  // namespace wsfleet::common
