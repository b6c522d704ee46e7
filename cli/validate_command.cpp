#include "validate_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "loader/api_contract.h"
#include "loader/form_body.h"
#include "loader/source_locations.h"
#include "validator/validator.h"

namespace runmock::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using schema::ValidationError;

constexpr int kValid = 0;
constexpr int kInvalid = 1;
constexpr int kUsageError = 2;

struct ValidateOptions {
  std::string api;
  std::string operation;
  bool request = false;
  std::optional<int> response_status;
  std::string variant;
  std::string content_type = "application/json";
  std::string contracts_dir;
  std::string schema_file;
  std::vector<std::string> ref_files;
  std::string draft = "2020-12";
  bool format_assert = false;
  bool json_output = false;
  std::vector<std::string> files;
};

// A usage or I/O problem: exit 2 with the message.
struct UsageError {
  std::string message;
};

std::string read_input(const std::string& file) {
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError{file + ": cannot read the file"};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

json parse_schema_file(const std::string& file) {
  std::string text = read_input(file);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, column] = contracts::line_column_of_offset(text, e.byte == 0 ? 0 : e.byte - 1);
    throw UsageError{file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": not valid JSON"};
  }
}

std::string file_uri(const std::string& file) { return "file://" + fs::absolute(file).lexically_normal().generic_string(); }

// Checks one payload; `check` gets the parsed payload (a JSON value, or a form decoded to one).
using Check = std::function<std::vector<ValidationError>(const json&)>;

struct FileResult {
  std::string file;
  std::vector<ValidationError> errors;
};

FileResult check_file(const std::string& file, bool form, const Check& check) {
  std::string text = read_input(file);
  json payload;
  if (form) {
    payload = contracts::decode_form(text);
  } else {
    try {
      payload = json::parse(text);
    } catch (const json::parse_error& e) {
      auto [line, column] = contracts::line_column_of_offset(text, e.byte == 0 ? 0 : e.byte - 1);
      return {file, {{"", "", "not valid JSON (line " + std::to_string(line) + ", column " + std::to_string(column) + ")"}}};
    }
  }
  return {file, check(payload)};
}

int report(const std::vector<FileResult>& results, bool json_output) {
  bool all_valid = true;
  json out = json::array();
  for (const auto& result : results) {
    all_valid = all_valid && result.errors.empty();
    if (json_output) {
      json errors = json::array();
      for (const auto& e : result.errors) {
        errors.push_back({{"instance_location", e.instance_location}, {"schema_location", e.schema_location}, {"message", e.message}});
      }
      out.push_back({{"file", result.file}, {"valid", result.errors.empty()}, {"errors", errors}});
      continue;
    }
    if (result.errors.empty()) std::cout << result.file << ": valid\n";
    for (const auto& e : result.errors) {
      std::cout << result.file << ": " << (e.instance_location.empty() ? "/" : e.instance_location) << ": " << e.message;
      if (!e.schema_location.empty()) std::cout << " [" << e.schema_location << "]";
      std::cout << "\n";
    }
  }
  if (json_output) std::cout << out.dump(2) << "\n";
  return all_valid ? kValid : kInvalid;
}

int run_contract(const ValidateOptions& options) {
  if (options.operation.empty()) throw UsageError{"--api needs --operation"};
  if (options.request == options.response_status.has_value()) throw UsageError{"give exactly one of --request and --response STATUS"};
  fs::path dir = options.contracts_dir.empty() ? contracts::default_contracts_dir() : fs::path(options.contracts_dir);
  if (!fs::exists(dir / options.api / "openapi.yaml")) throw UsageError{"no API '" + options.api + "' in " + dir.string()};
  auto contract = std::make_shared<contracts::ApiContract>(contracts::ApiContract::load(dir / options.api));
  const contracts::Operation* operation = contract->find(options.operation);
  if (!operation) {
    std::string known;
    for (const auto& op : contract->operations()) known += (known.empty() ? "" : ", ") + op.id;
    throw UsageError{"'" + options.operation + "' is not an operation of " + options.api + " (" + known + ")"};
  }
  bool form = options.request && options.content_type == "application/x-www-form-urlencoded";
  Check check = [&](const json& payload) {
    if (options.request) return contract->check_request_body(*operation, payload, options.content_type, options.variant);
    return contract->check_response_body(*operation, *options.response_status, payload, options.variant);
  };
  std::vector<FileResult> results;
  for (const auto& file : options.files) results.push_back(check_file(file, form, check));
  return report(results, options.json_output);
}

