#include "common/plan_loader.h"

#include "common/text_limits.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <system_error>
#include <thread>

#include "common/card_cuts.h"
#include "common/text.h"
#include "common/utf8.h"

namespace wsfleet::common {
namespace fs = std::filesystem;
namespace {

bool IsMarkdownFile(const fs::path& path) {
  std::string extension = ToLower(path.extension().string());
  return extension == ".md" || extension == ".markdown";
}

bool IsSkippedName(const fs::path& path) {
  std::string name = path.filename().string();
  return (!name.empty() && name[0] == '.') || name == "node_modules";
}

// The markdown files under `root` in a stable order, or the file itself.
std::vector<std::string> ExpandPath(const std::string& root, Diagnostics& diagnostics) {
  std::error_code error;
  fs::file_status status = fs::status(root, error);
  if (error || !fs::exists(status)) {
    diagnostics.Error({root, 0}, "no such file or directory");
    return {};
  }
  if (fs::is_regular_file(status)) return {root};
  if (!fs::is_directory(status)) {
    // FIFOs and devices could block or never end; cards are regular files.
    diagnostics.Error({root, 0}, "not a regular file or directory");
    return {};
  }
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, error);
  if (error) {
    diagnostics.Error({root, 0}, "cannot read directory: " + error.message());
    return {};
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) {
      diagnostics.Error({it->path().string(), 0}, "cannot read: " + error.message());
      break;
    }
    if (IsSkippedName(it->path())) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (!IsMarkdownFile(it->path()) || it->is_directory(error)) continue;
    if (it->is_regular_file(error)) {
      files.push_back(it->path().string());
    } else {
      diagnostics.Error({it->path().string(), 0},
                        it->is_symlink(error) ? "broken symbolic link" : "not a regular file");
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// What became of one input file; filled by a worker thread, merged in input order.
struct FileOutcome {
  std::string path;
  Diagnostics problems;  // reading problems; parse problems live in `document`
  ParsedDocument document;
  std::string text;  // as read; kept for the plan's sources when it holds workstreams
  bool read = false;
  dev_t device = 0;
  ino_t inode = 0;
  std::vector<CardPiece> pieces;  // a many-card file's, parsed apart (see card_cuts.h)
  std::vector<CardPieceParse> piece_parses;
};

// Reads a regular file with one open, one fstat and as few reads as its size needs.
void ReadFile(size_t max_bytes, FileOutcome& outcome, std::string& text) {
  const std::string& path = outcome.path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    outcome.problems.Error({path, 0}, std::string("cannot open: ") + std::strerror(errno));
    return;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    outcome.problems.Error({path, 0}, "not a regular file");
    ::close(fd);
    return;
  }
  if (static_cast<uintmax_t>(info.st_size) > max_bytes) {
    outcome.problems.Error({path, 0}, "file is " + std::to_string(info.st_size >> 20) +
                                          " MiB, larger than the " +
                                          std::to_string(max_bytes >> 20) +
                                          " MiB limit for a card");
    ::close(fd);
    return;
  }
  // One byte more than the file: the read that finds its end needs room, and growing the
  // string for it would leave every text 4 KiB larger (100,000 cards: 430 MB more).
  text.resize(static_cast<size_t>(info.st_size) + 1);
  size_t done = 0;
  while (true) {
    if (done == text.size()) text.resize(text.size() + 4096);  // the file grew meanwhile
    ssize_t got = ::read(fd, text.data() + done, text.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      outcome.problems.Error({path, 0}, std::string("read failed: ") + std::strerror(errno));
      ::close(fd);
      return;
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
    if (done > max_bytes) {
      outcome.problems.Error({path, 0}, "file grew past the size limit while being read");
      ::close(fd);
      return;
    }
  }
  ::close(fd);
  text.resize(done);
  outcome.read = true;
  outcome.device = info.st_dev;
  outcome.inode = info.st_ino;
}

// Parses a file's text, or cuts it into pieces to be parsed apart when it holds many cards.
void ParseOrCut(FileOutcome& outcome) {
  const std::string& path = outcome.path;
  std::optional<TextProblem> problem = CheckText(outcome.text);
  if (!problem) problem = CheckTextLimits(outcome.text);  // before the parser sees it: see text_limits.h
  if (problem) {
    outcome.document.diagnostics.Error({path, problem->line}, problem->message);
    return;
  }
  outcome.pieces = CutCardText(outcome.text, kCardPieceBytes);
  if (outcome.pieces.size() > 1) {
    outcome.piece_parses.resize(outcome.pieces.size());
  } else {
    outcome.pieces.clear();
    outcome.document = ParseWholeCardDocument(path, outcome.text);
  }
}

// Runs task(0..count-1) on up to `threads` threads (0: one per hardware thread).
void ForEachInParallel(size_t count, unsigned threads, const std::function<void(size_t)>& task) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, count));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) task(i);
  };
  if (threads <= 1) {
    work();
    return;
  }
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
  for (std::thread& thread : pool) thread.join();
}

