// The environment an attempt's steps get, as a pure function of its spec and the worker.

#include "worker/step_environment.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace wsfleet::worker {
namespace {

bool Has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

v1::AttemptSpec Spec() {
  v1::AttemptSpec spec;
  spec.set_workstream_id("WS-04");
  spec.set_attempt_id("WS-04-a2-1");
  spec.set_attempt_number(2);
  spec.set_plan_id("p-1");
  spec.set_node_rank(1);
  spec.set_nodes(2);
  spec.add_node_addrs("n0");
  spec.add_node_addrs("n1");
  spec.add_gpu_indices(2);
  spec.add_gpu_indices(3);
  return spec;
}

TEST(StepEnvironmentTest, TheGangsRanksAndTheAssignedGpusOnly) {
  StepEnvironmentInputs inputs;
  inputs.base = {"PATH=/bin", "WSFLEET_ATTEMPT_ID=stale", "CUDA_VISIBLE_DEVICES=0,1,2,3", "TMPDIR=/tmp"};
  inputs.workspace = "/w";
  inputs.worker_id = "w1";
  inputs.port_base = 20000;
  inputs.port_count = 100;
  std::vector<std::string> env = StepEnvironment(Spec(), inputs);
  EXPECT_TRUE(Has(env, "PATH=/bin"));
  EXPECT_TRUE(Has(env, "TMPDIR=/tmp")) << "a step without an agent keeps the worker's";
  EXPECT_FALSE(Has(env, "WSFLEET_ATTEMPT_ID=stale"));
  EXPECT_TRUE(Has(env, "WSFLEET_ATTEMPT_ID=WS-04-a2-1"));
  EXPECT_TRUE(Has(env, "CUDA_VISIBLE_DEVICES=2,3"));
  EXPECT_FALSE(Has(env, "CUDA_VISIBLE_DEVICES=0,1,2,3"));
  EXPECT_TRUE(Has(env, "WSFLEET_RANK=2")) << "node 1 of 2, two GPUs a node";
  EXPECT_TRUE(Has(env, "WSFLEET_WORLD_SIZE=4"));
  EXPECT_TRUE(Has(env, "WSFLEET_NODE_ADDRS=n0,n1"));
  EXPECT_TRUE(Has(env, "WSFLEET_PORT_BASE=20000"));
  EXPECT_TRUE(Has(env, "WSFLEET_PORT_COUNT=100"));
}

TEST(StepEnvironmentTest, AssignedGpusAreTheWorkersOwnVisibleDevicesNotTheMachines) {
  // A worker in a Slurm job that holds the machine's GPUs 4-7: its CUDA runtime numbers them
  // 0-3, and GPUs 2 and 3 of those are the machine's 6 and 7.
  StepEnvironmentInputs inputs;
  inputs.base = {"PATH=/bin", "CUDA_VISIBLE_DEVICES=4,5,6,7"};
  EXPECT_TRUE(Has(StepEnvironment(Spec(), inputs), "CUDA_VISIBLE_DEVICES=6,7"));
  inputs.base = {"CUDA_VISIBLE_DEVICES=GPU-aa,GPU-bb,GPU-cc,GPU-dd"};
  EXPECT_TRUE(Has(StepEnvironment(Spec(), inputs), "CUDA_VISIBLE_DEVICES=GPU-cc,GPU-dd"));
  inputs.base = {"PATH=/bin"};  // the worker sees every GPU: indices are the machine's
  EXPECT_TRUE(Has(StepEnvironment(Spec(), inputs), "CUDA_VISIBLE_DEVICES=2,3"));
}

TEST(StepEnvironmentTest, FleetSecretsNeverReachAStepAndAPassthroughListKeepsOnlyItsNames) {
  StepEnvironmentInputs inputs;
  inputs.base = {"PATH=/bin", "HOME=/root", "AWS_SECRET_ACCESS_KEY=k", "WSFLEET_JOIN_TOKEN=wsf1.x.y",
                 "WSFLEET_LOG_TOKEN=abc", "WSFLEET_CREDENTIALS=/c.pem"};
  std::vector<std::string> env = StepEnvironment(Spec(), inputs);
  EXPECT_TRUE(Has(env, "AWS_SECRET_ACCESS_KEY=k")) << "without a list, the worker's variables pass";
  for (const char* secret : {"WSFLEET_JOIN_TOKEN=wsf1.x.y", "WSFLEET_LOG_TOKEN=abc", "WSFLEET_CREDENTIALS=/c.pem"}) {
    EXPECT_FALSE(Has(env, secret)) << secret;
  }
  inputs.passthrough = std::vector<std::string>{"PATH", "WSFLEET_JOIN_TOKEN"};
  env = StepEnvironment(Spec(), inputs);
  EXPECT_TRUE(Has(env, "PATH=/bin"));
  EXPECT_FALSE(Has(env, "HOME=/root"));
  EXPECT_FALSE(Has(env, "AWS_SECRET_ACCESS_KEY=k"));
  EXPECT_FALSE(Has(env, "WSFLEET_JOIN_TOKEN=wsf1.x.y")) << "a fleet secret even when listed";
  EXPECT_TRUE(Has(env, "WSFLEET_WORKSTREAM_ID=WS-04")) << "wsfleet's own variables are still set";
}

TEST(StepEnvironmentTest, NoGpusAssignedMeansNoneVisibleAndAnAgentGetsItsOwnScratch) {
  v1::AttemptSpec spec = Spec();
  spec.clear_gpu_indices();
  StepEnvironmentInputs inputs;
  inputs.base = {"TMPDIR=/tmp", "XDG_STATE_HOME=/home/u/.local/state", "HOME=/home/u"};
  inputs.agent_tmp = "/spool/tmp/a";
  inputs.agent_state = "/spool/agent-state/WS-04";
  std::vector<std::string> env = StepEnvironment(spec, inputs);
  EXPECT_TRUE(Has(env, "CUDA_VISIBLE_DEVICES="));
  EXPECT_TRUE(Has(env, "TMPDIR=/spool/tmp/a"));
  EXPECT_FALSE(Has(env, "TMPDIR=/tmp"));
  EXPECT_TRUE(Has(env, "XDG_STATE_HOME=/spool/agent-state/WS-04"));
  EXPECT_TRUE(Has(env, "HOME=/home/u")) << "the agents' credentials live there";
  EXPECT_FALSE(std::any_of(env.begin(), env.end(), [](const std::string& e) { return e.rfind("WSFLEET_PORT_BASE=", 0) == 0; }));
}

}  // namespace
}  // namespace wsfleet::worker
