#pragma once

namespace wsfleet::step_guard {

// `wsfleet-step-guard --serve FD`: one per worker, started once. For each request the
// worker writes to FD (guard_request.h) it forks a guard that runs the step as
// RunGuarded does (step_guard.h) and reports the guard's process ID, then its wait status,
// through the request's status pipe. Forking this small single-threaded process costs a
// fraction of what exec'ing a guard per step did: a new image pays the C library's start
// (its CPUID probes trap to the hypervisor on a VM: about 0.4 ms of CPU each). Returns when
// the worker closes FD (it is gone); the guards it started keep watching their fences.
int ServeSteps(int control_fd);

}  // namespace wsfleet::step_guard
