#pragma once

#include <cstdint>

#include "wsfleet/v1/types.pb.h"

namespace wsfleet::rpc {

// How much output a chunk stands for: the bytes it carries, or the range of the attempt's
// log it names (written there by a worker on the coordinator's machine).
inline uint64_t ChunkBytes(const v1::LogChunk& chunk) {
  return chunk.in_file() ? chunk.length() : chunk.data().size();
}

}  // namespace wsfleet::rpc
