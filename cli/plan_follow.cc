#include "cli/plan_follow.h"

#include <unistd.h>

#include <chrono>
#include <iostream>

#include "cli/live_view.h"
#include "cli/status_render.h"

namespace wsfleet::cli {

std::optional<v1::RunStatus> FollowPlan(StatusFollower& follower, std::optional<v1::RunStatus> status,
                                        const FollowHooks& hooks) {
  bool terminal = ::isatty(STDOUT_FILENO) != 0;
  ProgressPrinter progress(false);
  LiveView live([] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  constexpr auto kFrameEvery = std::chrono::milliseconds(100);
  auto next_frame = std::chrono::steady_clock::now();
  bool undrawn = status.has_value();
  while (true) {
    if (std::optional<v1::RunStatus> latest = follower.Take()) {
      status = std::move(*latest);
      undrawn = true;
    }
    auto now = std::chrono::steady_clock::now();
    bool ended = status && hooks.ended(*status);
    // The end as soon as it is heard of; else at the pace.
    if (status && (undrawn || terminal) && (ended || now >= next_frame)) {
      std::cout << (terminal ? live.Frame(*status, TerminalSizeOf(STDOUT_FILENO)) : progress.Update(*status))
                << std::flush;
      undrawn = false;
      next_frame = now + kFrameEvery;
    }
    if (ended || hooks.give_up()) break;
    if (hooks.on_wake) hooks.on_wake();
    if (hooks.give_up()) break;
    // A status held back for the pace is drawn when the pace allows.
    follower.WaitUntil(undrawn ? next_frame : now + std::chrono::seconds(1));
  }
  if (!status) return status;
  if (terminal) std::cout << live.Close(TerminalSizeOf(STDOUT_FILENO));
  std::cout << "\n" << RenderStatusTable(*status);
  return status;
}

}  // namespace wsfleet::cli