int run_schema(const ValidateOptions& options) {
  schema::Draft draft;
  if (options.draft == "2020-12") draft = schema::Draft::draft2020_12;
  else if (options.draft == "7" || options.draft == "07" || options.draft == "draft-07") draft = schema::Draft::draft7;
  else throw UsageError{"--draft must be 2020-12 or 7"};
  schema::SchemaRegistry registry(draft);
  std::map<std::string, std::string> file_of_uri;
  auto register_file = [&](const std::string& file) {
    json doc = parse_schema_file(file);
    std::string uri = doc.is_object() && doc.contains("$id") && doc["$id"].is_string() ? doc["$id"].get<std::string>() : file_uri(file);
    if (!uri.empty() && uri.back() == '#') uri.pop_back();
    file_of_uri[uri] = file;
    registry.add(uri, std::move(doc));
    return uri;
  };
  schema::Schema compiled;
  try {
    for (const auto& ref : options.ref_files) register_file(ref);
    std::string root = register_file(options.schema_file);
    schema::CompileOptions compile_options;
    compile_options.format_assertion = options.format_assert;
    compiled = registry.compile(root, compile_options);
  } catch (const schema::SchemaError& e) {
    // Name the file, line and column of the broken keyword where it is one of the given files.
    const std::string& location = e.schema_location();
    auto hash = location.find('#');
    auto it = file_of_uri.find(location.substr(0, hash));
    if (it == file_of_uri.end()) throw UsageError{"schema error: " + std::string(e.what())};
    auto where = contracts::locate_pointer(read_input(it->second), hash == std::string::npos ? "" : location.substr(hash + 1));
    std::string place = it->second + (where ? ":" + std::to_string(where->line) + ":" + std::to_string(where->column) : "");
    throw UsageError{place + ": " + e.detail()};
  }
  Check check = [&](const json& payload) {
    std::vector<ValidationError> errors;
    compiled.validate(payload, errors);
    return errors;
  };
  std::vector<FileResult> results;
  for (const auto& file : options.files) results.push_back(check_file(file, false, check));
  return report(results, options.json_output);
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand("validate", "Validate JSON payloads against an API operation's contract or a JSON Schema");
  cmd->footer(
      "Examples:\n"
      "  runmock validate --api emergence --operation createWorkflowRun --request body.json\n"
      "  runmock validate --api emergence --operation createWorkflowRun --request --workflow-type profiling body.json\n"
      "  runmock validate --api amperity --operation getWorkflowRun --response 200 --variant verbose run.json\n"
      "  runmock validate --schema schema.json --ref common.json --format-assert data.json\n"
      "Exit status: 0 all valid, 1 some invalid, 2 usage or I/O error.");
  auto* api = cmd->add_option("--api", options->api, "API whose contract to use (a folder of contracts/)");
  cmd->add_option("--operation", options->operation, "operationId in the API's OpenAPI document")->needs(api);
  cmd->add_flag("--request", options->request, "FILEs are request bodies")->needs(api);
  cmd->add_option("--response", options->response_status, "FILEs are response bodies of this HTTP status")->needs(api);
  cmd->add_option("--variant,--workflow-type", options->variant,
                  "request variant (emergence: the configuration's workflow type) or response variant (amperity: the view)")
      ->needs(api);
  cmd->add_option("--content-type", options->content_type, "media type of request FILEs (application/x-www-form-urlencoded reads a form)")
      ->needs(api);
  cmd->add_option("--contracts", options->contracts_dir, "folder holding the API contracts (default: the bundled contracts/)")->needs(api);
  auto* schema = cmd->add_option("--schema", options->schema_file, "validate against this JSON Schema file")->excludes(api);
  cmd->add_option("--ref", options->ref_files, "another schema a $ref may reach, registered under its $id")->needs(schema);
  cmd->add_option("--draft", options->draft, "dialect of schemas without $schema: 2020-12 (default) or 7")->needs(schema);
  cmd->add_flag("--format-assert", options->format_assert, "make `format` an assertion")->needs(schema);
  cmd->add_flag("--json", options->json_output, "print machine-readable results");
  cmd->add_option("FILE", options->files, "JSON payload files; - reads standard input")->required();
  cmd->callback([options, &exit_code] {
    try {
      if (options->api.empty() && options->schema_file.empty()) throw UsageError{"give --api (with --operation) or --schema"};
      exit_code = options->api.empty() ? run_schema(*options) : run_contract(*options);
    } catch (const UsageError& e) {
      std::cerr << "runmock validate: " << e.message << "\n";
      exit_code = kUsageError;
    } catch (const contracts::ContractError& e) {
      std::cerr << "runmock validate: broken contract: " << e.what() << "\n";
      exit_code = kUsageError;
    } catch (const std::exception& e) {
      std::cerr << "runmock validate: " << e.what() << "\n";
      exit_code = kUsageError;
    }
  });
}

}  // namespace runmock::cli
