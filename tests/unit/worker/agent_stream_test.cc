#include "worker/agent_stream.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace wsfleet::worker {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(WSFLEET_TEST_DATA_DIR) + "/agents/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

AgentUsage ParseAll(AgentFormat format, const std::string& text, size_t chunk = 0) {
  AgentStreamParser parser(format);
  if (chunk == 0) {
    parser.Feed(text);
  } else {
    for (size_t at = 0; at < text.size(); at += chunk) parser.Feed(std::string_view(text).substr(at, chunk));
  }
  parser.Finish();
  return parser.usage();
}

TEST(AgentStreamTest, ClaudeStreamJsonCountsEachMessageOnceAndTrustsTheResult) {
  std::string text = Fixture("claude.jsonl");
  // While it runs: three assistant messages (one spread over two lines), two tool uses.
  AgentUsage running = ParseAll(AgentFormat::kClaude, text.substr(0, text.rfind("{\"type\":\"result\"")));
  EXPECT_EQ(running.session_id, "9f6c1a2e-0b1d-4a53-8f3e-2c1d5e7a9b10");
  EXPECT_EQ(running.turns, 3u);
  EXPECT_EQ(running.tool_calls, 2u);
  EXPECT_EQ(running.input_tokens, 49733u);
  EXPECT_EQ(running.cached_input_tokens, 44150u);
  EXPECT_EQ(running.output_tokens, 206u);
  EXPECT_FALSE(running.cost_reported);
  EXPECT_FALSE(running.finished);
  AgentUsage done = ParseAll(AgentFormat::kClaude, text);
  EXPECT_TRUE(done.finished);
  EXPECT_EQ(done.turns, 5u);  // the result's num_turns
  EXPECT_EQ(done.input_tokens, 49733u);
  EXPECT_EQ(done.output_tokens, 206u);
  EXPECT_TRUE(done.cost_reported);
  EXPECT_DOUBLE_EQ(done.cost_usd, 0.0712);
  EXPECT_TRUE(done.error.empty());
}

TEST(AgentStreamTest, ClaudeErrorResultsAreReported) {
  AgentUsage usage = ParseAll(AgentFormat::kClaude,
                              R"({"type":"result","subtype":"error_max_turns","is_error":true,"num_turns":50,"session_id":"s","total_cost_usd":1.5})"
                              "\n");
  EXPECT_EQ(usage.error, "error_max_turns");
  EXPECT_EQ(usage.turns, 50u);
  EXPECT_DOUBLE_EQ(usage.cost_usd, 1.5);
}

TEST(AgentStreamTest, CodexExecJson) {
  AgentUsage usage = ParseAll(AgentFormat::kCodex, Fixture("codex.jsonl"));
  EXPECT_EQ(usage.session_id, "0199a213-81c0-7800-8aa1-bbab2a035a53");
  EXPECT_EQ(usage.turns, 3u);  // one turn.started, three model requests: two tool calls, a message
  EXPECT_EQ(usage.tool_calls, 2u);  // the command (counted when completed) and the file change
  EXPECT_EQ(usage.input_tokens, 24763u);
  EXPECT_EQ(usage.cached_input_tokens, 24448u);
  EXPECT_EQ(usage.output_tokens, 122u);
  EXPECT_FALSE(usage.cost_reported);
  AgentUsage failed = ParseAll(AgentFormat::kCodex,
                               "{\"type\":\"turn.started\"}\n"
                               "{\"type\":\"turn.failed\",\"error\":{\"message\":\"stream disconnected\"}}\n");
  EXPECT_EQ(failed.error, "stream disconnected");
  // codex retrying is not codex failing; the model catalog's warning is no tool call.
  AgentUsage retried = ParseAll(AgentFormat::kCodex,
                                R"({"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `m` not found."}})"
                                "\n"
                                R"x({"type":"error","message":"Reconnecting... 1/5 (stream disconnected)"})x"
                                "\n");
  EXPECT_EQ(retried.error, "");
  EXPECT_EQ(retried.tool_calls, 0u);
  EXPECT_EQ(retried.turns, 0u);
}

// Recorded from the CLIs pinned in tests/agents/clis (claude 2.1.332, codex 0.171.0, opencode
// 1.18.33) against tests/agents/model_endpoint.py, which served each model request 1000 input
// tokens (400 of them cached) and 50 output: a run of three requests (write a file, run a
// command, answer), then the same session resumed for four (read, write, run, answer).
struct Recorded {
  AgentFormat format;
  std::string cli;
};

class ResumedSessionTest : public ::testing::TestWithParam<Recorded> {};

