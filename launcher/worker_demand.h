#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/workstream.h"

// What a launcher is asked for: workers of given shapes, for ready work the fleet present
// cannot place. Plain data, made by the coordinator's loop.
namespace wsfleet::launcher {

// What one worker job must offer. Work is grouped by shape: each shape is a kind of job.
struct WorkerShape {
  uint32_t gpus = 0;  // per node
  int nodes = 1;      // more than one: a gang's job, one worker per node
  // The job's time limit; zero: the partition's default.
  std::chrono::minutes time_limit{0};
  // The card's Labels: its job's nodes must have them (as engine node features) and its
  // worker then advertises them.
  std::map<std::string, std::string> labels;
  // The card's Environment needs, each as "arch=arm64", "gpu=GB10", "os=ubuntu 22.04",
  // "cuda>=13.0", "python>=3.10", "rust>=1.70" (hints left out): what an engine may
  // turn into node features; the worker's own probe checks them all when it joins.
  std::vector<std::string> environment;

  std::string Key() const;  // equal for equal shapes
  std::string Describe() const;  // "2 GPUs on each of 2 nodes, 90 min, rack=a, arch=arm64"
  bool operator==(const WorkerShape& other) const { return Key() == other.Key(); }
};

// The worker a card needs: its GPUs and nodes, labels and environment; its time from the card's step timeout (every
// step, a margin for the worker to start and leave), else the partition's default (a card's
// Duration is days of planned work, not a run time, and would exceed most partitions'
// limits).
WorkerShape ShapeOf(const common::Workstream& card);

// How an Environment need reads in a shape ("arch=arm64", "cuda>=13.0"); empty for a hint.
std::string EnvironmentConstraint(const common::EnvironmentNeed& need);

// Ready work of one shape that the workers present cannot take now.
struct Demand {
  WorkerShape shape;
  int workstreams = 0;  // gangs count once
};

}  // namespace wsfleet::launcher
