#include "worker/outbox.h"

#include <filesystem>
#include <fstream>

namespace wsfleet::worker {
namespace {

void AppendFramed(const std::string& path, const v1::Event& event) {
  std::string bytes = event.SerializeAsString();
  uint32_t length = static_cast<uint32_t>(bytes.size());
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(&length), sizeof length);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

Outbox::Outbox(std::string spool_dir, size_t memory_limit_bytes)
    : spool_dir_(std::move(spool_dir)), memory_limit_(memory_limit_bytes) {}

Outbox::~Outbox() {
  for (const auto& [attempt, queue] : queues_) {
    if (!queue.spill_path.empty()) std::filesystem::remove(queue.spill_path);
  }
}

std::string Outbox::SpillPath(const std::string& attempt_id) const {
  return spool_dir_ + "/" + attempt_id + ".spill";
}

uint64_t Outbox::Add(const std::string& attempt_id, v1::Event event) {
  Queue& queue = queues_[attempt_id];
  event.set_attempt_id(attempt_id);
  uint64_t seq = queue.next_seq++;
  event.set_seq(seq);
  size_t size = event.ByteSizeLong();
  if (queue.spilled == 0 && memory_bytes_ + size <= memory_limit_) {
    memory_bytes_ += size;
    queue.memory.push_back(std::move(event));
  } else {
    if (queue.spill_path.empty()) {
      std::filesystem::create_directories(spool_dir_);
      queue.spill_path = SpillPath(attempt_id);
    }
    AppendFramed(queue.spill_path, event);
    ++queue.spilled;
    ++spilled_events_;
  }
  return seq;
}

uint64_t Outbox::CopyAfter(const std::string& attempt_id, uint64_t after, size_t max_bytes,
                           google::protobuf::RepeatedPtrField<v1::Event>* out) {
  auto found = queues_.find(attempt_id);
  if (found == queues_.end()) return after;
  size_t bytes = 0;
  uint64_t last = after;
  for (const v1::Event& event : found->second.memory) {
    if (event.seq() <= after) continue;
    if (bytes > 0 && bytes + event.ByteSizeLong() > max_bytes) return last;
    bytes += event.ByteSizeLong();
    *out->Add() = event;
    last = event.seq();
  }
  // Spilled events go out once they are back in memory (after acks make room).
  return last;
}

void Outbox::Refill(Queue& queue) {
  if (queue.spilled == 0 || queue.spill_path.empty()) return;
  std::ifstream in(queue.spill_path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(queue.spill_read_offset));
  while (queue.spilled > 0 && memory_bytes_ < memory_limit_) {
    uint32_t length = 0;
    if (!in.read(reinterpret_cast<char*>(&length), sizeof length)) break;
    std::string bytes(length, '\0');
    if (!in.read(bytes.data(), length)) break;
    v1::Event event;
    event.ParseFromString(bytes);
    queue.spill_read_offset += sizeof length + length;
    --queue.spilled;
    memory_bytes_ += bytes.size();
    queue.memory.push_back(std::move(event));
  }
  if (queue.spilled == 0) {
    std::filesystem::remove(queue.spill_path);
    queue.spill_path.clear();
    queue.spill_read_offset = 0;
  }
}

void Outbox::Ack(const std::string& attempt_id, uint64_t seq) {
  auto found = queues_.find(attempt_id);
  if (found == queues_.end()) return;
  Queue& queue = found->second;
  queue.acked = std::max(queue.acked, seq);
  while (!queue.memory.empty() && queue.memory.front().seq() <= queue.acked) {
    memory_bytes_ -= queue.memory.front().ByteSizeLong();
    queue.memory.pop_front();
  }
  if (queue.memory.empty()) Refill(queue);
}

void Outbox::Drop(const std::string& attempt_id) {
  auto found = queues_.find(attempt_id);
  if (found == queues_.end()) return;
  for (const v1::Event& event : found->second.memory) memory_bytes_ -= event.ByteSizeLong();
  if (!found->second.spill_path.empty()) std::filesystem::remove(found->second.spill_path);
  queues_.erase(found);
}

std::vector<v1::Event> Outbox::Unacked(const std::string& attempt_id) {
  std::vector<v1::Event> events;
  auto found = queues_.find(attempt_id);
  if (found == queues_.end()) return events;
  Queue& queue = found->second;
  events.assign(queue.memory.begin(), queue.memory.end());
  if (queue.spilled > 0) {
    std::ifstream in(queue.spill_path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(queue.spill_read_offset));
    uint32_t length = 0;
    while (in.read(reinterpret_cast<char*>(&length), sizeof length)) {
      std::string bytes(length, '\0');
      if (!in.read(bytes.data(), length)) break;
      events.emplace_back().ParseFromString(bytes);
    }
  }
  return events;
}

bool Outbox::Empty(const std::string& attempt_id) const {
  auto found = queues_.find(attempt_id);
  return found == queues_.end() || (found->second.memory.empty() && found->second.spilled == 0);
}

std::vector<std::string> Outbox::Attempts() const {
  std::vector<std::string> attempts;
  for (const auto& [attempt, queue] : queues_) attempts.push_back(attempt);
  return attempts;
}

}  // namespace wsfleet::worker
