#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "wsfleet/v1/control.pb.h"

// The live terminal view of a running plan (`wsfleet run` on a terminal): above, only the
// lines that matter (succeeded, failed with the reason, retried, blocked, cancelled), which
// scroll as any output does; below them a region redrawn in place: each running
// workstream (ID, name, worker, time so far, what it is doing) and a progress bar with the
// counts by state and the critical path left. Plain ANSI (cursor up, clear to the end of
// the screen) on a terminal whose size is asked each frame (TIOCGWINSZ): no terminal
// library, so the view works over ssh, in tmux and in any terminal emulator, and the
// region's lines are cut to the width so that nothing wraps and every redraw knows how many
// lines to go back over.
namespace wsfleet::cli {

struct TerminalSize {
  int columns = 80;
  int rows = 24;
};

// The size of the terminal on `fd`; 80x24 when it has none.
TerminalSize TerminalSizeOf(int fd);

class LiveView {
 public:
  // `now_unix_ms`: the clock the running times are measured on (injected for tests).
  explicit LiveView(std::function<int64_t()> now_unix_ms);

  // What brings the screen from the last frame to `status`: the region erased, the new
  // lines that matter printed, the region drawn again (the cursor left at its end).
  std::string Frame(const v1::RunStatus& status, TerminalSize size);
  // Erases the region, for what is printed after the run (the final table).
  std::string Close(TerminalSize size);

 private:
  std::string Erase(int columns);
  std::string LinesThatMatter(const v1::RunStatus& status, size_t width);
  std::string Region(const v1::RunStatus& status, TerminalSize size);

  std::function<int64_t()> now_unix_ms_;
  struct Seen {
    v1::WorkstreamState state = v1::WORKSTREAM_STATE_UNSPECIFIED;
    uint32_t attempts = 0;
  };
  std::map<std::string, Seen> seen_;
  // The last region's lines' widths: a terminal made narrower since wraps them over more
  // rows, which the next erase must go back over.
  std::vector<size_t> region_widths_;
};

// "[#########---------]" of `width` characters for done out of total.
std::string ProgressBar(int done, int total, int width);

}  // namespace wsfleet::cli
