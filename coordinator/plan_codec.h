#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/workstream.h"

namespace wsfleet::coordinator {

// The parsed workstreams of a submitted plan as stored beside its card texts, so that a
// restarted coordinator rebuilds the plan without parsing the cards again (faster, and the
// plan it resumes is the one that ran, whatever a newer parser would read in the texts).
// JSON, versioned: a blob of another version is refused (recovery then parses the texts).
// In parts of up to a thousand workstreams, made in parallel and stored a row each: the
// whole plan's encoding is never copied into one string. Nothing when the workstreams
// cannot be encoded (card text that is not UTF-8).
std::vector<std::string> EncodeWorkstreams(const std::vector<common::Workstream>& workstreams);
absl::StatusOr<std::vector<common::Workstream>> DecodeWorkstreams(const std::vector<std::string>& encoded);

// What a card says, without where it says it (file and line numbers move when another card
// in the same file changes): equal for two cards that ask the same work of a worker and its
// agent. Empty for text that is not UTF-8 (then every comparison says "changed").
std::string CardContent(const common::Workstream& workstream);

}  // namespace wsfleet::coordinator
