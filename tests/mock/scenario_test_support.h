// Helpers for the scenario tests: the contracts (loaded once), temporary folders.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

#include "loader/api_contract.h"
#include "scenario/loader.h"

namespace runmock::testing {

inline const std::map<std::string, contracts::ApiContract>& all_contracts() {
  static const auto contracts = contracts::load_all(contracts::default_contracts_dir());
  return contracts;
}

// How many scenario files (*.yaml, *.yml) a folder holds, searched recursively.
inline std::size_t count_scenario_files(const std::filesystem::path& dir) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    auto ext = entry.path().extension();
    count += entry.is_regular_file() && (ext == ".yaml" || ext == ".yml");
  }
  return count;
}

inline scenario::LoadOptions load_options() {
  scenario::LoadOptions options;
  options.contracts = &all_contracts();
  return options;
}

// A fresh folder under the system's temp folder, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() / ("runmock-scenario-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace runmock::testing