// Parses the pieces of the files ParseOrCut cut, on every thread, and joins each file's.
void ParsePieces(std::vector<FileOutcome>& outcomes, unsigned threads) {
  std::vector<std::pair<size_t, size_t>> tasks;  // (outcome, piece)
  for (size_t i = 0; i < outcomes.size(); ++i) {
    for (size_t p = 0; p < outcomes[i].pieces.size(); ++p) tasks.emplace_back(i, p);
  }
  if (tasks.empty()) return;
  ForEachInParallel(tasks.size(), threads, [&](size_t t) {
    auto [i, p] = tasks[t];
    FileOutcome& outcome = outcomes[i];
    outcome.piece_parses[p] = ParseCardPiece(outcome.path, outcome.pieces[p], p == 0);
  });
  for (FileOutcome& outcome : outcomes) {
    if (outcome.pieces.empty()) continue;
    std::optional<ParsedDocument> joined = JoinCardPieces(std::move(outcome.piece_parses));
    // Pieces that did not read as the whole file would: the whole file, then.
    outcome.document = joined ? std::move(*joined) : ParseWholeCardDocument(outcome.path, outcome.text);
    outcome.pieces.clear();
    outcome.piece_parses.clear();
  }
}

// The graph over the workstreams, its checks and its analysis.
void Connect(Plan& plan) {
  std::sort(plan.workstreams.begin(), plan.workstreams.end(),
            [](const Workstream& a, const Workstream& b) { return a.id < b.id; });
  plan.graph = BuildGraph(plan.workstreams, plan.diagnostics);
  CheckBlocksAgree(plan.workstreams, plan.graph, plan.diagnostics);
  if (CheckAcyclic(plan.workstreams, plan.graph, plan.diagnostics)) {
    plan.analysis = Analyze(plan.workstreams, plan.graph);
  }
}

// Leaves the first of each ID in plan.workstreams, in their order, and returns the others,
// each reported with the first. Sorts indices, not workstreams: no map of every ID, no copy.
std::vector<Workstream> TakeDuplicates(Plan& plan) {
  std::vector<Workstream>& all = plan.workstreams;
  std::vector<std::pair<WorkstreamId, uint32_t>> order;
  order.reserve(all.size());
  for (size_t i = 0; i < all.size(); ++i) order.emplace_back(all[i].id, static_cast<uint32_t>(i));
  std::sort(order.begin(), order.end());
  std::vector<bool> duplicate(all.size(), false);
  bool any = false;
  for (size_t k = 1, first = 0; k < order.size(); ++k) {
    if (order[k].first != order[first].first) {
      first = k;
      continue;
    }
    const Workstream& kept = all[order[first].second];
    const Workstream& again = all[order[k].second];
    plan.diagnostics.Error(again.where, "duplicate ID " + again.id.ToString() + " (first defined at " +
                                            kept.where.ToString() + ")");
    plan.diagnostics.Error(kept.where, "duplicate ID " + again.id.ToString() + " (defined again at " +
                                           again.where.ToString() + ")");
    duplicate[order[k].second] = true;
    any = true;
  }
  std::vector<Workstream> duplicates;
  if (!any) return duplicates;
  size_t kept = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (duplicate[i]) {
      duplicates.push_back(std::move(all[i]));
    } else if (kept != i) {
      all[kept++] = std::move(all[i]);
    } else {
      ++kept;
    }
  }
  all.erase(all.begin() + static_cast<long>(kept), all.end());
  return duplicates;
}

