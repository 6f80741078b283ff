// Event intake alone: fencing, sequence numbers, duplicates, and answers only on request.

#include "coordinator/event_intake.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/recording_output.h"

namespace wsfleet::coordinator {
namespace {

class EventIntakeTest : public ::testing::Test {
 protected:
  EventIntakeTest() {
    attempt_.attempt_id = "a1";
    attempt_.worker_id = "w1";
  }

  static v1::EventBatch Batch(const std::string& attempt, std::vector<uint64_t> seqs) {
    v1::EventBatch batch;
    for (uint64_t seq : seqs) {
      v1::Event& event = *batch.add_events();
      event.set_attempt_id(attempt);
      event.set_seq(seq);
    }
    return batch;
  }
  std::vector<uint64_t> AdmittedSeqs() {
    std::vector<uint64_t> seqs;
    for (const auto& admitted : intake_.Admit()) seqs.push_back(admitted.event.seq());
    return seqs;
  }
  std::vector<std::string> Answers() {
    output_.sent.clear();
    intake_.Answer(output_);
    std::vector<std::string> answers;
    for (const auto& [worker, message] : output_.sent) {
      answers.push_back(worker + (message.has_ack() ? " ack " + message.ack().attempt_id() + " " +
                                                          std::to_string(message.ack().seq())
                                                    : " reject " + message.reject().attempt_id()));
    }
    return answers;
  }

  AttemptRow attempt_;
  EventIntake intake_{[this](const std::string& worker, const v1::Event& event) -> AttemptRow* {
    return worker == attempt_.worker_id && event.attempt_id() == attempt_.attempt_id ? &attempt_ : nullptr;
  }};
  testing::RecordingOutput output_;
};

TEST_F(EventIntakeTest, NewEventsInOrderAreAdmittedAndAckedOnlyWhenAsked) {
  intake_.Queue("w1", Batch("a1", {1, 2}));
  intake_.Queue("w1", Batch("a1", {3}));
  EXPECT_EQ(AdmittedSeqs(), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(attempt_.stored_seq, 3u);
  EXPECT_TRUE(output_.sent.empty()) << "nothing is answered before it is stored";
  EXPECT_EQ(Answers(), std::vector<std::string>{"w1 ack a1 3"});
  EXPECT_TRUE(Answers().empty()) << "answered once";
}

TEST_F(EventIntakeTest, DuplicatesAreAckedAgainAndAGapWaitsForTheResend) {
  intake_.Queue("w1", Batch("a1", {1, 2}));
  AdmittedSeqs();
  intake_.Queue("w1", Batch("a1", {2, 4}));
  EXPECT_TRUE(AdmittedSeqs().empty());
  EXPECT_EQ(Answers(), std::vector<std::string>{"w1 ack a1 2"});
  EXPECT_EQ(intake_.counters().duplicate, 1u);
  EXPECT_EQ(intake_.counters().admitted, 2u);
}

TEST_F(EventIntakeTest, AnotherWorkersOrAnEndedAttemptsNewEventsAreRejected) {
  intake_.Queue("w2", Batch("a1", {1}));
  intake_.Queue("w1", Batch("gone", {1}));
  EXPECT_TRUE(AdmittedSeqs().empty());
  EXPECT_EQ(Answers(), (std::vector<std::string>{"w1 reject gone", "w2 reject a1"}));
  attempt_.stored_seq = 5;
  attempt_.finished = true;
  intake_.Queue("w1", Batch("a1", {5, 6}));
  EXPECT_TRUE(AdmittedSeqs().empty());
  EXPECT_EQ(Answers(), (std::vector<std::string>{"w1 ack a1 5", "w1 reject a1"}));
  EXPECT_EQ(intake_.counters().rejected, 3u);
}

// Found by a hostile client (issue 17): a NaN metric and an outcome that is none were
// stored and exported verbatim. Now nothing of such an event is kept; its attempt is told why.
TEST_F(EventIntakeTest, AMalformedEventIsRefusedWithTheReasonAndNothingOfItIsStored) {
  v1::EventBatch batch = Batch("a1", {1, 2});
  batch.mutable_events(1)->mutable_metric()->set_name("loss");
  batch.mutable_events(1)->mutable_metric()->set_value(std::nan(""));
  intake_.Queue("w1", std::move(batch));
  EXPECT_EQ(AdmittedSeqs(), (std::vector<uint64_t>{1}));
  EXPECT_EQ(attempt_.stored_seq, 1u);
  EXPECT_EQ(intake_.counters().invalid, 1u);
  output_.sent.clear();
  intake_.Answer(output_);
  bool told = false;
  for (const auto& [worker, message] : output_.sent) {
    if (message.has_reject()) {
      EXPECT_EQ(message.reject().reason(), "event 2 refused: metric loss is not a finite number");
      told = true;
    }
  }
  EXPECT_TRUE(told);
}

}  // namespace
}  // namespace wsfleet::coordinator
