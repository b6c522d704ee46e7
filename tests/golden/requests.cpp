// The request steps: a request written out in the script, or one built from a documented fixture
// (fixtures/<api>/{examples,negative}/*.json: its operation's method and path, its parameters,
// its body and media type).
#include <algorithm>
#include <cctype>
#include <fstream>

#include "golden/runner.h"
#include "loader/yaml_json.h"

namespace runmock::golden {
namespace {

bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

void set_header(HeaderList& headers, const std::string& name, const std::string& value) {
  for (auto& [key, old] : headers) {
    if (same_name(key, name)) {
      old = value;
      return;
    }
  }
  headers.emplace_back(name, value);
}

void remove_header(HeaderList& headers, const std::string& name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return same_name(h.first, name); }), headers.end());
}

bool has_header(const HeaderList& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return same_name(h.first, name); });
}

// `k=v&...` of a JSON object's members (non-strings as their JSON text).
std::string form_of(const nlohmann::json& fields) {
  std::string out;
  for (const auto& [key, value] : fields.items()) out += (out.empty() ? "" : "&") + percent_encode(key) + "=" + percent_encode(text_of(value));
  return out;
}

std::string hex_bytes(const std::string& hex, const YAML::Node& where) {
  if (hex.size() % 2 != 0 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) fail_at(where, "body_hex wants pairs of hex digits");
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// The API of a fixture file: the folder under fixtures/.
std::string fixture_api(const std::string& file, const YAML::Node& where) {
  const std::string prefix = "fixtures/";
  std::size_t end = file.find('/', prefix.size());
  if (file.rfind(prefix, 0) != 0 || end == std::string::npos) fail_at(where, "a fixture lives under fixtures/<api>/, not at " + file);
  return file.substr(prefix.size(), end - prefix.size());
}

}  // namespace

HttpRequest Runner::request_line(const YAML::Node& step, const YAML::Node& line) {
  std::string text = vars_.expand(scalar(line, "a request line (METHOD target)"), line);
  std::size_t space = text.find(' ');
  if (space == std::string::npos || space == 0 || space + 1 >= text.size()) fail_at(line, "a request line is 'METHOD target', not '" + text + "'");
  HttpRequest request{text.substr(0, space), text.substr(space + 1), {}, std::nullopt};
  add_headers(request, step, "");
  add_body(request, step);
  return request;
}

// The header set named by `as` (else `default_set`, when the script has one of that name), then
// the step's `headers`.
void Runner::add_headers(HttpRequest& request, const YAML::Node& step, const std::string& default_set) {
  apply_header_set(request, step["as"] ? scalar(step["as"], "as") : default_set, step["as"]);
  apply_header_overrides(request, step["headers"]);
}

void Runner::apply_header_set(HttpRequest& request, const std::string& name, const YAML::Node& where) {
  YAML::Node set = root_["header_sets"][name];
  if (where && !set.IsMap()) fail_at(where, "no header set '" + name + "' under header_sets");
  if (name.empty() || !set.IsMap()) return;
  for (const auto& item : set) set_header(request.headers, item.first.Scalar(), vars_.expand(scalar(item.second, "a header value"), item.second));
}

// A null value removes a header.
void Runner::apply_header_overrides(HttpRequest& request, const YAML::Node& headers) {
  for (const auto& item : headers) {
    if (item.second.IsNull()) {
      remove_header(request.headers, item.first.Scalar());
    } else {
      set_header(request.headers, item.first.Scalar(), vars_.expand(scalar(item.second, "a header value"), item.second));
    }
  }
}

// One of json (sent compact), form (a mapping, or a list of [name, value] pairs for repeated
// fields), body (text) or body_hex (bytes); a Content-Type to match unless the step gives one.
void Runner::add_body(HttpRequest& request, const YAML::Node& step) {
  std::string media;
  if (step["json"]) {
    request.body = vars_.expand(contracts::yaml_to_json(step["json"]), step["json"]).dump();
    media = "application/json";
  } else if (step["form"]) {
    std::string out;
    for (const auto& item : step["form"]) {
      YAML::Node key = step["form"].IsMap() ? item.first : item[0], value = step["form"].IsMap() ? item.second : item[1];
      out += (out.empty() ? "" : "&") + percent_encode(vars_.expand(scalar(key, "a form field name"), key)) + "=" + percent_encode(vars_.expand(scalar(value, "a form value"), value));
    }
    request.body = out;
    media = "application/x-www-form-urlencoded";
  } else if (step["body"]) {
    request.body = vars_.expand(scalar(step["body"], "body"), step["body"]);
    media = "text/plain";
  } else if (step["body_hex"]) {
    request.body = hex_bytes(scalar(step["body_hex"], "body_hex"), step["body_hex"]);
    media = "application/octet-stream";
  }
  // httplib sends text/plain with any body that has no Content-Type; the transcript says so.
  if (request.body && !has_header(request.headers, "Content-Type")) set_header(request.headers, "Content-Type", media);
}

