#include "loader/api_contract.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <future>
#include <limits>
#include <sstream>

#include "loader/source_locations.h"
#include "loader/yaml_json.h"
#include "validator/json_value.h"

namespace runmock::contracts {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using schema::CompileOptions;
using schema::SchemaError;
using schema::ValidationError;

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

CompileOptions contract_options() {
  CompileOptions options;
  options.format_assertion = true;  // runmock's contracts always assert formats
  return options;
}

// Loads one API folder: the schema files, the OpenAPI document and the lifecycle.
class Loader {
 public:
  Loader(const fs::path& dir, std::string& name, std::string& base, std::shared_ptr<schema::SchemaRegistry>& registry)
      : dir_(dir), name_(name), base_(base), registry_(registry) {}

  void load_schemas(std::map<std::string, schema::Schema>& models, const std::string& name) {
    name_ = name.empty() ? dir_.filename().string() : name;
    base_ = std::string(kContractUriPrefix) + name_ + "/";
    registry_ = std::make_shared<schema::SchemaRegistry>();
    std::vector<fs::path> files;
    if (fs::is_directory(dir_ / "schemas")) {
      for (const auto& entry : fs::recursive_directory_iterator(dir_ / "schemas")) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      json doc = read_document(file);
      std::string relative = fs::relative(file, dir_).generic_string();
      std::string expected = base_ + relative;
      if (!doc.is_object() || !doc.contains("$id") || doc["$id"] != expected) {
        throw ContractError(position(file, "/$id") + ": the schema's \"$id\" must be \"" + expected + "\"");
      }
      files_by_uri_[expected] = file;
      registry_->add(expected, std::move(doc));
    }
    for (const auto& file : files) {
      std::string uri = base_ + fs::relative(file, dir_).generic_string();
      models[fs::relative(file, dir_ / "schemas").generic_string()] = compile(uri);
    }
  }

  void load_openapi(std::vector<Operation>& operations) {
    fs::path file = dir_ / "openapi.yaml";
    openapi_file_ = file;
    doc_ = read_document(file);
    openapi_uri_ = base_ + "openapi.yaml";
    registry_->add(openapi_uri_, doc_);
    if (!doc_.contains("paths") || !doc_["paths"].is_object()) throw ContractError(file.string() + ": no 'paths'");
    // Webhooks (OpenAPI 3.1) are operations too: requests the API sends, checked the same way.
    for (const char* section : {"paths", "webhooks"}) {
      if (!doc_.contains(section)) continue;
      for (const auto& [path, item] : doc_[section].items()) {
        std::string path_pointer = "/" + std::string(section) + "/" + schema::pointer_escape(path);
        for (const char* method : {"get", "put", "post", "delete", "patch", "head", "options"}) {
          if (!item.contains(method)) continue;
          operations.push_back(load_operation(path, path_pointer, method));
        }
      }
    }
  }

  Lifecycle load_lifecycle(const fs::path& contracts_dir) {
    fs::path file = dir_ / "lifecycle.json";
    json doc = read_document(file);
    schema::SchemaRegistry registry;
    json lifecycle_schema = read_document(contracts_dir / "lifecycle.schema.json");
    schema::Schema checker = registry.compile_document(std::move(lifecycle_schema), contract_options());
    std::vector<ValidationError> errors;
    if (!checker.validate(doc, errors)) {
      const auto& e = errors.front();
      throw ContractError(position_in_text(file, e.instance_location) + ": " + e.message);
    }
    try {
      return Lifecycle::from_json(doc);
    } catch (const std::invalid_argument& e) {
      std::string what = e.what();
      auto colon = what.find(": ");
      throw ContractError(position_in_text(file, what.substr(0, colon)) + ": " + what.substr(colon + 2));
    }
  }

 private:
  // `file:line:col` of a pointer inside a JSON file.
  std::string position_in_text(const fs::path& file, const std::string& pointer) {
    auto where = locate_pointer(read_text(file), pointer);
    if (!where) return file.string();
    return file.string() + ":" + std::to_string(where->line) + ":" + std::to_string(where->column);
  }

