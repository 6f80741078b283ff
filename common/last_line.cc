#include "common/last_line.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

namespace wsfleet::common {

std::string LastLineIn(std::string_view text) {
  while (!text.empty()) {
    size_t end = text.find_last_not_of("\r\n");
    if (end == std::string_view::npos) return "";
    size_t start = text.find_last_of('\n', end);
    std::string_view line = text.substr(start == std::string_view::npos ? 0 : start + 1,
                                        end + 1 - (start == std::string_view::npos ? 0 : start + 1));
    // "50%\r100%": what a terminal would show is the text after the last carriage return.
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
    if (clean.find_first_not_of(' ') != std::string::npos) return clean;
    text = text.substr(0, start == std::string_view::npos ? 0 : start);
  }
  return "";
}

std::string LastLineOf(const std::string& path) {
  constexpr off_t kTail = 4096;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat info {};
  std::string text;
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    off_t from = info.st_size > kTail ? info.st_size - kTail : 0;
    text.resize(static_cast<size_t>(info.st_size - from));
    ssize_t got = ::pread(fd, text.data(), text.size(), from);
    text.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  ::close(fd);
  return LastLineIn(text);
}

}  // namespace wsfleet::common
