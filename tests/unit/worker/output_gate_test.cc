#include "worker/output_gate.h"

#include <gtest/gtest.h>

#include <future>

namespace wsfleet::worker {
namespace {

using namespace std::chrono_literals;

// Long enough that a waiter that should be blocked has certainly tried; the gate's own
// max_wait is far longer, so "still waiting" cannot come from it timing out.
constexpr auto kSettle = 50ms;

TEST(OutputGateTest, AWriterWaitsWhileTheWorkerHoldsTooMuchAndACoordinatorDrainsIt) {
  OutputGate gate(100, std::chrono::milliseconds(60000));
  gate.SetDraining(true);
  gate.Acquire(60);  // room
  gate.Arrived(60);
  gate.SetHeld(60);
  auto writer = std::async(std::launch::async, [&] { gate.Acquire(60); });  // 120 > 100
  EXPECT_EQ(writer.wait_for(kSettle), std::future_status::timeout);
  gate.SetHeld(30);  // an ack freed some
  EXPECT_EQ(writer.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(gate.pending(), 90u);
}

TEST(OutputGateTest, NobodyWaitsWithoutACoordinatorToDrain) {
  OutputGate gate(100, std::chrono::milliseconds(60000));
  gate.SetHeld(1000);  // far over, but not draining: the outbox spills instead
  auto writer = std::async(std::launch::async, [&] { gate.Acquire(60); });
  EXPECT_EQ(writer.wait_for(10s), std::future_status::ready);
}

TEST(OutputGateTest, LosingTheCoordinatorReleasesWaiters) {
  OutputGate gate(100, std::chrono::milliseconds(60000));
  gate.SetDraining(true);
  gate.SetHeld(100);
  auto writer = std::async(std::launch::async, [&] { gate.Acquire(1); });
  EXPECT_EQ(writer.wait_for(kSettle), std::future_status::timeout);
  gate.SetDraining(false);
  EXPECT_EQ(writer.wait_for(10s), std::future_status::ready);
}

TEST(OutputGateTest, AChunkLargerThanTheLimitPassesWhenNothingIsHeld) {
  OutputGate gate(100, std::chrono::milliseconds(60000));
  gate.SetDraining(true);
  auto writer = std::async(std::launch::async, [&] { gate.Acquire(500); });
  EXPECT_EQ(writer.wait_for(10s), std::future_status::ready);
}

TEST(OutputGateTest, NoWaitOutlastsMaxWait) {
  OutputGate gate(100, std::chrono::milliseconds(20));  // a stalled coordinator
  gate.SetDraining(true);
  gate.SetHeld(100);
  auto writer = std::async(std::launch::async, [&] { gate.Acquire(1); });
  EXPECT_EQ(writer.wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace wsfleet::worker
