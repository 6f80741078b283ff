#pragma once

#include <functional>
#include <optional>

#include "cli/status_follower.h"
#include "wsfleet/v1/control.pb.h"

namespace wsfleet::cli {

// What a command following a plan decides for itself.
struct FollowHooks {
  std::function<bool(const v1::RunStatus&)> ended;  // the plan it follows is over
  std::function<bool()> give_up;                    // stop following now (a stream gone, a second Ctrl-C)
  std::function<void()> on_wake;                    // after each wake-up, on the calling thread (a first Ctrl-C)
};

// Shows a plan as `follower` hears of it until `hooks.ended` or `hooks.give_up`: on a
// terminal (stdout) the live view, redrawn at most 10 times a second and once a second
// anyway (the running times move), then erased; piped, a line per change. Then the status
// table, when there is a status. What `wsfleet run` and `wsfleet status --watch` show.
// Returns the last status (`status`, or a newer one), nullopt when none came.
std::optional<v1::RunStatus> FollowPlan(StatusFollower& follower, std::optional<v1::RunStatus> status,
                                        const FollowHooks& hooks);

}  // namespace wsfleet::cli
