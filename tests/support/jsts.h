// Where the official JSON-Schema-Test-Suite is: RUNMOCK_JSTS_DIR, else the folder the build was
// configured with (../shared/jsts beside the checkout). Tests that use it fail, never skip, when it
// is missing, so the suite cannot silently drop out of CI.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace runmock::testing {

inline std::filesystem::path jsts_dir() {
  if (const char* env = std::getenv("RUNMOCK_JSTS_DIR"); env && *env) return env;
#ifdef RUNMOCK_JSTS_DEFAULT_DIR
  return RUNMOCK_JSTS_DEFAULT_DIR;
#else
  return "../shared/jsts";
#endif
}

inline nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return nlohmann::json::parse(in);
}

}  // namespace runmock::testing
