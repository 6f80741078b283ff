#pragma once

#include <functional>

namespace wsfleet::common {

// Where work is posted to run on a component's one thread (its loop): from any thread.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void Post(std::function<void()> task) = 0;
};

}  // namespace wsfleet::common
