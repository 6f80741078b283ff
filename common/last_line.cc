#include "common/last_line.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

namespace wsfleet::common {
namespace {

// `line` as a terminal would leave it readable: the text after its last carriage return
// ("50%\r100%" shows "100%"), escape sequences and other control characters removed, tabs
// as spaces.
std::string CleanLine(std::string_view line) {
  if (size_t cr = line.find_last_of('\r'); cr != std::string_view::npos) line.remove_prefix(cr + 1);
  std::string clean;
  for (size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == 0x1b) {
      // ESC [ ... final byte (CSI), or ESC and one more byte.
      if (i + 1 < line.size() && line[i + 1] == '[') {
        i += 2;
        while (i < line.size() && !(line[i] >= 0x40 && line[i] <= 0x7e)) ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '\t') {
      clean += ' ';
    } else if (c >= 0x20 && c != 0x7f) {
      clean += static_cast<char>(c);
    }
  }
  return clean;
}

// The last `bytes` of the file at `path` (all of it when shorter); empty when unreadable.
// `whole_lines`: less the line the cut halves.
std::string ReadTail(const std::string& path, off_t bytes, bool whole_lines) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat info {};
  std::string text;
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    off_t from = info.st_size > bytes ? info.st_size - bytes : 0;
    // For whole lines, one byte more: a newline there means the first line read is whole.
    if (whole_lines && from > 0) --from;
    text.resize(static_cast<size_t>(info.st_size - from));
    ssize_t got = ::pread(fd, text.data(), text.size(), from);
    text.resize(got > 0 ? static_cast<size_t>(got) : 0);
    if (whole_lines && from > 0) {
      size_t newline = text.find('\n');
      text.erase(0, newline == std::string::npos ? text.size() : newline + 1);
    }
  }
  ::close(fd);
  return text;
}

}  // namespace

std::string LastLineIn(std::string_view text) {
  while (!text.empty()) {
    size_t end = text.find_last_not_of("\r\n");
    if (end == std::string_view::npos) return "";
    size_t start = text.find_last_of('\n', end);
    size_t begin = start == std::string_view::npos ? 0 : start + 1;
    std::string clean = CleanLine(text.substr(begin, end + 1 - begin));
    if (clean.find_first_not_of(' ') != std::string::npos) return clean;
    text = text.substr(0, begin == 0 ? 0 : start);
  }
  return "";
}

std::string LastLineOf(const std::string& path) { return LastLineIn(ReadTail(path, 4096, false)); }

std::string LastLinesOf(const std::string& path, size_t bytes) {
  std::string text = ReadTail(path, static_cast<off_t>(bytes), true);
  std::string out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    out += CleanLine(std::string_view(text).substr(begin, end - begin));
    out += '\n';
    begin = end + 1;
  }
  return out;
}

}  // namespace wsfleet::common
