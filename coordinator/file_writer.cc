#include "coordinator/file_writer.h"

#include "coordinator/summary_writer.h"

namespace wsfleet::coordinator {

FileWriter::FileWriter(Warn warn) : warn_(std::move(warn)), thread_([this] { Run(); }) {}

FileWriter::~FileWriter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void FileWriter::Write(std::string path, std::string contents) {
  WriteRendered(std::move(path), [contents = std::move(contents)] { return contents; });
}

void FileWriter::WriteRendered(std::string path, Render render) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto [entry, added] = queued_.insert_or_assign(path, std::move(render));
    if (added) order_.push_back(std::move(path));
  }
  changed_.notify_all();
}

void FileWriter::Drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return order_.empty() && !writing_; });
}

void FileWriter::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !order_.empty(); });
    if (order_.empty()) return;  // stopping, and everything is written
    std::string path = std::move(order_.front());
    order_.pop_front();
    auto found = queued_.find(path);
    Render render = std::move(found->second);
    queued_.erase(found);
    writing_ = true;
    lock.unlock();
    absl::Status status = WriteFileAtomically(path, render());
    if (!status.ok() && warn_) warn_(std::string(status.message()));
    lock.lock();
    writing_ = false;
    changed_.notify_all();
  }
}

}  // namespace wsfleet::coordinator
