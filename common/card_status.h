#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/workstream_id.h"

namespace wsfleet::common {

// A card file's text with workstream `id` marked completed: the value of its **Status**
// field, on the line where the parser found that field, becomes "✅ Completed"; nothing
// else changes (other cards in the file, line endings, the rest of the line's markup).
// NotFound when `text` holds no card `id` or that card has no Status field.
absl::StatusOr<std::string> MarkCardCompleted(const std::string& path, const std::string& text,
                                              const WorkstreamId& id);

}  // namespace wsfleet::common
