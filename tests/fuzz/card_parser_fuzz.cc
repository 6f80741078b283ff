// libFuzzer target: any bytes as a card file, through the same path `wsfleet plan` takes
// (text check, markdown parse, card building, DAG validation). Must never crash or hang.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/plan_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wsfleet::common::LoadOptions options;
  options.parse_threads = 1;
  std::string text(reinterpret_cast<const char*>(data), size);
  wsfleet::common::AssemblePlan({{"fuzz.md", std::move(text)}}, options);
  return 0;
}
