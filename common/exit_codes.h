#pragma once

// Exit codes of the wsfleet binary, documented in docs/user-guide.md; every command's
// folder (cli/, gpu/cli/) uses them.
namespace wsfleet {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // a command ran and something it ran failed
inline constexpr int kExitInvalidPlan = 2;  // the plan has errors (file:line messages)
inline constexpr int kExitUsage = 64;       // bad flags or arguments (sysexits EX_USAGE)
inline constexpr int kExitUnreachable = 68;  // no coordinator answered at the address (EX_NOHOST)
inline constexpr int kExitNoGpu = 69;       // no GPU to use here, or built without CUDA (EX_UNAVAILABLE)
inline constexpr int kExitBusy = 75;         // the coordinator cannot take it now; try again (EX_TEMPFAIL)

}  // namespace wsfleet
