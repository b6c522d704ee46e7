// Helpers of the import tests: documents from text, and scratch folders removed after the test.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "import/document_set.h"
#include "import/import_error.h"

namespace runmock::import::testing {

inline DocumentSet document(const std::string& yaml, const std::string& name = "test.yaml") {
  return DocumentSet::from(SourceDocument::parse(yaml, name, false));
}

// A folder under the system's temporary folder, unique to the process and the call, removed when
// the object goes.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() / ("runmock-import-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

// The message of the ImportError `f` throws, and its exit code (-1 when it throws none).
template <typename F>
std::pair<int, std::string> import_failure(F&& f) {
  try {
    f();
  } catch (const ImportError& e) {
    return {e.exit_code(), e.what()};
  }
  return {-1, ""};
}

}  // namespace runmock::import::testing
