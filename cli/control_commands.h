#pragma once

#include <string>
#include <vector>

#include "cli/client_channel.h"
#include "coordinator/state_store.h"

namespace wsfleet::cli {


// `limits`: how the plan shares the fleet with other plans (--share, --max-gpus, --max-workers).
int SubmitCommand(const ClientOptions& client, const std::vector<std::string>& paths, bool keep_going,
                  const coordinator::PlanLimits& limits);
int StatusCommand(const ClientOptions& client);
// `status --watch`: follows the plan to its end (the live view on a terminal, a line per
// change otherwise), then its table; exits 0 when every workstream succeeded, 1 if not.
int WatchStatusCommand(const ClientOptions& client);
int WorkersCommand(const ClientOptions& client);
int LogsCommand(const ClientOptions& client, const std::string& workstream, bool follow);
int CancelCommand(const ClientOptions& client, const std::string& workstream, bool all);
// One FAILED or CANCELLED workstream; with `failed`, every FAILED, CANCELLED and BLOCKED
// one and what depends on them (and `workstream`, if given, with its dependents).
int RetryCommand(const ClientOptions& client, const std::string& workstream, bool failed);
int DrainCommand(const ClientOptions& client, const std::string& worker);
// The plans the coordinator holds: progress, share of the fleet, spend, what is left.
int PlansCommand(const ClientOptions& client);
// `wsfleet ui`: prints a URL that signs its opener in to the coordinator's plan page, once.
int UiCommand(const ClientOptions& client);
// The page's URL as the coordinator gives it, a wildcard host (0.0.0.0, [::]) replaced by the
// host of `coordinator` (the address the client dialled; 127.0.0.1 for a unix socket).
std::string PageUrlFor(const std::string& url, const std::string& coordinator);

}  // namespace wsfleet::cli