  std::string position(const fs::path& file, const std::string& pointer) { return position_in_text(file, pointer); }

  // Turns a schema location (uri#pointer) into file:line:col where it is one of our files.
  std::string describe(const std::string& schema_location) {
    auto hash = schema_location.find('#');
    std::string uri = schema_location.substr(0, hash);
    std::string pointer = hash == std::string::npos ? "" : schema_location.substr(hash + 1);
    if (auto it = files_by_uri_.find(uri); it != files_by_uri_.end()) return position_in_text(it->second, pointer);
    if (uri == openapi_uri_) return openapi_file_.string() + " at " + pointer;
    return schema_location;
  }

  schema::Schema compile(const std::string& uri) {
    try {
      return registry_->compile(uri, contract_options());
    } catch (const SchemaError& e) {
      throw ContractError(describe(e.schema_location()) + ": " + e.detail());
    }
  }

  // Follows local `$ref`s of the OpenAPI document (components) to the object they name.
  std::string deref(std::string pointer) {
    for (int hops = 0; hops < 16; ++hops) {
      const json& value = doc_.at(json::json_pointer(pointer));
      if (!value.is_object() || !value.contains("$ref") || !value["$ref"].is_string()) return pointer;
      std::string ref = value["$ref"].get<std::string>();
      if (ref.rfind("#/", 0) != 0) return pointer;
      pointer = ref.substr(1);
      if (!doc_.contains(json::json_pointer(pointer))) {
        throw ContractError(openapi_file_.string() + ": unresolvable reference '" + ref + "'");
      }
    }
    throw ContractError(openapi_file_.string() + ": reference cycle at " + pointer);
  }

  const json& at(const std::string& pointer) { return doc_.at(json::json_pointer(pointer)); }

  schema::Schema schema_at(const std::string& pointer) { return compile(openapi_uri_ + "#" + pointer); }

  schema::Schema schema_file(const std::string& relative, const std::string& where) {
    std::string uri = base_ + relative;
    if (!files_by_uri_.count(uri)) throw ContractError(openapi_file_.string() + " at " + where + ": no schema file '" + relative + "'");
    return compile(uri);
  }

  void add_parameters(Operation& op, const std::string& list_pointer) {
    if (!doc_.contains(json::json_pointer(list_pointer))) return;
    const json& list = at(list_pointer);
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = deref(list_pointer + "/" + std::to_string(i));
      const json& param = at(p);
      Parameter parameter;
      parameter.name = param.at("name").get<std::string>();
      parameter.in = param.at("in").get<std::string>();
      parameter.required = param.value("required", false);
      if (param.contains("schema")) parameter.schema = schema_at(p + "/schema");
      // An operation's parameter overrides the path item's one of the same name and place.
      auto same = std::find_if(op.parameters.begin(), op.parameters.end(), [&](const Parameter& other) {
        return other.in == parameter.in && lower(other.name) == lower(parameter.name);
      });
      if (same != op.parameters.end()) *same = std::move(parameter);
      else op.parameters.push_back(std::move(parameter));
    }
  }

