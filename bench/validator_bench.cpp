// Validations per second, single thread, on the emergence run-detail schema (getWorkflowRun's
// 200 response) with the seed's valid instance and an invalid one, in both modes: the boolean
// fast path the mock uses on every exchange, and the full error report.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "loader/api_contract.h"
#include "loader/yaml_json.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Subject {
  runmock::contracts::ApiContract contract;
  const runmock::schema::Schema* run_detail;
  json valid;
  json invalid;
};

const Subject& subject() {
  static const Subject s = [] {
    fs::path root = RUNMOCK_SOURCE_DIR;
    auto contract = runmock::contracts::ApiContract::load(root / "contracts" / "emergence");
    json valid = runmock::contracts::read_document(root / "fixtures" / "emergence" / "examples" / "get-run.seed-002.json")["body"];
    json invalid = valid;
    invalid["status"] = 42;
    invalid["workflow_type"] = "generate-foo";
    invalid["started_at"] = "yesterday";
    invalid.erase("configuration_id");
    return Subject{std::move(contract), nullptr, std::move(valid), std::move(invalid)};
  }();
  return s;
}

const runmock::schema::Schema& run_detail_schema() {
  const auto& s = subject();
  const auto* schema = s.contract.model("workflow-run-detail.schema.json");
  if (!schema) throw std::runtime_error("emergence has no workflow-run-detail.schema.json");
  return *schema;
}

void fast(benchmark::State& state, const json& instance, bool expected) {
  const auto& schema = run_detail_schema();
  for (auto _ : state) {
    bool valid = schema.validate(instance);
    if (valid != expected) state.SkipWithError("unexpected verdict");
    benchmark::DoNotOptimize(valid);
  }
  state.SetItemsProcessed(state.iterations());
}

void full(benchmark::State& state, const json& instance, bool expected) {
  const auto& schema = run_detail_schema();
  std::vector<runmock::schema::ValidationError> errors;
  for (auto _ : state) {
    errors.clear();
    bool valid = schema.validate(instance, errors);
    if (valid != expected) state.SkipWithError("unexpected verdict");
    benchmark::DoNotOptimize(valid);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RunDetail_Valid_Fast(benchmark::State& state) { fast(state, subject().valid, true); }
void BM_RunDetail_Invalid_Fast(benchmark::State& state) { fast(state, subject().invalid, false); }
void BM_RunDetail_Valid_Full(benchmark::State& state) { full(state, subject().valid, true); }
void BM_RunDetail_Invalid_Full(benchmark::State& state) { full(state, subject().invalid, false); }

BENCHMARK(BM_RunDetail_Valid_Fast);
BENCHMARK(BM_RunDetail_Invalid_Fast);
BENCHMARK(BM_RunDetail_Valid_Full);
BENCHMARK(BM_RunDetail_Invalid_Full);

}  // namespace

BENCHMARK_MAIN();
