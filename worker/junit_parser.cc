#include "worker/junit_parser.h"

#include <pugixml.hpp>

#include "absl/status/status.h"

namespace wsfleet::worker {
namespace {

void CollectSuite(const pugi::xml_node& suite, std::vector<ParsedTest>& tests) {
  for (pugi::xml_node child : suite.children()) {
    std::string_view tag = child.name();
    if (tag == "testsuite") {
      CollectSuite(child, tests);  // nested suites are shallow in practice; depth is bounded
      continue;
    }
    if (tag != "testcase") continue;
    ParsedTest test;
    test.framework = "junit";
    test.suite = child.attribute("classname").as_string(suite.attribute("name").as_string());
    test.name = child.attribute("name").as_string();
    test.seconds = child.attribute("time").as_double(0);
    if (child.child("failure")) {
      test.outcome = TestOutcome::kFailed;
    } else if (child.child("error")) {
      test.outcome = TestOutcome::kError;
    } else if (child.child("skipped")) {
      test.outcome = TestOutcome::kSkipped;
    }
    tests.push_back(std::move(test));
  }
}

bool TooDeep(const pugi::xml_node& root) {
  constexpr int kMaxDepth = 32;
  int depth = 0;
  for (pugi::xml_node node = root; node; node = node.first_child()) {
    if (++depth > kMaxDepth) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::vector<ParsedTest>> ParseJUnitXml(std::string_view xml) {
  pugi::xml_document document;
  pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return absl::InvalidArgumentError(std::string("not XML: ") + parsed.description() +
                                      " at offset " + std::to_string(parsed.offset));
  }
  pugi::xml_node root = document.document_element();
  std::string_view tag = root.name();
  if (tag != "testsuites" && tag != "testsuite") {
    return absl::InvalidArgumentError("not a JUnit report (root element <" + std::string(tag) +
                                      ">)");
  }
  if (TooDeep(root)) return absl::InvalidArgumentError("JUnit report nested too deeply");
  std::vector<ParsedTest> tests;
  if (tag == "testsuite") {
    CollectSuite(root, tests);
  } else {
    for (pugi::xml_node suite : root.children("testsuite")) CollectSuite(suite, tests);
  }
  return tests;
}

}  // namespace wsfleet::worker
