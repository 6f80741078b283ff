// What an NCCL program does with wsfleet's rendezvous, without the GPU: rank 0 creates the
// unique ID (128 opaque bytes, as ncclGetUniqueId does) and puts it; every rank, rank 0
// included, gets it. Each rank writes what it got to OUT_DIR/rank-<node rank>.bin, for the
// test to compare, and reports its size as a METRIC line.
//
// usage: rendezvous_blob OUT_DIR

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "rendezvous/client.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rendezvous_blob OUT_DIR\n";
    return 64;
  }
  const char* rank_text = std::getenv("WSFLEET_NODE_RANK");
  int rank = rank_text != nullptr ? std::atoi(rank_text) : -1;
  absl::StatusOr<std::string> socket = wsfleet::rendezvous::SocketFromEnvironment();
  if (rank < 0 || !socket.ok()) {
    std::cerr << "not a rank of a wsfleet gang: " << socket.status() << "\n";
    return 64;
  }
  if (rank == 0) {
    std::string id(128, '\0');
    std::ifstream random("/dev/urandom", std::ios::binary);
    random.read(id.data(), static_cast<std::streamsize>(id.size()));
    std::ofstream(std::string(argv[1]) + "/created.bin", std::ios::binary) << id;
    if (absl::Status put = wsfleet::rendezvous::Put(*socket, "nccl-id", id); !put.ok()) {
      std::cerr << "put: " << put << "\n";
      return 1;
    }
  }
  absl::StatusOr<std::string> id =
      wsfleet::rendezvous::Get(*socket, "nccl-id", std::chrono::seconds(60));
  if (!id.ok()) {
    std::cerr << "rank " << rank << ": get: " << id.status() << "\n";
    return 1;
  }
  std::ofstream(std::string(argv[1]) + "/rank-" + std::to_string(rank) + ".bin", std::ios::binary)
      << *id;
  std::printf("rank %d has the id\nMETRIC rendezvous_bytes=%zu B\n", rank, id->size());
  return 0;
}
