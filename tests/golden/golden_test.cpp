// The golden test: every answer runmock serves for the requests of tests/golden/script.yaml,
// compared byte for byte with tests/golden/answers.*.golden. RUNMOCK_UPDATE_GOLDEN=1 rewrites the
// file instead; RUNMOCK_GOLDEN_BINARY runs another runmock binary (e.g. one built before a change),
// RUNMOCK_GOLDEN_BINARY_SOURCE_DIR names the source tree it was built from.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "golden/runner.h"

namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = RUNMOCK_GOLDEN_DIR;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The transcript cut into its blocks: each starts with a line `=== `.
std::vector<std::string> blocks(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t next = text.find("\n=== ", start);
    std::size_t end = next == std::string::npos ? text.size() : next + 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

// At most `limit` characters of a block, from a little before `at` (where the two blocks differ).
std::string excerpt(const std::string& block, std::size_t at, std::size_t limit = 3000) {
  std::size_t from = at > limit / 3 ? at - limit / 3 : 0;
  std::string head = block.substr(0, block.find('\n') + 1);
  std::string out = from > 0 ? head + "[... " + std::to_string(from) + " characters ...]" : "";
  out += block.substr(from, limit);
  if (from + limit < block.size()) out += "[... " + std::to_string(block.size() - from - limit) + " more characters]";
  return out;
}

// The golden file is kept in parts of at most kPartBytes (answers.1.golden, answers.2.golden ...),
// each ending at a block's end, so that no tracked file is over 1 MiB.
constexpr std::size_t kPartBytes = 768 * 1024;

fs::path part_path(std::size_t n) { return kGoldenDir / ("answers." + std::to_string(n) + ".golden"); }

std::string read_golden() {
  std::string text;
  for (std::size_t n = 1; fs::exists(part_path(n)); ++n) text += read_file(part_path(n));
  return text;
}

void write_golden(const std::string& text) {
  for (std::size_t n = 1; fs::exists(part_path(n)); ++n) fs::remove(part_path(n));
  std::string part;
  std::size_t n = 1;
  for (const auto& block : blocks(text)) {
    if (!part.empty() && part.size() + block.size() > kPartBytes) {
      write_file(part_path(n++), part);
      part.clear();
    }
    part += block;
  }
  if (!part.empty()) write_file(part_path(n), part);
}

std::string first_difference(const std::string& expected, const std::string& actual) {
  auto want = blocks(expected), got = blocks(actual);
  for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string& a = i < want.size() ? want[i] : std::string("(no block: the golden file ends here)\n");
    const std::string& b = i < got.size() ? got[i] : std::string("(no block: the transcript ends here)\n");
    if (a == b) continue;
    std::size_t at = 0;
    while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
    return "block " + std::to_string(i + 1) + " differs at character " + std::to_string(at) + "\n--- expected (answers.golden):\n" + excerpt(a, at) +
           "\n--- actual:\n" + excerpt(b, at);
  }
  return "";
}

std::string binary() {
  const char* other = std::getenv("RUNMOCK_GOLDEN_BINARY");
  return other && *other ? other : RUNMOCK_BINARY;
}

// The source tree of that other binary (empty: this one's).
std::string binary_source_dir() {
  const char* dir = std::getenv("RUNMOCK_GOLDEN_BINARY_SOURCE_DIR");
  return dir ? dir : "";
}

TEST(Golden, EveryAnswerMatchesTheGoldenFile) {
  auto start = std::chrono::steady_clock::now();
  runmock::golden::Runner runner(RUNMOCK_SOURCE_DIR, binary(), binary_source_dir());
  std::string actual = runner.run(kGoldenDir / "script.yaml");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << runner.exchanges() << " exchanges in " << seconds << " s against " << binary() << "\n";
  // The transcript beside the test binary, for a diff by hand.
  write_file("answers.actual", actual);
  EXPECT_EQ(runner.missing(), std::vector<std::string>{}) << "API operations no exchange of the script reached";
  const char* update = std::getenv("RUNMOCK_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    write_golden(actual);
    std::cout << "rewrote " << (kGoldenDir / "answers.*.golden").string() << "\n";
    return;
  }
  ASSERT_TRUE(fs::exists(part_path(1))) << "no golden file: run with RUNMOCK_UPDATE_GOLDEN=1 to write it";
  std::string expected = read_golden();
  if (expected != actual) FAIL() << first_difference(expected, actual) << "\n(the whole transcript: " << fs::absolute("answers.actual").string() << ")";
}

}  // namespace
