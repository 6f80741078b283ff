#include "worker/fleet_join.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

namespace wsfleet::worker {
namespace {

TEST(FleetJoinTest, NoAnswerIsTriedAgainAndAnAnswerIsNot) {
  EXPECT_TRUE(JoinCallWorthRetrying(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")));
  EXPECT_TRUE(JoinCallWorthRetrying(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded")))
      << "a first call on a new container network can time out where the next one answers";
  EXPECT_FALSE(JoinCallWorthRetrying(grpc::Status(grpc::StatusCode::UNAVAILABLE, "Ssl handshake failed")))
      << "another coordinator than the CA's: trying again cannot help";
  EXPECT_FALSE(JoinCallWorthRetrying(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "token revoked")));
  EXPECT_FALSE(JoinCallWorthRetrying(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token")));
}

}  // namespace
}  // namespace wsfleet::worker
