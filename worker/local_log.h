#pragma once

#include <mutex>
#include <string>

#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// A worker on the coordinator's machine appends its attempt's output to the attempt's log
// (and its agent's transcript) in the coordinator's state directory itself, and sends
// where the bytes are instead of the bytes: a copy of each byte in the page cache instead
// of the copies through the outbox, protobuf and a socket both ways. The coordinator makes
// the files durable before it stores the events that name them.
//
// A write that fails turns it off for good: that chunk and every later one carry their
// bytes as before, and the coordinator appends them after what is already in the file
// (the file's length, not this object's count, decides where the coordinator writes).
// Any thread.
class LocalLog {
 public:
  LocalLog(std::string log_path, std::string transcript_path);
  ~LocalLog();
  LocalLog(const LocalLog&) = delete;
  LocalLog& operator=(const LocalLog&) = delete;

  // Appends `chunk`'s bytes and makes it name them (in_file, offset, length, no data);
  // false (and `chunk` untouched) once writing has failed.
  bool Take(v1::LogChunk& chunk);

 private:
  bool Open(const std::string& path, int& fd, uint64_t* size);
  bool Append(int fd, const std::string& data);

  std::mutex mutex_;
  std::string log_path_, transcript_path_;
  int log_fd_ = -1, transcript_fd_ = -1;
  uint64_t log_size_ = 0;
  bool failed_ = false;
};

}  // namespace wsfleet::worker