TEST_P(ResumedSessionTest, EachAttemptCountsOnlyItsOwnRequests) {
  const Recorded& cli = GetParam();
  AgentUsage run = ParseAll(cli.format, Fixture("v2026-12/" + cli.cli + "-run.jsonl"));
  AgentUsage first = ThisAttempt(cli.format, run, {});
  EXPECT_EQ(first.turns, 3u);
  EXPECT_EQ(first.tool_calls, 2u);
  EXPECT_EQ(first.input_tokens, 3000u);
  EXPECT_EQ(first.cached_input_tokens, 1200u);
  EXPECT_EQ(first.output_tokens, 150u);

  AgentUsage resumed = ParseAll(cli.format, Fixture("v2026-12/" + cli.cli + "-resume.jsonl"));
  EXPECT_EQ(resumed.session_id, run.session_id);
  AgentUsage second = ThisAttempt(
      cli.format, resumed,
      {first.input_tokens, first.cached_input_tokens, first.output_tokens, first.cost_usd});
  EXPECT_EQ(second.turns, 4u);
  EXPECT_EQ(second.tool_calls, 3u);
  EXPECT_EQ(second.input_tokens, 4000u);
  EXPECT_EQ(second.cached_input_tokens, 1600u);
  EXPECT_EQ(second.output_tokens, 200u);
  if (cli.format == AgentFormat::kClaude) {
    // claude prices by its own table and reports the session's cost so far on resume.
    EXPECT_DOUBLE_EQ(first.cost_usd, 0.01044);
    EXPECT_DOUBLE_EQ(resumed.cost_usd, 0.02436);
    EXPECT_NEAR(second.cost_usd, 0.01392, 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Clis, ResumedSessionTest,
                         ::testing::Values(Recorded{AgentFormat::kClaude, "claude"},
                                           Recorded{AgentFormat::kCodex, "codex"},
                                           Recorded{AgentFormat::kOpencode, "opencode"}),
                         [](const ::testing::TestParamInfo<Recorded>& param) { return param.param.cli; });

TEST(AgentStreamTest, ABaselineAboveWhatTheRunReportsIsNotTakenOff) {
  AgentUsage reported;
  reported.input_tokens = 500;
  reported.output_tokens = 40;
  AgentUsage usage = ThisAttempt(AgentFormat::kCodex, reported, {9000, 0, 400, 0});
  EXPECT_EQ(usage.input_tokens, 500u);
  EXPECT_EQ(usage.output_tokens, 40u);
  // A CLI that reports each run's own figures keeps them, whatever came before.
  EXPECT_EQ(ThisAttempt(AgentFormat::kOpencode, reported, {100, 0, 10, 0}), reported);
}

TEST(AgentStreamTest, OpencodeRunJson) {
  AgentUsage usage = ParseAll(AgentFormat::kOpencode, Fixture("opencode.jsonl"));
  EXPECT_EQ(usage.session_id, "ses_494719016ffe85dkDMj0FPRbHK");
  EXPECT_EQ(usage.turns, 2u);
  EXPECT_EQ(usage.tool_calls, 2u);
  EXPECT_EQ(usage.input_tokens, 18530u);
  EXPECT_EQ(usage.cached_input_tokens, 9100u);
  EXPECT_EQ(usage.output_tokens, 140u);  // reasoning tokens are output too
  EXPECT_TRUE(usage.cost_reported);
  EXPECT_NEAR(usage.cost_usd, 0.0174, 1e-12);
  AgentUsage failed = ParseAll(AgentFormat::kOpencode,
                               R"({"type":"error","sessionID":"s","error":{"name":"APIError","data":{"message":"rate limited"}}})");
  EXPECT_EQ(failed.error, "rate limited");
}

TEST(AgentStreamTest, AnyChunkingGivesTheSameTotals) {
  for (const auto& [format, file] : {std::pair{AgentFormat::kClaude, "claude.jsonl"},
                                     std::pair{AgentFormat::kCodex, "codex.jsonl"},
                                     std::pair{AgentFormat::kOpencode, "opencode.jsonl"}}) {
    std::string text = Fixture(file);
    AgentUsage whole = ParseAll(format, text);
    for (size_t chunk : {1u, 7u, 100u}) EXPECT_EQ(ParseAll(format, text, chunk), whole) << file << " " << chunk;
  }
}

TEST(AgentStreamTest, JunkIsSkippedAndFeedSaysWhenTotalsChange) {
  AgentStreamParser parser(AgentFormat::kCodex);
  EXPECT_FALSE(parser.Feed("plain text\n{not json}\n[1,2]\n{\"type\":\"future.event\"}\n"));
  EXPECT_FALSE(parser.Feed("{\"type\":\"item.completed\",\"item\":{\"type\":\"agent_mes"));  // half a line
  EXPECT_TRUE(parser.Feed("sage\"}}\n"));
  EXPECT_EQ(parser.usage().turns, 1u);
  EXPECT_FALSE(parser.Feed("{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":-5}}\n"));
  AgentStreamParser none(AgentFormat::kNone);
  EXPECT_FALSE(none.Feed(Fixture("codex.jsonl")));
}

TEST(AgentStreamTest, FormatNames) {
  for (AgentFormat format : {AgentFormat::kNone, AgentFormat::kClaude, AgentFormat::kCodex, AgentFormat::kOpencode}) {
    EXPECT_EQ(ParseAgentFormat(AgentFormatName(format)), format);
  }
  EXPECT_FALSE(ParseAgentFormat("gemini").has_value());
}

}  // namespace
}  // namespace wsfleet::worker
