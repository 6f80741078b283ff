// A many-card file parsed in pieces reads exactly as it does whole: every workstream field
// (compared through the plan codec, which writes them all) and every diagnostic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/card_cuts.h"
#include "common/card_parser.h"
#include "coordinator/plan_codec.h"

namespace wsfleet::coordinator {
namespace {

namespace fs = std::filesystem;
using common::CardPiece;
using common::CutCardText;
using common::ParseCardDocument;
using common::ParsedDocument;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every card file of the examples and the test data, one after another: many cards, with
// the fields, steps, fences, lists and errors real cards have.
std::string Corpus() {
  std::vector<fs::path> files;
  for (const char* root : {WSFLEET_EXAMPLES_DIR, WSFLEET_TEST_DATA_DIR}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      std::string name = entry.path().string();
      if (entry.path().extension() != ".md" || name.find("invalid-utf8") != std::string::npos ||
          name.find("binary-junk") != std::string::npos) {
        continue;
      }
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::string corpus;
  for (const fs::path& file : files) {
    std::string text = Read(file);
    if (text.find("# WS-") == std::string::npos) continue;
    corpus += text;
    if (!corpus.ends_with("\n")) corpus += "\n";
    corpus += "\n";
  }
  return corpus;
}

std::string Diagnostics(const ParsedDocument& document) {
  std::string out;
  for (const common::Diagnostic& diagnostic : document.diagnostics.Sorted()) out += diagnostic.ToString() + "\n";
  return out;
}

// Parsed cut at every place the cutter allows, and whole.
void ExpectSameAsWhole(const std::string& text) {
  ParsedDocument pieces = ParseCardDocument("plan.md", text, 1);
  ParsedDocument whole = ParseCardDocument("plan.md", text, text.size() + 1);
  EXPECT_EQ(pieces.kind, whole.kind);
  ASSERT_EQ(pieces.workstreams.size(), whole.workstreams.size());
  for (size_t i = 0; i < whole.workstreams.size(); ++i) {  // one at a time: a readable failure
    ASSERT_EQ(EncodeWorkstreams({pieces.workstreams[i]}), EncodeWorkstreams({whole.workstreams[i]}))
        << "workstream " << i << ", " << whole.workstreams[i].id.ToString();
  }
  EXPECT_EQ(Diagnostics(pieces), Diagnostics(whole));
}

std::vector<std::string> PieceStarts(const std::string& text) {
  std::vector<std::string> starts;
  for (const CardPiece& piece : CutCardText(text, 1)) {
    starts.push_back(std::to_string(piece.first_line) + ":" +
                     std::string(piece.text.substr(0, piece.text.find('\n'))));
  }
  return starts;
}

TEST(CardPiecesTest, TheExamplesAndTestCardsInOneFileReadAsTheyDoWhole) {
  std::string corpus = Corpus();
  ASSERT_GT(CutCardText(corpus, 1).size(), 10u) << "the corpus was not cut: the test proves nothing";
  std::vector<common::CardPieceParse> parses;
  for (const CardPiece& piece : CutCardText(corpus, 1)) parses.push_back(common::ParseCardPiece("plan.md", piece, parses.empty()));
  ASSERT_TRUE(common::JoinCardPieces(std::move(parses)).has_value()) << "the pieces were refused: parsed whole";
  ExpectSameAsWhole(corpus);
}

TEST(CardPiecesTest, CutsFallBeforeIdHeadingsAtTheShallowestLevelOutsideCode) {
  std::string text =
      "# Plan\n\nintro\n\n"
      "## WS-01: One\n\n**Duration**: 1 day\n\n```bash\n## WS-09: not a heading\n```\n\n"
      "### WS-05 notes\n\n"
      "## WS-02: Two\n\n~~~~\n~~~\n## WS-08: still code\n~~~~\n\n"
      "## WS-03: Three\n\n**Duration**: 1 day\n";
  EXPECT_EQ(PieceStarts(text), (std::vector<std::string>{"1:# Plan", "15:## WS-02: Two", "22:## WS-03: Three"}));
  ExpectSameAsWhole(text);
}

TEST(CardPiecesTest, MarkdownThatReachesAcrossACutLeavesTheFileWhole) {
  const std::string cards = "## WS-01: One\n\n**Duration**: 1 day\n\n## WS-02: Two\n\n**Duration**: 1 day\n\n";
  for (const std::string& tail : {
           std::string("## WS-03: Three\n\n<!--\n## WS-04: in a comment\n-->\n"),  // an HTML block
           std::string("## WS-03: Three\n\nSee [the guide].\n\n[the guide]: https://example.com\n"),
           std::string("## WS-03: Three\n\n1. Run:\n   ```bash\n## WS-04: after the list\n```\n## WS-05: code\n```\n"),
           std::string("## WS-03: Three\r## WS-04: a lone carriage return\n"),
       }) {
    std::string text = cards + tail;
    EXPECT_EQ(CutCardText(text, 1).size(), 1u) << tail;
    ExpectSameAsWhole(text);
  }
}

TEST(CardPiecesTest, PiecesThatWouldReadDifferentlyAreParsedWhole) {
  // A setext heading shallower than the cuts: read whole, WS-03's section runs to it.
  std::string shallower =
      "## WS-01: One\n\n**Duration**: 1 day\n\nWS-02: Two\n===\n\n**Duration**: 1 day\n\n## WS-03: Three\n\n"
      "**Duration**: 1 day\n";
  // A file that reads as one card (an ID field before its first ID heading).
  std::string single = "**ID**: WS-07\n\n## WS-01: One\n\n**Duration**: 1 day\n\n## WS-02: Two\n\n**Duration**: 1 day\n";
  // A nested ID heading without card fields is a section of the card around it.
  std::string nested =
      "## WS-01: One\n\n**Duration**: 1 day\n\n### WS-04 (ComfyUI Setup)\n\nnotes\n\n"
      "## WS-02: Two\n\n**Dependencies**: WS-01\n";
  for (const std::string& text : {shallower, single, nested}) {
    EXPECT_GT(CutCardText(text, 1).size(), 1u);
    ExpectSameAsWhole(text);
  }
  EXPECT_EQ(ParseCardDocument("plan.md", nested, 1).workstreams.size(), 2u);
}

// Random files from the pieces of markdown that could fool a cut (fences of every kind,
// lists, quotes, setext and indented headings, nested ID headings, fields): cut or whole,
// each reads the same. The seed is fixed: a failure is the same failure each run.
TEST(CardPiecesTest, RandomCardFilesReadTheSameCutOrWhole) {
  const std::vector<std::string> fragments = {
      "## WS-%: Card\n\n", "## WS-%: Card\n\n", "## WS-%: Card\n\n", "## WS-%: Card\n\n", "# WS-%: Top\n\n", "### WS-%: Deeper\n\n", " ## WS-%: Indented\n\n",
      "**Duration**: 1 day\n", "**Dependencies**: WS-%\n", "**ID**: WS-%\n", "**Priority**: P1\n",
      "\n", "text\n", "```bash\n", "```\n", "~~~\n", "````\n", "   ```\n", "  ~~~ sh\n",
      "- item\n", "1. step\n", "   ```bash\n   make\n   ```\n", "> quote\n", "> ```\n", "    indented\n",
      "WS-%: Setext\n===\n", "WS-%: Setext two\n---\n", "### Deliverables\n", "- [ ] `out/%.txt`\n",
      "## Test Commands\n", "### WS-% (notes)\n", "\tcode\n", "| a | b |\n|---|---|\n| 1 | 2 |\n",
      "```x`y\n", "## WS-XX: Placeholder\n\n"};
  uint64_t state = 20261204;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(state >> 33);
  };
  int cut = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    size_t count = 6 + next() % 24;
    for (size_t i = 0; i < count; ++i) {
      std::string fragment = fragments[next() % fragments.size()];
      if (size_t at = fragment.find('%'); at != std::string::npos) fragment.replace(at, 1, std::to_string(1 + next() % 30));
      text += fragment;
    }
    if (std::vector<CardPiece> pieces = CutCardText(text, 1); pieces.size() > 1) {
      std::vector<common::CardPieceParse> parses;
      for (const CardPiece& piece : pieces) parses.push_back(common::ParseCardPiece("plan.md", piece, parses.empty()));
      if (common::JoinCardPieces(std::move(parses))) ++cut;  // read in pieces, not whole again
    }
    SCOPED_TRACE("round " + std::to_string(round) + ":\n" + text);
    ExpectSameAsWhole(text);
    if (HasFailure()) return;
  }
  EXPECT_GT(cut, 200) << "too few files were cut for the comparison to mean anything";
}

TEST(CardPiecesTest, LineNumbersCountFromTheFileNotThePiece) {
  std::string text = "## WS-01: One\n\n**Duration**: 1 day\n\n## WS-02: Two\n\n**Priority**: urgent\n";
  ParsedDocument document = ParseCardDocument("plan.md", text, 1);
  ASSERT_EQ(document.workstreams.size(), 2u);
  EXPECT_EQ(document.workstreams[1].where.line, 5);
  EXPECT_NE(Diagnostics(document).find("plan.md:7"), std::string::npos) << Diagnostics(document);
}

}  // namespace
}  // namespace wsfleet::coordinator