Plan MergeDocuments(std::vector<FileOutcome>& outcomes) {
  Plan plan;
  size_t count = 0;
  for (const FileOutcome& outcome : outcomes) count += outcome.document.workstreams.size();
  for (FileOutcome& outcome : outcomes) {
    plan.diagnostics.Append(outcome.problems);
    ParsedDocument& document = outcome.document;
    plan.diagnostics.Append(document.diagnostics);
    if (!outcome.read) continue;
    if (document.kind != DocumentKind::kCards) {
      if (!document.diagnostics.has_errors()) plan.ignored.push_back({outcome.path, document.kind});
      continue;
    }
    plan.sources.push_back({outcome.path, std::move(outcome.text)});
    if (plan.workstreams.empty()) {
      // Taken whole: a one-file plan's workstreams are never held twice.
      plan.workstreams = std::move(document.workstreams);
      plan.workstreams.reserve(count);  // grown by doubling, a 100,000-card plan held 31% more
    } else {
      for (Workstream& ws : document.workstreams) plan.workstreams.push_back(std::move(ws));
    }
    // What was moved out still holds its buffers: hand them back before the graph is built
    // (100,000 one-card files: a workstream's worth each).
    std::vector<Workstream>().swap(document.workstreams);
    document.diagnostics = Diagnostics();
    outcome.problems = Diagnostics();
  }
  std::vector<Workstream> duplicates = TakeDuplicates(plan);  // left out, their dependencies still checked
  Connect(plan);
  for (const Workstream& ws : duplicates) {
    for (const Dependency& dependency : ws.dependencies) {
      if (!plan.IndexOf(dependency.id)) {
        plan.diagnostics.Error(dependency.where, ws.id.ToString() + " depends on unknown workstream " +
                                                     dependency.id.ToString());
      }
    }
  }
  return plan;
}

}  // namespace

Plan AssembleParsed(std::vector<Workstream> workstreams, std::vector<SourceFile> sources) {
  Plan plan;
  plan.workstreams = std::move(workstreams);
  plan.sources = std::move(sources);
  Connect(plan);
  return plan;
}

std::optional<int> Plan::IndexOf(WorkstreamId id) const {
  auto found = std::lower_bound(workstreams.begin(), workstreams.end(), id,
                                [](const Workstream& ws, WorkstreamId key) { return ws.id < key; });
  if (found == workstreams.end() || found->id != id) return std::nullopt;
  return static_cast<int>(found - workstreams.begin());
}

std::optional<int> Plan::IndexOf(std::string_view id) const {
  std::optional<WorkstreamId> parsed = WorkstreamId::Parse(id);
  return parsed ? IndexOf(*parsed) : std::nullopt;
}

Plan AssemblePlan(std::vector<SourceFile>&& sources, const LoadOptions& options) {
  std::vector<FileOutcome> outcomes(sources.size());
  ForEachInParallel(sources.size(), options.parse_threads, [&](size_t i) {
    outcomes[i].path = std::move(sources[i].path);
    outcomes[i].read = true;
    outcomes[i].text = std::move(sources[i].text);
    ParseOrCut(outcomes[i]);
  });
  std::vector<SourceFile>().swap(sources);
  ParsePieces(outcomes, options.parse_threads);
  return MergeDocuments(outcomes);
}

Plan AssemblePlan(const std::vector<SourceFile>& sources, const LoadOptions& options) {
  return AssemblePlan(std::vector<SourceFile>(sources), options);
}

Plan LoadPlan(const std::vector<std::string>& paths, const LoadOptions& options) {
  Diagnostics walk_problems;
  std::vector<FileOutcome> outcomes;
  for (const std::string& root : paths) {
    for (std::string& file : ExpandPath(root, walk_problems)) {
      outcomes.emplace_back().path = std::move(file);
    }
  }
  ForEachInParallel(outcomes.size(), options.parse_threads, [&](size_t i) {
    ReadFile(options.max_file_bytes, outcomes[i], outcomes[i].text);
    if (outcomes[i].read) ParseOrCut(outcomes[i]);
    if (!options.keep_sources && outcomes[i].pieces.empty()) std::string().swap(outcomes[i].text);
  });
  ParsePieces(outcomes, options.parse_threads);
  if (!options.keep_sources) {
    for (FileOutcome& outcome : outcomes) std::string().swap(outcome.text);
  }
  // The same file reached twice (a folder and a file in it, or a link) counts once.
  std::set<std::pair<dev_t, ino_t>> seen;
  std::vector<FileOutcome> unique;
  unique.reserve(outcomes.size());
  for (FileOutcome& outcome : outcomes) {
    if (outcome.read && !seen.insert({outcome.device, outcome.inode}).second) continue;
    unique.push_back(std::move(outcome));
  }
  Plan plan = MergeDocuments(unique);
  if (!options.keep_sources) plan.sources.clear();
  walk_problems.Append(plan.diagnostics);
  plan.diagnostics = std::move(walk_problems);
  return plan;
}

}  // namespace wsfleet::common
