#pragma once

#include <nlohmann/json.hpp>

#include "common/plan.h"

namespace wsfleet::cli {

// The stable JSON form of a plan (schema in docs/card-format.md).
nlohmann::ordered_json PlanToJson(const common::Plan& plan);

// "not_started", "in_progress", ...: the status as a JSON value.
const char* StatusKey(common::WorkstreamStatus status);

}  // namespace wsfleet::cli
