#include "worker/direct_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace wsfleet::worker {
namespace {

// Characters no POSIX shell or bash gives a meaning to inside a word ('=' only matters in
// the first word, checked there). Everything else sends the script to the shell.
bool PlainWordCharacter(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_': case '-': case '.': case '/': case ',': case ':': case '+': case '@': case '%':
    case '=':
      return true;
    default:
      return false;
  }
}

// Keywords and builtins of dash and bash: the shell runs these itself, or differently from
// the program of the same name (`echo`, `test`, `kill`, `printf`).
constexpr std::string_view kShellWords[] = {
    ".", ":", "[", "[[", "]]", "!", "{", "}", "alias", "bg", "bind", "break", "builtin",
    "caller", "case", "cd", "chdir", "command", "compgen", "complete", "compopt", "continue",
    "coproc", "declare", "dirs", "disown", "do", "done", "echo", "elif", "else", "enable",
    "esac", "eval", "exec", "exit", "export", "false", "fc", "fg", "fi", "for", "function",
    "getopts", "hash", "help", "history", "if", "jobs", "kill", "let", "local", "logout",
    "mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly", "return",
    "select", "set", "shift", "shopt", "source", "suspend", "test", "then", "time", "times",
    "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "until", "wait",
    "while"};

bool IsShellWord(std::string_view word) {
  for (std::string_view known : kShellWords) {
    if (word == known) return true;
  }
  return false;
}

bool IsExecutableFile(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The value of `key` in a "KEY=value" list, or nullopt.
std::optional<std::string_view> Lookup(const std::vector<std::string>& env, std::string_view key) {
  for (const std::string& entry : env) {
    if (entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 && entry[key.size()] == '=') {
      return std::string_view(entry).substr(key.size() + 1);
    }
  }
  return std::nullopt;
}

void Set(std::vector<std::string>& env, std::string_view key, const std::string& value) {
  std::string entry = std::string(key) + "=" + value;
  for (std::string& existing : env) {
    if (existing.size() > key.size() && existing.compare(0, key.size(), key) == 0 && existing[key.size()] == '=') {
      existing = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

// Where the shell would find `name`: as written when it has a slash, else the first
// executable file of that name on PATH. Relative PATH entries would depend on the
// directory the shell is in, so those leave it to the shell.
std::optional<std::string> Resolve(const std::string& name, const std::string& workdir,
                                   const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) {
    std::string path = name.front() == '/' ? name : workdir + "/" + name;
    if (!IsExecutableFile(path)) return std::nullopt;
    return path;
  }
  std::optional<std::string_view> search = Lookup(env, "PATH");
  if (!search) return std::nullopt;
  size_t begin = 0;
  while (begin <= search->size()) {
    size_t end = search->find(':', begin);
    if (end == std::string_view::npos) end = search->size();
    std::string_view dir = search->substr(begin, end - begin);
    if (dir.empty() || dir.front() != '/') return std::nullopt;
    std::string path = std::string(dir) + (dir.back() == '/' ? "" : "/") + name;
    if (IsExecutableFile(path)) return path;
    begin = end + 1;
  }
  return std::nullopt;
}

bool SameFile(const std::string& a, const std::string& b) {
  struct stat first {}, second {};
  return ::stat(a.c_str(), &first) == 0 && ::stat(b.c_str(), &second) == 0 &&
         first.st_dev == second.st_dev && first.st_ino == second.st_ino;
}

// Both shells keep an inherited PWD that names their directory and set it otherwise.
bool SetPwdAsShellWould(std::vector<std::string>& env, const std::string& workdir) {
  std::optional<std::string_view> inherited = Lookup(env, "PWD");
  if (inherited && !inherited->empty() && inherited->front() == '/' &&
      SameFile(std::string(*inherited), workdir)) {
    return true;
  }
  char resolved[PATH_MAX];
  if (::realpath(workdir.c_str(), resolved) == nullptr) return false;
  Set(env, "PWD", resolved);
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> SimpleCommandWords(std::string_view script) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!script.empty() && (blank(script.back()) || script.back() == '\n')) script.remove_suffix(1);
  std::vector<std::string> words;
  std::string word;
  for (char c : script) {
    if (blank(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else if (PlainWordCharacter(c)) {
      word.push_back(c);
    } else {
      return std::nullopt;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (words.empty() || words.front().find('=') != std::string::npos || IsShellWord(words.front())) {
    return std::nullopt;
  }
  return words;
}

std::optional<DirectCommand> PlanDirectCommand(std::string_view script, StepShell shell,
                                               const std::string& workdir,
                                               const std::vector<std::string>& env) {
  std::optional<std::vector<std::string>> words = SimpleCommandWords(script);
  if (!words) return std::nullopt;
  if (shell == StepShell::kBash) {
    // What bash reads from its environment can change how it runs even one command:
    // a startup file, exported functions, options such as xtrace.
    for (const std::string& entry : env) {
      if (entry.rfind("BASH_ENV=", 0) == 0 || entry.rfind("BASH_FUNC_", 0) == 0 ||
          entry.rfind("SHELLOPTS=", 0) == 0 || entry.rfind("BASHOPTS=", 0) == 0) {
        return std::nullopt;
      }
    }
  }
  std::optional<std::string> path = Resolve(words->front(), workdir, env);
  if (!path) return std::nullopt;
  DirectCommand direct{*path, std::move(*words), env};
  if (!SetPwdAsShellWould(direct.env, workdir)) return std::nullopt;
  if (shell == StepShell::kBash) {
    // bash raises SHLVL as it starts and lowers it again when it execs its last command,
    // and it tells the command its own path in $_.
    std::optional<std::string_view> level = Lookup(direct.env, "SHLVL");
    if (!level) {
      Set(direct.env, "SHLVL", "0");
    } else if (level->empty() || level->size() > 3 ||
               level->find_first_not_of("0123456789") != std::string_view::npos || *level == "999") {
      return std::nullopt;  // bash's own rules for odd values (and for reaching 1000)
    }
    Set(direct.env, "_", direct.argv.front().find('/') != std::string::npos ? direct.argv.front() : direct.path);
  }
  return direct;
}

}  // namespace wsfleet::worker
