#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/workstream.h"
#include "coordinator/workstream_facts.h"

namespace wsfleet::coordinator {

// How much wsfleet checks before it calls a workstream done (its steps passed):
//   lenient: only criteria that were checked and failed fail it (wsfleet before 0.2);
//   default: also any parsed test that failed or errored, and any deliverable the card
//            names that is not there;
//   strict:  also any criterion that could not be checked (--require-verified).
// A card's `**Verification**: strict` makes it strict whatever the fleet's setting.
enum class Verification { kLenient, kDefault, kStrict };

std::optional<Verification> ParseVerification(std::string_view text);  // lenient|default|strict
const char* VerificationName(Verification verification);

// The verdict on a card without steps (it fails but under lenient verification, where
// its success says this instead of nothing).
inline constexpr std::string_view kNoStepsRan =
    "no step ran: the card has no shell block under a test or verification heading, so nothing checked its work";

// Why a workstream whose every step passed is still not done, by `fleet`'s rules and its
// card's, each reason naming the rule ("1 test failed: A.c", "deliverable missing:
// out/report.txt"); none when it is done. A pure function of the card and what its
// attempt reported.
std::vector<std::string> VerdictReasons(const common::Workstream& card, const WorkstreamFacts& facts,
                                        Verification fleet);

}  // namespace wsfleet::coordinator
