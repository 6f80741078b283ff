#pragma once

#include <sys/types.h>

#include <mutex>
#include <string>

#include "step_guard/guard_request.h"

namespace wsfleet::worker {

// Starts steps under their guards through one `wsfleet-step-guard --serve` per worker
// (step_guard/guard_server.h), started on the first step and again whenever it has gone.
// The guard of each step is the server's child, not the worker's: its process ID comes
// back through a status pipe, and so does its wait status when it ends. Thread-safe.
class GuardLauncher {
 public:
  explicit GuardLauncher(std::string guard_path) : guard_path_(std::move(guard_path)) {}
  ~GuardLauncher();  // the server exits when its socket closes, and is reaped
  GuardLauncher(const GuardLauncher&) = delete;
  GuardLauncher& operator=(const GuardLauncher&) = delete;

  struct Started {
    int error = 0;        // errno: the guard did not start (nor did the step)
    pid_t pid = 0;        // the guard: leads the step's process group
    int status_fd = -1;   // for WaitStatus; the caller closes it
  };
  // The guard gets `out`, `err` and `fence` as its stdout, stderr and fd 3.
  Started Launch(const step_guard::GuardRequest& request, int out, int err, int fence);

  // The guard's wait status, once it ends (blocks until then), and whether it left nothing
  // of the step running (`swept`: it said so itself; else the server saw it die). False
  // when neither could say (the server and the guard both gone).
  static bool WaitStatus(int status_fd, int& status, bool& swept);

  pid_t server_pid() const;

 private:
  int StartServer();  // errno; with mutex_ held
  void StopServer();  // with mutex_ held

  const std::string guard_path_;
  mutable std::mutex mutex_;
  int socket_ = -1;
  pid_t server_ = 0;
};

}  // namespace wsfleet::worker
