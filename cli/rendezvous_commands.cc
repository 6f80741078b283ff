#include "cli/rendezvous_commands.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "common/exit_codes.h"
#include "rendezvous/client.h"
#include "rendezvous/wire.h"

namespace wsfleet::cli {
namespace {

struct RendezvousOptions {
  std::string key;
  std::string file;  // put: read the value from here; get: write it here ("-": stdout/stdin)
  double timeout_seconds = 300;
};

int Fail(const std::string& message, int code) {
  std::cerr << "wsfleet rendezvous: " << message << "\n";
  return code;
}

int PutCommand(const RendezvousOptions& options) {
  absl::StatusOr<std::string> socket = rendezvous::SocketFromEnvironment();
  if (!socket.ok()) return Fail(std::string(socket.status().message()), kExitUsage);
  std::string value;
  if (options.file == "-") {
    value.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(options.file, std::ios::binary);
    if (!in) return Fail("cannot read " + options.file, kExitUsage);
    value.assign(std::istreambuf_iterator<char>(in), {});
  }
  absl::Status status = rendezvous::Put(*socket, options.key, value);
  if (status.code() == absl::StatusCode::kInvalidArgument) return Fail(std::string(status.message()), kExitUsage);
  if (!status.ok()) return Fail(std::string(status.message()), kExitFailed);
  return kExitOk;
}

int GetCommand(const RendezvousOptions& options) {
  absl::StatusOr<std::string> socket = rendezvous::SocketFromEnvironment();
  if (!socket.ok()) return Fail(std::string(socket.status().message()), kExitUsage);
  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(std::llround(options.timeout_seconds * 1000)));
  absl::StatusOr<std::string> value = rendezvous::Get(*socket, options.key, timeout);
  if (value.status().code() == absl::StatusCode::kInvalidArgument) {
    return Fail(std::string(value.status().message()), kExitUsage);
  }
  if (!value.ok()) return Fail(std::string(value.status().message()), kExitFailed);
  if (options.file == "-") {
    std::cout.write(value->data(), static_cast<std::streamsize>(value->size()));
    std::cout.flush();
    return std::cout ? kExitOk : Fail("cannot write to stdout", kExitFailed);
  }
  std::ofstream out(options.file, std::ios::binary | std::ios::trunc);
  out.write(value->data(), static_cast<std::streamsize>(value->size()));
  out.close();
  return out ? kExitOk : Fail("cannot write " + options.file, kExitFailed);
}

}  // namespace

void AddRendezvousCommands(CLI::App& app, std::function<int()>& run) {
  auto options = std::make_shared<RendezvousOptions>();
  CLI::App* rendezvous = app.add_subcommand(
      "rendezvous", "Exchange values with the other ranks of this attempt's gang (inside a step)");
  rendezvous->require_subcommand(1);
  rendezvous->footer(
      "Only inside the steps of a multi-node card (Nodes: N) or of one with GPUs, where\n"
      "$WSFLEET_RENDEZVOUS names the worker's socket. A value (at most 64 KiB) put by one rank\n"
      "reaches every rank of the gang through the coordinator; a key's first value stands.");

  CLI::App* put = rendezvous->add_subcommand("put", "Publish KEY's value to every rank of the gang");
  put->add_option("key", options->key, "1-64 of A-Z a-z 0-9 . _ -")->required();
  put->add_option("--file,-f", options->file, "Read the value from FILE ('-': standard input)")
      ->default_val("-");
  put->callback([&run, options] { run = [options] { return PutCommand(*options); }; });

  CLI::App* get = rendezvous->add_subcommand("get", "Wait for KEY's value and write it out");
  get->add_option("key", options->key, "1-64 of A-Z a-z 0-9 . _ -")->required();
  get->add_option("--output,-o", options->file, "Write the value to FILE ('-': standard output)")
      ->default_val("-");
  get->add_option("--timeout", options->timeout_seconds,
                  "Seconds to wait for the value (then exit 1)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  get->callback([&run, options] { run = [options] { return GetCommand(*options); }; });
}

}  // namespace wsfleet::cli