  Operation load_operation(const std::string& path, const std::string& path_pointer, const char* method) {
    std::string pointer = path_pointer + "/" + method;
    const json& node = at(pointer);
    Operation op;
    op.path = path;
    op.method = method;
    std::transform(op.method.begin(), op.method.end(), op.method.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    op.id = node.value("operationId", op.method + " " + path);
    add_parameters(op, path_pointer + "/parameters");
    add_parameters(op, pointer + "/parameters");
    if (node.contains("requestBody")) {
      std::string body = deref(pointer + "/requestBody");
      op.body_required = at(body).value("required", false);
      if (at(body).contains("content")) {
        for (const auto& [media, content] : at(body)["content"].items()) {
          if (content.contains("schema")) op.request_bodies[media] = schema_at(body + "/content/" + schema::pointer_escape(media) + "/schema");
        }
      }
    }
    if (node.contains("x-runmock-request-variants")) {
      for (const auto& [variant, file] : node["x-runmock-request-variants"].items()) {
        if (!file.is_string()) continue;  // e.g. a description
        op.request_variants[variant] = schema_file(file.get<std::string>(), pointer + "/x-runmock-request-variants");
      }
    }
    if (node.contains("responses")) {
      for (const auto& [status, response] : node["responses"].items()) {
        op.response_statuses.insert(status);
        std::string r = deref(pointer + "/responses/" + schema::pointer_escape(status));
        const json& resolved = at(r);
        if (!resolved.contains("content")) continue;
        for (const auto& [media, content] : resolved["content"].items()) {
          if ((media == "application/json" || media.find("+json") != std::string::npos) && content.contains("schema")) {
            op.responses[status] = schema_at(r + "/content/" + schema::pointer_escape(media) + "/schema");
          }
        }
      }
    }
    if (node.contains("x-runmock-response-variants")) {
      for (const auto& [status, spec] : node["x-runmock-response-variants"].items()) {
        ResponseVariants variants;
        variants.parameter_in = spec.at("parameter").at("in").get<std::string>();
        variants.parameter_name = spec.at("parameter").at("name").get<std::string>();
        variants.default_variant = spec.at("parameter").value("default", "");
        for (const auto& [name, file] : spec.at("variants").items()) {
          variants.schemas[name] = schema_file(file.get<std::string>(), pointer + "/x-runmock-response-variants");
        }
        op.response_variants[status] = std::move(variants);
      }
    }
    return op;
  }

  fs::path dir_;
  std::string& name_;
  std::string& base_;
  std::shared_ptr<schema::SchemaRegistry>& registry_;
  std::map<std::string, fs::path> files_by_uri_;
  json doc_;
  fs::path openapi_file_;
  std::string openapi_uri_;
};

// The coercions a parameter's text may need: HTTP carries strings, the schema may want a number
// or a boolean.
std::vector<json> readings_of(const std::string& text) {
  std::vector<json> readings{json(text)};
  if (text == "true") readings.emplace_back(true);
  if (text == "false") readings.emplace_back(false);
  // Only text that starts like a JSON number is tried as one (most parameters are ids and words).
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
    json number = json::parse(text, nullptr, false);
    if (number.is_number()) readings.push_back(std::move(number));
  }
  return readings;
}

// A parameter's text as messages show it: quoted, and cut (at a character boundary) when long.
std::string quoted(const std::string& text) {
  constexpr std::size_t kShown = 77;
  if (text.size() <= kShown) return "'" + text + "'";
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + text.substr(0, cut) + "...'";
}

// For the validator's "expected integer, got string" (a value of another type than the schema's),
// the types the schema wants ("integer"); empty for any other error.
std::string expected_types(const std::string& message) {
  static const std::set<std::string, std::less<>> json_types{"null", "boolean", "object", "array", "number", "string", "integer"};
  constexpr std::string_view kExpected = "expected ", kGot = ", got ";
  auto got = message.rfind(kGot);
  if (message.rfind(kExpected, 0) != 0 || got == std::string::npos || got < kExpected.size()) return "";
  if (!json_types.count(std::string_view(message).substr(got + kGot.size()))) return "";
  return message.substr(kExpected.size(), got - kExpected.size());
}

// "integer or string" → "an integer or string".
std::string with_article(const std::string& types) {
  if (types.rfind("null", 0) == 0) return types;
  bool vowel = types.rfind("integer", 0) == 0 || types.rfind("array", 0) == 0 || types.rfind("object", 0) == 0;
  return (vowel ? "an " : "a ") + types;
}

