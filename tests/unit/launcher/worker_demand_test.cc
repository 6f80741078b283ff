#include "launcher/worker_demand.h"

#include <gtest/gtest.h>

#include "common/environment.h"

namespace wsfleet::launcher {
namespace {

common::Workstream DgxSparkCard() {
  common::Workstream card;
  card.gpus = 1;
  card.timeout_seconds = 600;
  card.steps.resize(2);
  card.labels = {{"rack", "a"}};
  for (auto [key, value] : {std::pair{"Hardware", "DGX-Spark GB10"}, {"OS", "Ubuntu 22.04 (ARM64)"},
                            {"CUDA", "13.0"}, {"Python", "3.10+"}, {"Node.js", "20 (if applicable)"}}) {
    for (common::EnvironmentNeed& need : common::ReadEnvironmentLine(key, value, {})) {
      card.environment.push_back(std::move(need));
    }
  }
  return card;
}

TEST(WorkerDemandTest, AShapeCarriesTheCardsLabelsAndEnvironmentButNotItsHints) {
  WorkerShape shape = ShapeOf(DgxSparkCard());
  EXPECT_EQ(shape.gpus, 1u);
  EXPECT_EQ(shape.time_limit, std::chrono::minutes(30)) << "600 s for each of 2 steps and 10 min to start and leave";
  EXPECT_EQ(shape.labels, (std::map<std::string, std::string>{{"rack", "a"}}));
  EXPECT_EQ(shape.environment,
            (std::vector<std::string>{"gpu=GB10", "os=ubuntu 22.04", "arch=arm64", "cuda>=13.0", "python>=3.10"}));
  common::Workstream plain = DgxSparkCard();
  plain.environment.clear();
  EXPECT_NE(ShapeOf(plain).Key(), shape.Key()) << "work with other needs takes other jobs' workers";
}

}  // namespace
}  // namespace wsfleet::launcher
