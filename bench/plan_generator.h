#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/plan_loader.h"

namespace wsfleet::bench {

// Generates a plan of `count` cards in the seed template's format with a random DAG
// (each card depends on up to three earlier ones, written in every style the parser
// accepts). Deterministic for a given seed.
std::vector<common::SourceFile> GeneratePlan(int count, uint32_t seed = 42);

// Writes the generated cards as <dir>/wsNNNNN-card/README.md.
void WritePlan(const std::vector<common::SourceFile>& cards, const std::string& dir);

}  // namespace wsfleet::bench
