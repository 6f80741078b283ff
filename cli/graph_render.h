#pragma once

#include <string>

#include "common/plan.h"

namespace wsfleet::cli {

// The dependency graph for Graphviz, Mermaid or tools; edges run from a dependency to
// the workstream that needs it, and the critical path is highlighted.
std::string RenderDot(const common::Plan& plan);
std::string RenderMermaid(const common::Plan& plan);
std::string RenderGraphJson(const common::Plan& plan);

}  // namespace wsfleet::cli