// An error about one reading of a parameter's text, said about the text as it arrived: "'abc' is
// not an integer" rather than "expected integer, got string", "'0' is less than the minimum 1"
// rather than "0 is ...". The text is never called an integer or a boolean.
std::string about_text(const std::string& message, const json& reading, const std::string& text) {
  if (std::string types = expected_types(message); !types.empty()) return quoted(text) + " is not " + with_article(types);
  if (reading.is_string()) return message;  // the validator already quotes text
  std::string shown = reading.dump();
  if (message.rfind(shown + " ", 0) == 0) return quoted(text) + message.substr(shown.size());
  std::string got = ", got " + shown;
  if (message.size() >= got.size() && message.compare(message.size() - got.size(), got.size(), got) == 0) {
    return message.substr(0, message.size() - shown.size()) + quoted(text);
  }
  return message;
}

// Why no reading of a parameter's text is valid, from the reading that came closest: the one with
// the fewest type mismatches, so that "123" against a uuid is judged as the text it is and "0"
// against `minimum: 1` as a number; on a tie the later reading ("500" as a number).
std::vector<ValidationError> closest_failures(const schema::Schema& schema, const std::vector<json>& readings, const std::string& text) {
  std::vector<ValidationError> best;
  std::size_t best_mismatches = std::numeric_limits<std::size_t>::max();
  for (const auto& reading : readings) {
    std::vector<ValidationError> errors;
    schema.validate(reading, errors);
    auto mismatches = static_cast<std::size_t>(
        std::count_if(errors.begin(), errors.end(), [](const ValidationError& e) { return !expected_types(e.message).empty(); }));
    if (mismatches > best_mismatches) continue;
    for (auto& e : errors) e.message = about_text(e.message, reading, text);
    best = std::move(errors);
    best_mismatches = mismatches;
  }
  return best;
}

// Valid payloads are the common case on every exchange: the fast check first, the full report
// only for a payload that fails it.
void collect_errors(const schema::Schema& schema, const json& payload, std::vector<ValidationError>& errors) {
  if (!schema.validate(payload)) schema.validate(payload, errors);
}

const std::string* find_value(const std::map<std::string, std::string>& values, const Parameter& parameter) {
  if (parameter.in != "header") {
    auto it = values.find(parameter.name);
    return it == values.end() ? nullptr : &it->second;
  }
  for (const auto& [name, value] : values) {
    if (lower(name) == lower(parameter.name)) return &value;
  }
  return nullptr;
}

}  // namespace

ApiContract ApiContract::load(const fs::path& api_dir, const std::string& name, const fs::path& contracts_dir) {
  ApiContract contract;
  try {
    Loader loader(api_dir, contract.name_, contract.base_uri_, contract.registry_);
    loader.load_schemas(contract.models_, name);
    loader.load_openapi(contract.operations_);
    contract.lifecycle_ = loader.load_lifecycle(contracts_dir.empty() ? api_dir.parent_path() : contracts_dir);
  } catch (const ContractError&) {
    throw;
  } catch (const std::exception& e) {
    throw ContractError(e.what());
  }
  return contract;
}

const Operation* ApiContract::find(std::string_view operation_id) const {
  for (const auto& op : operations_) {
    if (op.id == operation_id) return &op;
  }
  return nullptr;
}

const schema::Schema* ApiContract::model(const std::string& file) const {
  auto it = models_.find(file);
  return it == models_.end() ? nullptr : &it->second;
}

std::vector<ValidationError> ApiContract::check_request_body(const Operation& operation, const json& body,
                                                             const std::string& media_type, const std::string& variant) const {
  std::vector<ValidationError> errors;
  const schema::Schema* schema = nullptr;
  if (!variant.empty()) {
    auto it = operation.request_variants.find(variant);
    if (it == operation.request_variants.end()) {
      errors.push_back({"", operation.id, "'" + variant + "' is not a request variant of " + operation.id});
      return errors;
    }
    schema = &it->second;
  } else {
    auto it = operation.request_bodies.find(media_type);
    if (it == operation.request_bodies.end()) {
      std::string accepted;
      for (const auto& [media, s] : operation.request_bodies) accepted += (accepted.empty() ? "" : ", ") + media;
      errors.push_back({"", operation.id, operation.request_bodies.empty() ? operation.id + " takes no request body"
                                                                         : "content type '" + media_type + "' is not accepted (" + accepted + ")"});
      return errors;
    }
    schema = &it->second;
  }
  collect_errors(*schema, body, errors);
  return errors;
}

