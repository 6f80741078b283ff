#pragma once

#include <string>
#include <vector>

#include "cli/client_channel.h"

namespace wsfleet::cli {


int SubmitCommand(const ClientOptions& client, const std::vector<std::string>& paths,
                  bool keep_going);
int StatusCommand(const ClientOptions& client);
int WorkersCommand(const ClientOptions& client);
int LogsCommand(const ClientOptions& client, const std::string& workstream, bool follow);
int CancelCommand(const ClientOptions& client, const std::string& workstream, bool all);
// One FAILED or CANCELLED workstream; with `failed`, every FAILED, CANCELLED and BLOCKED
// one and what depends on them (and `workstream`, if given, with its dependents).
int RetryCommand(const ClientOptions& client, const std::string& workstream, bool failed);
int DrainCommand(const ClientOptions& client, const std::string& worker);

}  // namespace wsfleet::cli
