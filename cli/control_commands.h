#pragma once

#include <string>
#include <vector>

namespace wsfleet::cli {

// What every client command needs: where the coordinator is.
struct ClientOptions {
  std::string coordinator;  // default: $WSFLEET_COORDINATOR, else unix:.wsfleet/coordinator.sock
  std::string output = "table";
};

int SubmitCommand(const ClientOptions& client, const std::vector<std::string>& paths,
                  bool keep_going);
int StatusCommand(const ClientOptions& client);
int WorkersCommand(const ClientOptions& client);
int LogsCommand(const ClientOptions& client, const std::string& workstream, bool follow);
int CancelCommand(const ClientOptions& client, const std::string& workstream, bool all);
int RetryCommand(const ClientOptions& client, const std::string& workstream);
int DrainCommand(const ClientOptions& client, const std::string& worker);

}  // namespace wsfleet::cli