std::vector<ValidationError> ApiContract::check_response_body(const Operation& operation, int status, const json& body,
                                                              const std::string& variant) const {
  std::vector<ValidationError> errors;
  std::string code = std::to_string(status);
  std::string range = code.substr(0, 1) + "XX";
  std::string key = operation.response_statuses.count(code) ? code : operation.response_statuses.count(range) ? range
                    : operation.response_statuses.count("default")                                          ? "default"
                                                                                                            : "";
  if (key.empty()) {
    errors.push_back({"", operation.id, "status " + code + " is not a documented response of " + operation.id});
    return errors;
  }
  if (auto v = operation.response_variants.find(key); v != operation.response_variants.end()) {
    std::string name = variant.empty() ? v->second.default_variant : variant;
    auto schema = v->second.schemas.find(name);
    if (schema == v->second.schemas.end()) {
      errors.push_back({"", operation.id, "'" + name + "' is not a response variant of " + operation.id});
      return errors;
    }
    collect_errors(schema->second, body, errors);
    return errors;
  }
  auto it = operation.responses.find(key);
  if (it != operation.responses.end()) collect_errors(it->second, body, errors);
  return errors;
}

std::vector<ValidationError> ApiContract::check_parameters(const Operation& operation, const std::string& in,
                                                           const std::map<std::string, std::string>& values) const {
  std::vector<ValidationError> errors;
  for (const auto& parameter : operation.parameters) {
    if (parameter.in != in) continue;
    const std::string* value = find_value(values, parameter);
    std::string where = "/" + schema::pointer_escape(parameter.name);
    if (!value) {
      if (parameter.required) {
        errors.push_back({where, operation.id + "/parameters/" + schema::pointer_escape(parameter.name) + "/required",
                          "missing required " + in + " parameter '" + parameter.name + "'"});
      }
      continue;
    }
    if (parameter.schema.empty()) continue;
    auto readings = readings_of(*value);
    if (std::any_of(readings.begin(), readings.end(), [&](const json& reading) { return parameter.schema.validate(reading); })) continue;
    for (auto& e : closest_failures(parameter.schema, readings, *value)) {
      e.instance_location = where + e.instance_location;
      errors.push_back(std::move(e));
    }
  }
  return errors;
}

std::map<std::string, ApiContract> load_all(const fs::path& contracts_dir) {
  std::map<std::string, ApiContract> contracts;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(contracts_dir)) {
    // A workflow-run API has both; contracts/admin/ (the admin API's description) has no lifecycle.
    if (entry.is_directory() && fs::exists(entry.path() / "openapi.yaml") && fs::exists(entry.path() / "lifecycle.json")) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  // Each contract is independent (its own registry): load them side by side, since parsing the
  // OpenAPI YAML is most of a server's start-up time.
  std::vector<std::future<ApiContract>> loading;
  for (const auto& dir : dirs) loading.push_back(std::async(std::launch::async, [dir] { return ApiContract::load(dir); }));
  for (std::size_t i = 0; i < dirs.size(); ++i) contracts.emplace(dirs[i].filename().string(), loading[i].get());
  return contracts;
}

fs::path default_contracts_dir() {
  if (const char* env = std::getenv("RUNMOCK_CONTRACTS_DIR"); env && *env) return env;
#ifdef RUNMOCK_CONTRACTS_DEFAULT_DIR
  return RUNMOCK_CONTRACTS_DEFAULT_DIR;
#else
  return "contracts";
#endif
}

}  // namespace runmock::contracts
