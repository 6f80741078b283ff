// Criteria as people write them in real plans, judged against reported metrics: each
// operator, unit and ambiguity, and what stays for a person to review.

#include "common/prose_criterion.h"

#include <gtest/gtest.h>

#include "common/criteria.h"

namespace wsfleet::common {
namespace {

using Metrics = std::map<std::string, double>;

struct Case {
  const char* text;
  Metrics metrics;
  Verdict verdict;
  const char* detail;  // a part of the verdict's detail ("" : not checked)
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.text; }

class ProseCorpusTest : public ::testing::TestWithParam<Case> {};

TEST_P(ProseCorpusTest, JudgesAsAPersonWould) {
  const Case& c = GetParam();
  Criterion criterion;
  criterion.text = c.text;
  CriterionVerdict verdict = Judge(criterion, c.metrics);
  EXPECT_EQ(VerdictName(verdict.verdict), std::string(VerdictName(c.verdict))) << verdict.detail;
  EXPECT_NE(verdict.detail.find(c.detail), std::string::npos) << verdict.detail;
}

constexpr Verdict P = Verdict::kPass, F = Verdict::kFail, U = Verdict::kUnverified;

INSTANTIATE_TEST_SUITE_P(Corpus, ProseCorpusTest, ::testing::Values(
    // The issue's own examples.
    Case{"p99 latency < 50 ms", {{"p99_latency_ms", 75}}, F, "p99_latency_ms = 75 ms (wanted < 50 ms)"},
    Case{"p99 latency < 50 ms", {{"p99_latency_ms", 31}}, P, "p99_latency_ms = 31 ms"},
    Case{"Throughput > 1000 req/s", {{"throughput_rps", 1200}}, P, "throughput_rps = 1200"},
    Case{"Throughput > 1000 req/s", {{"throughput_rps", 900}}, F, "wanted > 1000 req/s"},
    Case{"Test coverage ≥ 80%", {{"coverage_line_percent", 86.5}}, P, "coverage_line_percent = 86.5"},
    Case{"Test coverage ≥ 80%", {{"coverage_line_percent", 61}}, F, "wanted >= 80 %"},
    Case{"Branch coverage ≥ 70%", {{"coverage_line_percent", 90}, {"coverage_branch_percent", 65}}, F,
         "coverage_branch_percent = 65"},
    Case{"Test coverage ≥ 80%", {{"coverage_line_percent", 90}, {"coverage_branch_percent", 65}}, P,
         "coverage_line_percent = 90"},
    // Symbols.
    Case{"Error rate <= 0.1%", {{"error_rate_percent", 0.1}}, P, ""},
    Case{"Error rate < 0.1%", {{"error_rate_percent", 0.1}}, F, ""},
    Case{"Queue depth ≤ 8", {{"queue_depth", 8}}, P, "queue_depth = 8"},
    Case{"Peak memory >= 2 GiB", {{"peak_memory_bytes", 3.0 * 1024 * 1024 * 1024}}, P, ""},
    Case{"Retries = 0", {{"retries", 0}}, P, "retries = 0"},
    Case{"Retries == 0", {{"retries", 2}}, F, ""},
    Case{"Dropped frames != 0 is a bug; dropped frames = 0", {{"dropped_frames", 0}}, F, "wanted != 0"},
    Case{"Warm start > 10x faster: speedup > 10x", {{"speedup_x", 12}}, P, ""},
    // Words.
    Case{"Startup takes at least 0 and at most 2 s", {{"startup_s", 1}}, P, "wanted >= 0"},
    Case{"Startup time at most 2 s", {{"startup_time_s", 2.5}}, F, "wanted <= 2 s"},
    Case{"Build time under 5 minutes", {{"build_time_s", 240}}, P, "build_time_s = 240 s (wanted < 5 minutes)"},
    Case{"Build time under 5 minutes", {{"build_time_s", 360}}, F, ""},
    Case{"Inference latency below 20ms on GB10", {{"inference_latency_ms", 18}}, P, ""},
    Case{"GPU utilisation over 90%", {{"gpu_utilisation_percent", 95}}, P, ""},
    Case{"GPU utilisation above 90 percent", {{"gpu_utilisation_percent", 85}}, F, ""},
    Case{"GPU utilization over 90%", {{"gpu_util_percent", 95}}, P, "gpu_util_percent = 95"},
    Case{"Memory bandwidth at least 200 GB/s", {{"mem_bw_gbps", 210}}, P, ""},
    Case{"Latency less than 100 µs", {{"latency_us", 80}}, P, ""},
    Case{"Latency less than 100 us", {{"latency_ns", 120000}}, F, "latency_ns = 120000 ns"},
    Case{"Memory bandwidth more than 250 GB/s", {{"membw_gbps", 251.5}}, P, "membw_gbps = 251.5 gbps"},
    Case{"Memory bandwidth greater than 250 GB/s", {{"membw_gbps", 249}}, F, ""},
    Case{"All-reduce bus bandwidth higher than 40 GB/s", {{"allreduce_busbw_gbps", 41}}, P, ""},
    Case{"Flakes fewer than 2", {{"flakes", 3}}, F, ""},
    Case{"Cold start lower than 3 seconds", {{"cold_start_ms", 2500}}, P, "cold_start_ms = 2500 ms (wanted < 3 seconds)"},
    Case{"Warnings: no more than 5", {{"warnings", 5}}, P, ""},
    Case{"Binary size no more than 20 MB", {{"binary_size_bytes", 25e6}}, F, ""},
    Case{"Accuracy no less than 95%", {{"accuracy_percent", 97}}, P, ""},
    Case{"Tokens per second not less than 40 tokens/s", {{"tokens_per_second_rps", 35}}, F, ""},
    Case{"Recall at least 0.9", {{"recall", 0.93}}, P, "recall = 0.93"},
    Case{"Job finishes within 2 hours", {{"job_s", 5400}}, P, ""},
    Case{"Job finishes within 2 hours", {{"job_s", 9000}}, F, ""},
    Case{"Checkpoint size up to 4 GiB", {{"checkpoint_size_gib", 3.5}}, P, ""},
    Case{"Ingest exceeds 500 MB/s", {{"ingest_mbps", 650}}, P, ""},
    Case{"Ingest exceeds 0.5 GB/s", {{"ingest_mbps", 450}}, F, "wanted > 0.5 GB/s"},
    Case{"Loss equals 0", {{"loss", 0}}, P, ""},
    Case{"Requests handled: more than 1,000,000", {{"requests_handled", 1'200'000}}, P, "wanted > 1e+06"},
    Case{"Handles over 10,000 req/s sustained", {{"handles_rps", 9000}}, F, ""},
    Case{"Test pass rate ≥ 99.5%", {{"test_pass_rate_percent", 100}}, P, ""},
    Case{"tests: at least 40 unit tests", {{"unit_tests", 42}}, P, ""},
    Case{"Embedding dim = 768", {{"embedding_dim", 768}}, P, ""},
    Case{"Scaling efficiency over 0.8 across 2 nodes", {{"scaling_efficiency", 0.85}}, P, ""},
    Case{"Time to first token under 300 ms", {{"time_to_first_token_ms", 280}}, P, ""},
    Case{"P95 latency under 1s", {{"p95_latency_s", 0.8}}, P, ""},
    Case{"GEMM throughput ≥ 400 TFLOPS", {{"gemm_tflops", 420}}, P, "gemm_tflops = 420"},
    // A card that names its metric.
    Case{"p99 latency < 50 ms (metric: p99_ms)", {{"p99_ms", 40}, {"p99_latency_ms", 90}}, P, "p99_ms = 40"},
    Case{"Fast enough: < 50 ms (metric: `p99_ms`)", {{"p99_ms", 60}}, F, "p99_ms = 60"},
    Case{"p99 latency < 50 ms (metric: p99_ms)", {{"p99_latency_ms", 40}}, U, "no step reported METRIC p99_ms"},
    // Ambiguity and absence: left for a person, with the reason.
    Case{"Latency < 50 ms", {{"latency_ms", 40}, {"latency_s", 0.04}}, U, "two metrics could match: latency_ms and latency_s"},
    Case{"Read and write bandwidth > 10 GB/s", {{"read_bandwidth_gbps", 12}, {"write_bandwidth_gbps", 11}}, U,
         "two metrics could match"},
    Case{"p99 latency < 50 ms", {{"throughput_rps", 10}}, U, "no reported metric matches its words (reported: throughput_rps)"},
    Case{"p99 latency < 50 ms", {}, U, "no step reported a metric"},
    Case{"Latency < 50 ms", {{"latency_gbps", 1}}, U, "no reported metric matches"},  // a rate is no time
    Case{"Code review completed", {{"review", 1}}, U, "no comparison"},
    Case{"Documentation complete", {}, U, "no comparison"},
    Case{"Criterion 1: Specific, testable requirement", {{"criterion", 1}}, U, "no comparison"},
    Case{"Supports the 3 main platforms", {{"platforms", 3}}, U, "no comparison"},
    Case{"Handles over-long lines", {{"lines", 3}}, U, "no comparison"},
    // The most specific name wins over a general one whose words are also there.
    Case{"p99 latency < 50 ms", {{"latency_ms", 10}, {"p99_latency_ms", 70}}, F, "p99_latency_ms = 70"},
    // A unit in the metric's METRIC line but not its name: the criterion's is assumed.
    Case{"Throughput > 1000 req/s", {{"throughput", 1500}}, P, "throughput = 1500 req/s"}));

TEST(ProseComparisonTest, ReadsTheOperatorNumberAndUnit) {
  std::optional<ProseComparison> c = ParseProseComparison("✅ Throughput at least 1,000 req/s under load");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->op, CompareOp::kGreaterEqual);
  EXPECT_DOUBLE_EQ(c->value, 1000);
  ASSERT_TRUE(c->unit);
  EXPECT_EQ(c->unit->dimension, Unit::Dimension::kRate);
  c = ParseProseComparison("Temperature above -5 C");
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->value, -5);
  EXPECT_FALSE(c->unit);
  EXPECT_FALSE(ParseProseComparison("under review"));
  EXPECT_FALSE(ParseProseComparison("a <b> tag"));
}

TEST(UnitsTest, ConvertToOneBase) {
  EXPECT_DOUBLE_EQ(ParseUnit("ms")->factor, 1e-3);
  EXPECT_DOUBLE_EQ(ParseUnit("MiB")->factor, 1024.0 * 1024);
  EXPECT_EQ(ParseUnit("GB/s")->dimension, Unit::Dimension::kByteRate);
  EXPECT_EQ(ParseUnit("ops/s")->dimension, Unit::Dimension::kRate);
  EXPECT_FALSE(ParseUnit("Mb"));
  EXPECT_FALSE(ParseUnit("lines"));
  EXPECT_FALSE(UnitOfMetricName("latency_min"));  // a minimum, not minutes
  EXPECT_DOUBLE_EQ(UnitOfMetricName("membw_gbps")->factor, 1e9);
}

}  // namespace
}  // namespace wsfleet::common