HttpRequest Runner::fixture_request(const YAML::Node& step, const std::string& file, const nlohmann::json& fixture) {
  std::string api = fixture_api(file, step);
  const Operation* operation = operations_->find(api, fixture.value("operation", ""));
  if (!operation) fail_at(step, file + ": no operation '" + fixture.value("operation", "") + "' in the " + api + " contract");
  nlohmann::json parameters = fixture.value("parameters", nlohmann::json::object());
  nlohmann::json path = parameters.value("path", nlohmann::json::object()), query = parameters.value("query", nlohmann::json::object());
  for (const auto& item : step["path"]) path[item.first.Scalar()] = vars_.expand(scalar(item.second, "a path parameter"), item.second);
  for (const auto& item : step["query"]) query[item.first.Scalar()] = vars_.expand(scalar(item.second, "a query parameter"), item.second);
  std::string target = operation->path;
  for (const auto& [name, value] : path.items()) {
    std::size_t at = target.find("{" + name + "}");
    if (at != std::string::npos) target.replace(at, name.size() + 2, percent_encode(text_of(value)));
  }
  std::string separator = "?";
  for (const auto& [name, value] : query.items()) target += std::exchange(separator, "&") + percent_encode(name) + "=" + percent_encode(text_of(value), ":/,");
  HttpRequest request{operation->method, target, {}, std::nullopt};
  apply_header_set(request, step["as"] ? scalar(step["as"], "as") : api, step["as"]);
  const nlohmann::json headers = parameters.value("header", nlohmann::json::object());
  for (const auto& [name, value] : headers.items()) set_header(request.headers, name, text_of(value));
  apply_header_overrides(request, step["headers"]);
  nlohmann::json body = fixture.value("body", nlohmann::json());
  if (step["merge"]) body.merge_patch(vars_.expand(contracts::yaml_to_json(step["merge"]), step["merge"]));
  std::string media = fixture.value("content_type", "application/json");
  if (!body.is_null()) request.body = media == "application/x-www-form-urlencoded" ? form_of(body) : body.dump();
  if (request.body && !has_header(request.headers, "Content-Type")) set_header(request.headers, "Content-Type", media);
  return request;
}

void Runner::step_request(const YAML::Node& step) {
  check_keys(step, {"request", "as", "headers", "json", "form", "body", "body_hex", "capture", "note"});
  exchange(request_line(step, step["request"]), step);
}

void Runner::step_fixture(const YAML::Node& step) {
  check_keys(step, {"fixture", "as", "headers", "path", "query", "merge", "capture", "note"});
  std::string file = scalar(step["fixture"], "fixture");
  nlohmann::json fixture = nlohmann::json::parse(read_source_file(source_dir_, file, step["fixture"]), nullptr, false);
  if (!fixture.is_object()) fail_at(step["fixture"], file + " is not a JSON object");
  exchange(fixture_request(step, file, fixture), step, file);
}

// Every request fixture of a folder, in name order (responses and webhook payloads are not requests
// a client sends to runmock).
void Runner::step_fixtures(const YAML::Node& step) {
  check_keys(step, {"fixtures", "as", "headers", "skip", "note"});
  std::string folder = scalar(step["fixtures"], "fixtures");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir_ / folder)) {
    if (entry.path().extension() == ".json") files.push_back(folder + "/" + entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> skip;
  for (const auto& item : step["skip"]) skip.push_back(folder + "/" + scalar(item, "a file to skip"));
  for (const auto& file : files) {
    nlohmann::json fixture = nlohmann::json::parse(read_source_file(source_dir_, file, step["fixtures"]), nullptr, false);
    if (!fixture.is_object() || fixture.value("direction", "") != "request") continue;
    if (std::find(skip.begin(), skip.end(), file) != skip.end()) continue;
    const Operation* operation = operations_->find(fixture_api(file, step), fixture.value("operation", ""));
    if (operation && operation->webhook) continue;
    exchange(fixture_request(step, file, fixture), step, file);
  }
}

}  // namespace runmock::golden
