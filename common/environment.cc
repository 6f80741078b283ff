#include "common/environment.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/text.h"

namespace wsfleet::common {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '_') {
      word.push_back(c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// The first dotted version in `text` ("3.10+" -> "3.10", at_least), if any.
bool FindVersion(std::string_view text, std::string& version, bool& at_least) {
  for (const std::string& word : Words(text)) {
    if (word.empty() || !std::isdigit(static_cast<unsigned char>(word[0]))) continue;
    size_t end = 0;
    while (end < word.size() && (std::isdigit(static_cast<unsigned char>(word[end])) || word[end] == '.')) ++end;
    version = word.substr(0, end);
    while (!version.empty() && version.back() == '.') version.pop_back();
    std::string lower = ToLower(text);
    at_least = word.find('+', end) != std::string::npos || Contains(lower, "or later") ||
               Contains(lower, "or newer") || Contains(lower, ">=") || Contains(lower, "\xE2\x89\xA5");
    return !version.empty();
  }
  return false;
}

// "GB10", "H100", "A100", "L40S", "B200": one or two letters, digits, a letter or two.
bool LooksLikeGpuProduct(const std::string& word) {
  std::string lower = ToLower(word);
  if (lower == "x86" || lower == "x64") return false;
  size_t i = 0;
  while (i < word.size() && std::isalpha(static_cast<unsigned char>(word[i]))) ++i;
  if (i < 1 || i > 2) return false;
  size_t digits = i;
  while (digits < word.size() && std::isdigit(static_cast<unsigned char>(word[digits]))) ++digits;
  if (digits - i < 2 || digits - i > 4) return false;
  size_t tail = digits;
  while (tail < word.size() && std::isalpha(static_cast<unsigned char>(word[tail]))) ++tail;
  return tail == word.size() && tail - digits <= 2;
}

// Whether `have` is `want` or a release of it: "3.10.4" is a 3.10; "22.04.3" a 22.04.
bool SameRelease(std::string_view have, std::string_view want) {
  size_t parts = static_cast<size_t>(std::count(want.begin(), want.end(), '.')) + 1;
  std::string cut;
  size_t seen = 0;
  for (char c : have) {
    if (c == '.' && ++seen == parts) break;
    cut.push_back(c);
  }
  return CompareVersions(cut, want) == 0;
}

bool VersionFits(const std::string& have, const EnvironmentNeed& need) {
  if (have.empty()) return false;
  return need.at_least ? CompareVersions(have, need.value) >= 0 : SameRelease(have, need.value);
}

std::string Label(const std::map<std::string, std::string>& labels, std::string_view key) {
  auto found = labels.find(std::string(key));
  return found == labels.end() ? "" : found->second;
}

}  // namespace

std::string NormalizeArch(std::string_view text) {
  std::string lower = ToLower(text);
  if (lower == "arm64" || lower == "aarch64" || lower == "armv8") return "arm64";
  if (lower == "x86_64" || lower == "amd64" || lower == "x64" || lower == "x86-64") return "amd64";
  return "";
}

int CompareVersions(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    auto next = [](std::string_view& text) {
      size_t dot = text.find('.');
      std::string_view part = text.substr(0, dot);
      text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
      return std::strtol(std::string(part).c_str(), nullptr, 10);
    };
    long x = next(a);
    long y = next(b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::vector<EnvironmentNeed> ReadEnvironmentLine(std::string_view key, std::string_view value,
                                                 SourceLocation where) {
  EnvironmentNeed need;
  need.text = std::string(Trim(key)) + ": " + std::string(Trim(value));
  need.where = where;
  std::string name = ToLower(Trim(key));
  std::string lower = ToLower(value);
  if (Contains(lower, "if applicable") || Contains(lower, "optional")) return {need};
  std::vector<EnvironmentNeed> needs;
  auto add = [&](EnvironmentNeed::Kind kind, std::string what) {
    EnvironmentNeed one = need;
    one.kind = kind;
    one.value = std::move(what);
    needs.push_back(std::move(one));
    return &needs.back();
  };
  std::string arch;
  for (const std::string& word : Words(value)) {
    if (arch.empty()) arch = NormalizeArch(word);
  }
  if (name == "hardware" || name == "gpu" || name == "gpu model" || name == "accelerator") {
    std::string products;
    for (const std::string& word : Words(value)) {
      if (LooksLikeGpuProduct(word)) products += (products.empty() ? "" : "|") + word;
    }
    if (!products.empty()) add(EnvironmentNeed::Kind::kGpu, products);
    if (!arch.empty()) add(EnvironmentNeed::Kind::kArch, arch);
  } else if (name == "os" || name == "operating system") {
    std::vector<std::string> words = Words(value);
    if (!words.empty() && std::isalpha(static_cast<unsigned char>(words[0][0])) && NormalizeArch(words[0]).empty()) {
      EnvironmentNeed* os = add(EnvironmentNeed::Kind::kOs, ToLower(words[0]));
      std::string version;
      bool at_least = false;
      if (FindVersion(value.substr(0, value.find('(')), version, at_least)) {
        os->os_version = version;
        os->at_least = at_least;
      }
    }
    if (!arch.empty()) add(EnvironmentNeed::Kind::kArch, arch);
  } else if (name == "arch" || name == "architecture" || name == "cpu" || name == "platform") {
    if (!arch.empty()) add(EnvironmentNeed::Kind::kArch, arch);
  } else if (name == "cuda" || name == "python" || name == "rust") {
    std::string version;
    bool at_least = false;
    if (FindVersion(value, version, at_least)) {
      EnvironmentNeed::Kind kind = name == "cuda"     ? EnvironmentNeed::Kind::kCuda
                                   : name == "python" ? EnvironmentNeed::Kind::kPython
                                                      : EnvironmentNeed::Kind::kRust;
      add(kind, version)->at_least = at_least || kind == EnvironmentNeed::Kind::kCuda;
    }
  }
  if (needs.empty()) needs.push_back(need);
  return needs;
}

std::string Describe(const EnvironmentNeed& need) {
  auto version = [&](const char* what) {
    return std::string(what) + (need.at_least ? " \xE2\x89\xA5 " : " ") + need.value;
  };
  switch (need.kind) {
    case EnvironmentNeed::Kind::kHint: return need.text;
    case EnvironmentNeed::Kind::kArch: return need.value;
    case EnvironmentNeed::Kind::kOs:
      return need.value + (need.os_version.empty() ? "" : (need.at_least ? " \xE2\x89\xA5 " : " ") + need.os_version);
    case EnvironmentNeed::Kind::kGpu: {
      std::string products = need.value;
      std::replace(products.begin(), products.end(), '|', '/');
      return "a " + products + " GPU";
    }
    case EnvironmentNeed::Kind::kCuda: return version("CUDA");
    case EnvironmentNeed::Kind::kPython: return version("Python");
    case EnvironmentNeed::Kind::kRust: return version("Rust");
  }
  return need.text;
}

bool Satisfies(const EnvironmentNeed& need, const std::map<std::string, std::string>& labels) {
  switch (need.kind) {
    case EnvironmentNeed::Kind::kHint: return true;
    case EnvironmentNeed::Kind::kArch: return Label(labels, kArchLabel) == need.value;
    case EnvironmentNeed::Kind::kOs: {
      if (ToLower(Label(labels, kOsLabel)) != need.value) return false;
      if (need.os_version.empty()) return true;
      std::string have = Label(labels, kOsVersionLabel);
      return !have.empty() && (need.at_least ? CompareVersions(have, need.os_version) >= 0
                                             : SameRelease(have, need.os_version));
    }
    case EnvironmentNeed::Kind::kGpu: {
      std::string gpus = ToLower(Label(labels, kGpuProductsLabel));
      std::string_view products = need.value;
      while (!products.empty()) {
        size_t bar = products.find('|');
        std::string_view product = products.substr(0, bar);
        if (!product.empty() && Contains(gpus, ToLower(product))) return true;
        products = bar == std::string_view::npos ? std::string_view() : products.substr(bar + 1);
      }
      return false;
    }
    case EnvironmentNeed::Kind::kCuda:
      return VersionFits(Label(labels, kCudaDriverLabel), need) && VersionFits(Label(labels, kCudaRuntimeLabel), need);
    case EnvironmentNeed::Kind::kPython: return VersionFits(Label(labels, kPythonLabel), need);
    case EnvironmentNeed::Kind::kRust: return VersionFits(Label(labels, kRustLabel), need);
  }
  return true;
}

std::string DescribeEnvironment(const std::map<std::string, std::string>& labels) {
  std::string arch = Label(labels, kArchLabel);
  std::string os = Label(labels, kOsLabel);
  std::string gpus = Label(labels, kGpuProductsLabel);
  std::string driver = Label(labels, kCudaDriverLabel);
  std::string runtime = Label(labels, kCudaRuntimeLabel);
  std::string out = arch.empty() ? "architecture unknown" : arch;
  if (!os.empty()) out += ", " + os + (Label(labels, kOsVersionLabel).empty() ? "" : " " + Label(labels, kOsVersionLabel));
  out += gpus.empty() ? ", no GPU" : ", " + gpus;
  if (!driver.empty()) out += ", CUDA driver " + driver;
  if (!runtime.empty()) out += ", CUDA toolkit " + runtime;
  if (std::string python = Label(labels, kPythonLabel); !python.empty()) out += ", Python " + python;
  if (std::string rust = Label(labels, kRustLabel); !rust.empty()) out += ", Rust " + rust;
  return out;
}

}  // namespace wsfleet::common
