// Scenario files: the input is one scenario document, loaded against the bundled contracts (read
// once, from the source tree). A document either loads or is refused with at least one error.
#include <filesystem>

#include "fuzz_support.h"
#include "loader/api_contract.h"
#include "scenario/loader.h"

namespace {

namespace scenario = runmock::scenario;
using runmock::fuzz::check;

const scenario::LoadOptions& load_options() {
  static const auto contracts = runmock::contracts::load_all(std::filesystem::path(RUNMOCK_SOURCE_DIR) / "contracts");
  static const scenario::LoadOptions options = [] {
    scenario::LoadOptions o;
    o.contracts = &contracts;
    return o;
  }();
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  std::string text(runmock::fuzz::as_text(data, size));
  scenario::LoadResult result = scenario::load_scenario_text("fuzz.yaml", text, load_options());
  check(result.ok() || !result.report().empty(), "a document that does not load is refused with an error");
  return 0;
}
