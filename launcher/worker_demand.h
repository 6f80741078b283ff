#pragma once

#include <chrono>
#include <cstdint>
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
  // Slurm node features (--constraint) the work's Labels and Environment ask for.
  std::vector<std::string> constraints;

  std::string Key() const;  // equal for equal shapes
  std::string Describe() const;  // "2 GPUs, 2 nodes, 90 min"
  bool operator==(const WorkerShape& other) const { return Key() == other.Key(); }
};

// The worker a card needs: its GPUs and nodes; its time from the card's step timeout (every
// step, a margin for the worker to start and leave), else the partition's default (a card's
// Duration is days of planned work, not a run time, and would exceed most partitions'
// limits).
WorkerShape ShapeOf(const common::Workstream& card);

// Ready work of one shape that the workers present cannot take now.
struct Demand {
  WorkerShape shape;
  int workstreams = 0;  // gangs count once
};

}  // namespace wsfleet::launcher
