// Rewriting the imported description into the generated folder's contract (see output_document.h).
#include "import/output_document.h"

#include <filesystem>
#include <optional>

#include "import/schema_translation.h"
#include "loader/api_contract.h"

namespace runmock::import {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr int kMaxInlineDepth = 16;

// Where a referenced file goes in the generated folder: under schemas/, as .json.
std::string output_path(const std::string& relative) {
  fs::path path = relative.rfind("schemas/", 0) == 0 ? fs::path(relative) : fs::path("schemas") / relative;
  if (path.extension() != ".json") path.replace_extension(".json");
  return path.generic_string();
}

class ContractWriter {
 public:
  ContractWriter(const DocumentSet& set, OpenApiVersion version) : set_(set), version_(version) {}

  std::string output_of(const SourceDocument& doc) const { return &doc == &set_.main() ? "openapi.yaml" : output_path(set_.relative_path(doc)); }

  // The reference `ref`, written in `from`, as it is spelt in the generated file `into`; nullopt
  // when it is remote.
  std::optional<std::string> rewrite(const SourceDocument& from, const std::string& ref, const std::string& into) const {
    if (DocumentSet::is_remote(ref)) return std::nullopt;
    const auto hash = ref.find('#');
    const std::string file = ref.substr(0, hash), fragment = hash == std::string::npos ? "" : ref.substr(hash);
    const SourceDocument* doc = &from;
    if (!file.empty()) {
      Place to = set_.target(from, file + "#");
      if (!to.valid()) return ref;
      doc = to.doc;
    }
    const std::string target = output_of(*doc);
    if (target == into) return fragment.empty() ? "#" : fragment;
    const fs::path base = fs::path(into).parent_path();
    return (base.empty() ? target : fs::path(target).lexically_relative(base).generic_string()) + fragment;
  }

  json schema(const json& value, const SourceDocument& from, const std::string& into) const {
    return translate_schema(value, dialect_of(from), [this, &from, &into](const std::string& ref) { return rewrite(from, ref, into); });
  }

  SchemaDialect dialect_of(const SourceDocument& doc) const {
    if (doc.root().is_object() && doc.root().contains("$schema")) return SchemaDialect::json_schema;
    return version_ == OpenApiVersion::v30 ? SchemaDialect::openapi30 : SchemaDialect::json_schema;
  }

  // A value of the description that is not a schema, for openapi.yaml: schemas inside it
  // translated, references to other files copied in.
  json description(const json& value, const SourceDocument& from, int depth = 0) const {
    if (value.is_array()) {
      json out = json::array();
      for (const auto& item : value) out.push_back(description(item, from, depth));
      return out;
    }
    if (!value.is_object()) return value;
    if (auto ref = value.find("$ref"); ref != value.end() && ref->is_string()) return reference(value, ref->get<std::string>(), from, depth);
    json out = json::object();
    for (const auto& [key, member] : value.items()) {
      if (key == "schema") out[key] = schema(member, from, "openapi.yaml");
      else if (key == "example" || key == "examples" || key.rfind("x-", 0) == 0) out[key] = member;
      else out[key] = description(member, from, depth);
    }
    return out;
  }

 private:
  json reference(const json& value, const std::string& ref, const SourceDocument& from, int depth) const {
    if (&from == &set_.main() && ref.rfind("#/", 0) == 0) return value;
    Place to = set_.follow(set_.target(from, ref));
    if (!to.valid() || depth > kMaxInlineDepth) return json{{"description", "runmock import-openapi: the reference '" + ref + "' is not followed"}};
    return description(to.value(), *to.doc, depth + 1);
  }

  const DocumentSet& set_;
  OpenApiVersion version_;
};

// components: schemas translated, the rest as descriptions.
json components(const ContractWriter& writer, const json& value, const SourceDocument& main) {
  json out = json::object();
  for (const auto& [kind, entries] : value.items()) {
    if (kind == "schemas" && entries.is_object()) {
      json schemas = json::object();
      for (const auto& [name, schema] : entries.items()) schemas[name] = writer.schema(schema, main, "openapi.yaml");
      out[kind] = schemas;
    } else {
      out[kind] = writer.description(entries, main);
    }
  }
  return out;
}

json mounted_paths(const ContractWriter& writer, const json& paths, const SourceDocument& main, const std::string& prefix,
                   const std::vector<OperationInfo>& operations) {
  json out = json::object();
  for (const auto& [path, item] : paths.items()) out[prefix + path] = writer.description(item, main);
  for (const auto& op : operations) {
    if (op.named) continue;
    out[prefix + op.path][op.method]["operationId"] = op.id;
  }
  return out;
}

// The top-level keys in the order readers expect, then the rest.
ordered_json ordered_document(const json& doc) {
  ordered_json out = ordered_json::object();
  for (const char* key : {"openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "paths", "webhooks", "components"}) {
    if (doc.contains(key)) out[key] = doc[key];
  }
  for (const auto& [key, value] : doc.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  return out;
}

}  // namespace

OutputContract build_contract(const DocumentSet& set, OpenApiVersion version, const std::string& api, const std::string& prefix,
                              const std::vector<OperationInfo>& operations) {
  ContractWriter writer(set, version);
  const SourceDocument& main = set.main();
  json doc = json::object();
  for (const auto& [key, value] : main.root().items()) {
    if (key == "paths" && value.is_object()) doc[key] = mounted_paths(writer, value, main, prefix, operations);
    else if (key == "components" && value.is_object()) doc[key] = components(writer, value, main);
    else if (key == "webhooks") doc[key] = writer.description(value, main);
    else doc[key] = value;
  }
  doc["x-runmock-import"] = {{"source", main.file().filename().string()},
                             {"openapi", main.root()["openapi"]},
                             {"servers", member(main.root(), "servers")},
                             {"mount_prefix", prefix}};
  doc["openapi"] = "3.1.0";
  doc["servers"] = json::array({{{"url", "/"}, {"description", "runmock serves the paths at its root, behind the mount prefix of the imported servers[0]"}}});
  OutputContract out;
  out.openapi = ordered_document(doc);
  for (const auto& [relative, file] : set.files()) {
    const std::string path = output_path(relative);
    json schema = writer.schema(file->root(), *file, path);
    if (schema.is_object()) schema["$id"] = std::string(contracts::kContractUriPrefix) + api + "/" + path;
    out.schema_files[path] = std::move(schema);
  }
  return out;
}

}  // namespace runmock::import
