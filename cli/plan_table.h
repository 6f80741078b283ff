#pragma once

#include <string>

#include "common/plan.h"

namespace wsfleet::cli {

// "3-4d", "1d", "0-1d", "0.25-0.5d": a day range for tables.
std::string FormatDays(const common::DayRange& range);

// The `wsfleet plan` table and its summary lines.
std::string RenderPlanTable(const common::Plan& plan);

}  // namespace wsfleet::cli
