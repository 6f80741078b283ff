#include "cli/live_view.h"

#include <gtest/gtest.h>

#include "cli/status_render.h"
#include "common/text.h"

namespace wsfleet::cli {
namespace {

constexpr int64_t kStart = 1'800'000'000'000;  // unix ms

v1::WorkstreamStatus* Add(v1::RunStatus& status, const std::string& id, v1::WorkstreamState state) {
  v1::WorkstreamStatus* ws = status.add_workstreams();
  ws->set_id(id);
  ws->set_name("Card " + id);
  ws->set_state(state);
  return ws;
}

// What the screen shows after `frames`: a tiny terminal emulator for the sequences the view
// writes (text, \n, \r, cursor up N, clear to the end of the screen), without wrapping.
std::vector<std::string> Screen(const std::string& frames) {
  std::vector<std::string> rows(1);
  size_t row = 0, column = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    char c = frames[i];
    if (c == '\n') {
      if (++row == rows.size()) rows.emplace_back();
      column = 0;
    } else if (c == '\r') {
      column = 0;
    } else if (c == '\x1b' && frames.compare(i, 2, "\x1b[") == 0) {
      size_t end = frames.find_first_of("AJ", i + 2);
      std::string count = frames.substr(i + 2, end - i - 2);
      if (frames[end] == 'A') row -= std::min(row, static_cast<size_t>(std::stoul(count.empty() ? "1" : count)));
      if (frames[end] == 'J') {
        rows[row].resize(column);
        rows.resize(row + 1);
      }
      i = end;
    } else {
      if (rows[row].size() <= column) rows[row].resize(column + 1, ' ');
      rows[row][column++] = c;
    }
  }
  return rows;
}

TEST(LiveViewTest, RunningWorkIsRedrawnInPlaceAndOnlyWhatMattersScrolls) {
  int64_t now = kStart;
  LiveView view([&] { return now; });
  v1::RunStatus status;
  for (const char* id : {"WS-01", "WS-02", "WS-03"}) Add(status, id, v1::WORKSTREAM_STATE_READY);
  Add(status, "WS-04", v1::WORKSTREAM_STATE_PENDING);
  std::string out = view.Frame(status, {80, 24});
  status.mutable_workstreams(0)->set_state(v1::WORKSTREAM_STATE_RUNNING);
  status.mutable_workstreams(0)->set_worker_id("w1");
  status.mutable_workstreams(0)->set_started_unix_ms(kStart);
  status.mutable_workstreams(0)->set_attempts(1);
  status.mutable_workstreams(1)->set_state(v1::WORKSTREAM_STATE_RUNNING);
  status.mutable_workstreams(1)->set_worker_id("w2");
  status.mutable_workstreams(1)->set_started_unix_ms(kStart + 1000);
  status.mutable_workstreams(1)->set_attempts(1);
  now = kStart + 65'000;
  out += view.Frame(status, {80, 24});
  std::vector<std::string> screen = Screen(out);
  ASSERT_EQ(screen.size(), 3u) << out;
  EXPECT_EQ(screen[0], "  WS-01  Card WS-01  w1  1m05s") << "longest running first, its time on the clock";
  EXPECT_EQ(screen[1], "  WS-02  Card WS-02  w2  1m04s");
  EXPECT_EQ(screen[2].rfind("[--------", 0), 0u) << screen[2];
  EXPECT_NE(screen[2].find(" 0/4  2 running, 1 ready, 1 pending"), std::string::npos) << screen[2];

  // WS-01 succeeds, WS-02 fails and is tried again, WS-03 starts: the ends scroll above.
  status.mutable_workstreams(0)->set_state(v1::WORKSTREAM_STATE_SUCCEEDED);
  status.mutable_workstreams(0)->set_finished_unix_ms(kStart + 70'000);
  status.mutable_workstreams(1)->set_state(v1::WORKSTREAM_STATE_RUNNING);
  status.mutable_workstreams(1)->set_attempts(2);
  status.mutable_workstreams(1)->set_message("attempt 1: exit 1");
  status.mutable_workstreams(1)->set_started_unix_ms(kStart + 71'000);
  status.mutable_workstreams(2)->set_state(v1::WORKSTREAM_STATE_RUNNING);
  status.mutable_workstreams(2)->set_worker_id("w1");
  status.mutable_workstreams(2)->set_started_unix_ms(kStart + 70'500);
  now = kStart + 72'000;
  out += view.Frame(status, {80, 24});
  screen = Screen(out);
  ASSERT_EQ(screen.size(), 5u) << out;
  EXPECT_EQ(screen[0], "WS-01 SUCCEEDED in 1m10s on w1");
  EXPECT_EQ(screen[1], "WS-02 retrying (attempt 2): attempt 1: exit 1");
  EXPECT_EQ(screen[2], "  WS-03  Card WS-03  w1  1s");
  EXPECT_EQ(screen[3], "  WS-02  Card WS-02  w2  1s  attempt 1: exit 1");
  EXPECT_NE(screen[4].find(" 1/4  1 succeeded, 2 running, 1 pending"), std::string::npos) << screen[4];

  // The same status again prints nothing new above; the region stays where it was.
  out += view.Frame(status, {80, 24});
  EXPECT_EQ(Screen(out), screen);
  // At the end the region is erased, leaving the lines that mattered for the final table.
  out += view.Close({80, 24});
  EXPECT_EQ(Screen(out), (std::vector<std::string>{screen[0], screen[1], ""}));
}

TEST(LiveViewTest, WorkNotStartedYetComesAfterWorkRunning) {
  LiveView view([] { return kStart + 9000; });
  v1::RunStatus status;
  v1::WorkstreamStatus* queued = Add(status, "WS-01", v1::WORKSTREAM_STATE_ASSIGNED);
  queued->set_worker_id("w1");
  queued->set_message("queued on w1 until one of its slots frees");
  Add(status, "WS-02", v1::WORKSTREAM_STATE_RUNNING)->set_started_unix_ms(kStart);
  std::vector<std::string> screen = Screen(view.Frame(status, {100, 24}));
  ASSERT_EQ(screen.size(), 3u);
  EXPECT_EQ(screen[0], "  WS-02  Card WS-02  -  9s");
  EXPECT_EQ(screen[1], "  WS-01  Card WS-01  w1  -  starting  queued on w1 until one of its slots frees");
}

TEST(LiveViewTest, FitsTheTerminalItIsDrawnOn) {
  LiveView view([] { return kStart + 5000; });
  v1::RunStatus status;
  for (int i = 0; i < 30; ++i) {
    v1::WorkstreamStatus* ws = Add(status, "WS-" + std::to_string(10 + i), v1::WORKSTREAM_STATE_RUNNING);
    ws->set_started_unix_ms(kStart);
    ws->set_message(std::string(200, 'x'));
  }
  std::vector<std::string> screen = Screen(view.Frame(status, {40, 12}));
  ASSERT_EQ(screen.size(), 8u) << "a third of the screen is left to the lines above";
  for (const std::string& row : screen) EXPECT_LE(common::DisplayWidth(row), 39u) << row;
  EXPECT_NE(screen[screen.size() - 2].find("more running"), std::string::npos) << screen[screen.size() - 2];
  // Made narrower, the region's old rows wrap: the next frame goes back over all of them.
  std::string out = view.Frame(status, {40, 12});
  out += view.Frame(status, {20, 12});
  // 8 lines: 6 workstreams and the bar of 39 columns, "  ... and 24 more running" of 25:
  // 16 rows at 20 columns, so 15 up from the last.
  EXPECT_NE(out.find("\x1b[15A"), std::string::npos) << "every wrapped row is gone back over";
}

TEST(LiveViewTest, TheBarCarriesTheCoordinatorsEta) {
  v1::RunStatus status;
  Add(status, "WS-01", v1::WORKSTREAM_STATE_SUCCEEDED);
  Add(status, "WS-02", v1::WORKSTREAM_STATE_PENDING)->set_remaining_days(3);
  EXPECT_EQ(EtaAtThePaceSoFar(status), "") << "no pace yet: no ETA";
  status.set_eta_seconds(60);
  LiveView view([] { return kStart; });
  std::vector<std::string> screen = Screen(view.Frame(status, {120, 24}));
  EXPECT_NE(screen.back().find("1 succeeded, 1 pending; ETA 1m00s at the pace so far; critical path left: 3 days"),
            std::string::npos)
      << screen.back();
}

TEST(LiveViewTest, ElapsedTimesAndBars) {
  EXPECT_EQ(ElapsedText(42'000), "42s");
  EXPECT_EQ(ElapsedText(185'000), "3m05s");
  EXPECT_EQ(ElapsedText(3'720'000), "1h02m");
  EXPECT_EQ(ProgressBar(1, 4, 10), "[##------]");
  EXPECT_EQ(ProgressBar(0, 0, 6), "[----]");
}

}  // namespace
}  // namespace wsfleet::cli
