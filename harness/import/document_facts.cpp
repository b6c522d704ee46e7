// The version and the mount prefix of an OpenAPI document (see document_facts.h).
#include "import/document_facts.h"

#include "import/import_error.h"

namespace runmock::import {
namespace {

using nlohmann::json;

std::string text_of(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return "";
}

// "{name}" pieces replaced by the variable's default.
std::string fill_variables(std::string url, const json& variables) {
  for (std::size_t open = url.find('{'); open != std::string::npos; open = url.find('{', open)) {
    auto close = url.find('}', open);
    if (close == std::string::npos) break;
    std::string name = url.substr(open + 1, close - open - 1);
    std::string value;
    if (variables.is_object() && variables.contains(name) && variables[name].is_object()) value = text_of(member(variables[name], "default"));
    url.replace(open, close - open + 1, value);
    open += value.size();
  }
  return url;
}

}  // namespace

OpenApiVersion openapi_version(const SourceDocument& doc) {
  const json& root = doc.root();
  if (!root.is_object()) throw ImportError(doc.where("") + ": not an OpenAPI document (the top level is not a mapping)");
  if (root.contains("swagger")) {
    throw ImportError(doc.where("/swagger") + ": this is a Swagger " + text_of(root["swagger"]) +
                      " document; import-openapi reads OpenAPI 3.0 and 3.1 (convert it first, e.g. with swagger2openapi)");
  }
  if (!root.contains("openapi")) throw ImportError(doc.where("") + ": not an OpenAPI document (it has no 'openapi' version)");
  const std::string version = text_of(root["openapi"]);
  if (version.rfind("3.0", 0) == 0) return OpenApiVersion::v30;
  if (version.rfind("3.1", 0) == 0) return OpenApiVersion::v31;
  throw ImportError(doc.where("/openapi") + ": OpenAPI '" + version + "' is not read; import-openapi reads OpenAPI 3.0.x and 3.1.x");
}

std::string mount_prefix(const SourceDocument& doc, Notes& notes) {
  const json& servers = member(doc.root(), "servers");
  if (!servers.is_array() || servers.empty() || !servers[0].is_object() || !servers[0].contains("url")) return "";
  std::string url = fill_variables(text_of(servers[0]["url"]), member(servers[0], "variables"));
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    auto path = url.find('/', scheme + 3);
    url = path == std::string::npos ? "" : url.substr(path);
  }
  if (auto query = url.find_first_of("?#"); query != std::string::npos) url.resize(query);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.empty() && url.front() != '/') url = "/" + url;
  if (!url.empty()) notes.guess("mount prefix: " + url + " (the path of servers[0].url, in front of every path)");
  return url;
}

}  // namespace runmock::import
