#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace wsfleet::coordinator {

// Writes files on its own thread, each temp + rename (WriteFileAtomically, no fsync: they
// are rewritten from the store when a coordinator opens the state), so the loop thread
// never waits on the disk for derived files (summaries, reports), nor renders them: it
// hands over their contents or a renderer over a snapshot. A newer version of a file not
// yet written replaces the older one (whose renderer never runs). Errors go to `warn`, on
// the writer's thread. Write(), WriteRendered() and Drain() from any thread.
class FileWriter {
 public:
  using Warn = std::function<void(const std::string& message)>;
  explicit FileWriter(Warn warn);
  ~FileWriter();  // writes what is queued, then stops

  using Render = std::function<std::string()>;
  void Write(std::string path, std::string contents);
  // `render` runs on the writer's thread: it must own what it reads.
  void WriteRendered(std::string path, Render render);
  // Returns once everything queued before the call is on disk.
  void Drain();

 private:
  void Run();

  Warn warn_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> order_;             // paths, oldest first
  std::map<std::string, Render> queued_;  // path -> its newest contents
  bool writing_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wsfleet::coordinator
