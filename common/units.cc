#include "common/units.h"

#include <array>
#include <utility>

#include "common/text.h"

namespace wsfleet::common {
namespace {

using D = Unit::Dimension;

struct Known {
  std::string_view text;
  D dimension;
  double factor;
};

constexpr double kKi = 1024.0, kMi = kKi * 1024, kGi = kMi * 1024, kTi = kGi * 1024;

// Written forms, exact case first (SI byte prefixes), then lower-cased.
constexpr std::array kExact = {
    Known{"B", D::kBytes, 1},     Known{"KB", D::kBytes, 1e3},  Known{"kB", D::kBytes, 1e3},
    Known{"MB", D::kBytes, 1e6},  Known{"GB", D::kBytes, 1e9},  Known{"TB", D::kBytes, 1e12},
    Known{"KiB", D::kBytes, kKi}, Known{"MiB", D::kBytes, kMi}, Known{"GiB", D::kBytes, kGi},
    Known{"TiB", D::kBytes, kTi},
};
constexpr std::array kLower = {
    Known{"ns", D::kTime, 1e-9},     Known{"us", D::kTime, 1e-6},       Known{"µs", D::kTime, 1e-6},
    Known{"μs", D::kTime, 1e-6},     Known{"ms", D::kTime, 1e-3},       Known{"s", D::kTime, 1},
    Known{"sec", D::kTime, 1},       Known{"secs", D::kTime, 1},        Known{"second", D::kTime, 1},
    Known{"seconds", D::kTime, 1},   Known{"min", D::kTime, 60},        Known{"mins", D::kTime, 60},
    Known{"minute", D::kTime, 60},   Known{"minutes", D::kTime, 60},    Known{"h", D::kTime, 3600},
    Known{"hr", D::kTime, 3600},     Known{"hrs", D::kTime, 3600},      Known{"hour", D::kTime, 3600},
    Known{"hours", D::kTime, 3600},  Known{"bytes", D::kBytes, 1},      Known{"byte", D::kBytes, 1},
    Known{"%", D::kPercent, 1},      Known{"percent", D::kPercent, 1},  Known{"pct", D::kPercent, 1},
    Known{"x", D::kRatio, 1},        Known{"×", D::kRatio, 1},          Known{"times", D::kRatio, 1},
};
// Metric-name suffixes (lower case) that are rates or sizes by convention.
constexpr std::array kNameSuffixes = {
    Known{"gbps", D::kByteRate, 1e9}, Known{"mbps", D::kByteRate, 1e6}, Known{"kbps", D::kByteRate, 1e3},
    Known{"gibps", D::kByteRate, kGi}, Known{"mibps", D::kByteRate, kMi},
    Known{"rps", D::kRate, 1},        Known{"qps", D::kRate, 1},        Known{"ops", D::kRate, 1},
    Known{"gb", D::kBytes, 1e9},      Known{"mb", D::kBytes, 1e6},      Known{"kb", D::kBytes, 1e3},
    Known{"gib", D::kBytes, kGi},     Known{"mib", D::kBytes, kMi},     Known{"kib", D::kBytes, kKi},
};

std::optional<Unit> Plain(std::string_view text) {
  for (const Known& known : kExact) {
    if (text == known.text) return Unit{known.dimension, known.factor, std::string(text)};
  }
  std::string lower = ToLower(text);
  for (const Known& known : kLower) {
    if (lower == known.text) return Unit{known.dimension, known.factor, std::string(text)};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Unit> ParseUnit(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view per = text.substr(slash + 1);
    if (per != "s" && per != "sec" && per != "second") return std::nullopt;
    std::optional<Unit> numerator = Plain(text.substr(0, slash));
    if (numerator && numerator->dimension == D::kBytes) {
      return Unit{D::kByteRate, numerator->factor, std::string(text)};
    }
    // "req/s", "ops/s", "tokens/s", "images/s": counts of something per second.
    std::string_view what = text.substr(0, slash);
    if (what.empty() || numerator) return std::nullopt;
    for (char c : what) {
      if (!IsAsciiAlpha(c)) return std::nullopt;
    }
    return Unit{D::kRate, 1, std::string(text)};
  }
  return Plain(text);
}

std::optional<Unit> UnitOfMetricName(std::string_view name) {
  size_t underscore = name.rfind('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  std::string suffix = ToLower(name.substr(underscore + 1));
  for (const Known& known : kNameSuffixes) {
    if (suffix == known.text) return Unit{known.dimension, known.factor, suffix};
  }
  // Of the plain units only those a name's last word cannot mean otherwise ("_min" is a
  // minimum, "_h" anything).
  for (std::string_view unit : {"ns", "us", "ms", "s", "sec", "seconds", "bytes", "percent", "pct", "x"}) {
    if (suffix != unit) continue;
    std::optional<Unit> plain = Plain(suffix);
    if (plain && plain->dimension == D::kPercent) plain->text.assign(1, '%');  // as people write it
    return plain;
  }
  return std::nullopt;
}

}  // namespace wsfleet::common
