// Runs the official JSON-Schema-Test-Suite (draft 2020-12 and draft-07, required and optional
// tests) through runmock's validator. One GoogleTest test per suite file. Every test of the suite
// must pass except those listed in kExceptions, each with its reason; an exception that starts
// passing fails too, so the list cannot go stale.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/jsts.h"
#include "validator/validator.h"

namespace fs = std::filesystem;
using nlohmann::json;
using runmock::schema::CompileOptions;
using runmock::schema::Draft;
using runmock::schema::SchemaRegistry;

namespace {

// "<draft>/<file relative to the draft folder>" → reason. A whole file when no test is named,
// else "<draft>/<file>|<group description>|<test description>".
const std::map<std::string, std::string> kExceptions = {
    {"draft2020-12/optional/cross-draft.json|refs to historic drafts are processed as historic drafts|first item not a string is valid",
     "draft 2019-09 is not one of runmock's dialects (2020-12 and draft-07); a 2019-09 schema is read as 2020-12, "
     "so its prefixItems applies"},
    {"draft7/optional/content.json",
     "contentEncoding and contentMediaType are annotations only, as draft 2020-12 requires; draft-07 leaves their "
     "validation optional and runmock keeps one behaviour for both"},
};

struct Document {
  std::string uri;
  json value;
};

// The remotes (served as http://localhost:1234/) and the meta-schemas, read once.
const std::vector<Document>& support_documents() {
  static const std::vector<Document> documents = [] {
    std::vector<Document> docs;
    fs::path root = runmock::testing::jsts_dir();
    for (const auto& entry : fs::recursive_directory_iterator(root / "remotes")) {
      if (entry.path().extension() != ".json") continue;
      std::string relative = fs::relative(entry.path(), root / "remotes").generic_string();
      docs.push_back({"http://localhost:1234/" + relative, runmock::testing::read_json_file(entry.path())});
    }
    for (const auto& entry : fs::recursive_directory_iterator(root / "metaschemas")) {
      if (entry.path().extension() != ".json") continue;
      json doc = runmock::testing::read_json_file(entry.path());
      if (doc.contains("$id")) docs.push_back({doc["$id"].get<std::string>(), std::move(doc)});
    }
    return docs;
  }();
  return documents;
}

void fill(SchemaRegistry& registry) {
  for (const auto& doc : support_documents()) {
    try {
      registry.add(doc.uri, doc.value);
    } catch (const runmock::schema::SchemaError&) {
      // A remote that names itself like another one (the suite's drafts share a few ids): the
      // first registered wins, as a retrieving implementation would cache it.
    }
  }
}

class SuiteFileTest : public ::testing::Test {
 public:
  SuiteFileTest(Draft draft, std::string draft_name, fs::path file, std::string relative)
      : draft_(draft), draft_name_(std::move(draft_name)), file_(std::move(file)), relative_(std::move(relative)) {}

  void TestBody() override {
    const std::string file_key = draft_name_ + "/" + relative_;
    const bool file_excepted = kExceptions.count(file_key) > 0;
    CompileOptions options;
    options.format_assertion = relative_.rfind("optional/format/", 0) == 0;
    json groups = runmock::testing::read_json_file(file_);
    std::size_t passed = 0, failed_as_expected = 0;
    std::vector<std::string> failures;
    for (const auto& group : groups) {
      const std::string group_name = group["description"].get<std::string>();
      SchemaRegistry registry(draft_);
      fill(registry);
      runmock::schema::Schema schema;
      std::string compile_error;
      try {
        schema = registry.compile_document(group["schema"], options);
      } catch (const std::exception& e) {
        compile_error = e.what();
      }
      for (const auto& test : group["tests"]) {
        const std::string test_name = test["description"].get<std::string>();
        const std::string key = file_key + "|" + group_name + "|" + test_name;
        bool expected = test["valid"].get<bool>();
        std::string problem;
        if (!compile_error.empty()) {
          problem = "schema did not compile: " + compile_error;
        } else {
          std::vector<runmock::schema::ValidationError> errors;
          bool fast = schema.validate(test["data"]);
          bool full = schema.validate(test["data"], errors);
          if (fast != full) {
            problem = "fast and full validation disagree";
          } else if (full != expected) {
            problem = std::string("expected ") + (expected ? "valid" : "invalid") + ", got " + (full ? "valid" : "invalid");
            if (!errors.empty()) problem += " (" + errors.front().instance_location + ": " + errors.front().message + ")";
          } else if (!full && errors.empty()) {
            problem = "invalid, but no error was reported";
          }
        }
        bool excepted = file_excepted || kExceptions.count(key) > 0;
        if (problem.empty()) {
          ++passed;
          if (kExceptions.count(key)) failures.push_back(key + ": listed as an exception but passes now; remove it from kExceptions");
        } else if (excepted) {
          ++failed_as_expected;
        } else {
          failures.push_back(key + ": " + problem);
        }
      }
    }
    RecordProperty("passed", static_cast<int>(passed));
    RecordProperty("excepted", static_cast<int>(failed_as_expected));
    if (file_excepted && failed_as_expected == 0) failures.push_back(file_key + ": listed as an exception but every test passes now");
    for (const auto& failure : failures) ADD_FAILURE() << failure;
  }

 private:
  Draft draft_;
  std::string draft_name_;
  fs::path file_;
  std::string relative_;
};

std::string test_name_of(std::string relative) {
  relative = relative.substr(0, relative.size() - 5);
  for (char& ch : relative) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return relative;
}

void register_suite() {
  fs::path root = runmock::testing::jsts_dir();
  if (!fs::is_directory(root / "tests")) {
    ::testing::RegisterTest("JsonSchemaTestSuite", "Present", nullptr, nullptr, __FILE__, __LINE__,
                            [root]() -> ::testing::Test* {
                              struct Missing : ::testing::Test {
                                fs::path where;
                                void TestBody() override {
                                  FAIL() << "the JSON-Schema-Test-Suite is not at " << where
                                         << " (set RUNMOCK_JSTS_DIR to its folder)";
                                }
                              };
                              auto* test = new Missing;
                              test->where = root;
                              return test;
                            });
    return;
  }
  const std::pair<const char*, Draft> drafts[] = {{"draft2020-12", Draft::draft2020_12}, {"draft7", Draft::draft7}};
  for (const auto& [name, draft] : drafts) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root / "tests" / name)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::string suite = std::string("Jsts_") + (draft == Draft::draft7 ? "draft7" : "draft2020_12");
    for (const auto& file : files) {
      std::string relative = fs::relative(file, root / "tests" / name).generic_string();
      Draft d = draft;
      std::string draft_name = name;
      ::testing::RegisterTest(suite.c_str(), test_name_of(relative).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                              [d, draft_name, file, relative]() -> ::testing::Test* {
                                return new SuiteFileTest(d, draft_name, file, relative);
                              });
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  register_suite();
  return RUN_ALL_TESTS();
}
