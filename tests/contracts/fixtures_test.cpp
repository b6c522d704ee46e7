// Every documented example in fixtures/<api>/examples/ satisfies its contract, and every negative
// case in fixtures/<api>/negative/ is rejected with the error it names (instance location and
// keyword). One test per fixture file.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "loader/api_contract.h"
#include "loader/yaml_json.h"
#include "validator/validator.h"

namespace fs = std::filesystem;
using nlohmann::json;
using runmock::contracts::ApiContract;
using runmock::schema::ValidationError;

namespace {

const fs::path kSource = RUNMOCK_SOURCE_DIR;

const ApiContract& contract_of(const std::string& api) {
  static std::map<std::string, ApiContract> contracts = runmock::contracts::load_all(kSource / "contracts");
  return contracts.at(api);
}

const runmock::schema::Schema& fixture_format() {
  static runmock::schema::SchemaRegistry registry;
  static runmock::schema::Schema schema = [] {
    runmock::schema::CompileOptions options;
    options.format_assertion = true;
    return registry.compile_document(runmock::contracts::read_document(kSource / "fixtures" / "fixture.schema.json"), options);
  }();
  return schema;
}

struct Finding {
  std::string in;  // body, path, query or header
  ValidationError error;
};

std::vector<Finding> check(const ApiContract& contract, const json& fixture) {
  std::vector<Finding> findings;
  const auto* operation = contract.find(fixture.at("operation").get<std::string>());
  if (!operation) {
    findings.push_back({"body", {"", "", "no operation " + fixture["operation"].dump() + " in " + contract.name()}});
    return findings;
  }
  std::string variant = fixture.value("variant", "");
  // A response's parameters only say which request it answers (possibly a bad one, for an error).
  if (fixture.contains("parameters") && fixture["direction"] == "request") {
    for (const auto& [in, values] : fixture["parameters"].items()) {
      auto strings = values.get<std::map<std::string, std::string>>();
      for (auto& e : contract.check_parameters(*operation, in, strings)) findings.push_back({in, std::move(e)});
    }
  }
  const json& body = fixture.at("body");
  std::vector<ValidationError> errors;
  if (fixture["direction"] == "request") {
    if (!body.is_null() || operation->body_required) {
      std::string media = fixture.value("content_type", "application/json");
      errors = contract.check_request_body(*operation, body, media, variant);
    }
  } else {
    errors = contract.check_response_body(*operation, fixture.at("status").get<int>(), body, variant);
  }
  for (auto& e : errors) findings.push_back({"body", std::move(e)});
  return findings;
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += "\n  " + f.in + " " + f.error.instance_location + ": " + f.error.message + " [" + f.error.schema_location + "]";
  return out;
}

bool ends_with_keyword(const std::string& location, const std::string& keyword) {
  std::string tail = "/" + keyword;
  return location.size() >= tail.size() && location.compare(location.size() - tail.size(), tail.size(), tail) == 0;
}

class FixtureTest : public ::testing::Test {
 public:
  FixtureTest(std::string api, fs::path file, bool negative) : api_(std::move(api)), file_(std::move(file)), negative_(negative) {}

  void TestBody() override {
    json fixture = runmock::contracts::read_document(file_);
    std::vector<ValidationError> format_errors;
    ASSERT_TRUE(fixture_format().validate(fixture, format_errors))
        << file_ << " does not follow fixtures/fixture.schema.json: " << format_errors.front().instance_location << ": "
        << format_errors.front().message;
    auto findings = check(contract_of(api_), fixture);
    if (!negative_) {
      EXPECT_TRUE(findings.empty()) << file_ << " should satisfy its contract:" << describe(findings);
      return;
    }
    ASSERT_TRUE(fixture.contains("expect")) << file_ << ": a negative fixture names the errors it expects";
    EXPECT_FALSE(findings.empty()) << file_ << " should be rejected";
    for (const auto& expected : fixture["expect"]) {
      std::string in = expected.value("in", "body");
      std::string instance = expected.at("instance").get<std::string>();
      std::string keyword = expected.value("keyword", "");
      bool found = false;
      for (const auto& f : findings) {
        found = found || (f.in == in && f.error.instance_location == instance && (keyword.empty() || ends_with_keyword(f.error.schema_location, keyword)));
      }
      EXPECT_TRUE(found) << file_ << " should fail " << (keyword.empty() ? "" : "'" + keyword + "' ") << "at " << in << " '" << instance
                         << "'; it fails with:" << describe(findings);
    }
  }

 private:
  std::string api_;
  fs::path file_;
  bool negative_;
};

std::string test_name(const fs::path& file) {
  std::string name = file.stem().string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

void register_fixtures() {
  for (const std::string api : {"emergence", "amperity", "pennsieve"}) {
    for (const char* kind : {"examples", "negative"}) {
      fs::path dir = kSource / "fixtures" / api / kind;
      std::vector<fs::path> files;
      if (fs::is_directory(dir)) {
        for (const auto& entry : fs::directory_iterator(dir)) {
          if (entry.path().extension() == ".json") files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      std::string suite = "Fixtures_" + api + "_" + kind;
      bool negative = std::string(kind) == "negative";
      if (files.empty()) {
        ::testing::RegisterTest(suite.c_str(), "Present", nullptr, nullptr, __FILE__, __LINE__, [dir]() -> ::testing::Test* {
          struct Missing : ::testing::Test {
            fs::path where;
            void TestBody() override { FAIL() << "no fixtures in " << where; }
          };
          auto* t = new Missing;
          t->where = dir;
          return t;
        });
      }
      for (const auto& file : files) {
        ::testing::RegisterTest(suite.c_str(), test_name(file).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                [api, file, negative]() -> ::testing::Test* { return new FixtureTest(api, file, negative); });
      }
    }
  }
}

const bool registered = (register_fixtures(), true);

}  // namespace
