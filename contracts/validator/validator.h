// runmock's JSON Schema validator: draft 2020-12 and draft-07 on nlohmann/json.
//
// A SchemaRegistry holds schema documents by URI; compile() resolves every reference once and
// returns a Schema that validates instances without touching the registry again. Errors name the
// instance location (JSON Pointer), the schema location (absolute keyword location) and say in
// plain words what is wrong.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace runmock::schema {

enum class Draft { draft7, draft2020_12 };

struct CompileOptions {
  // `format` asserts instead of only annotating (runmock's own contracts always assert).
  bool format_assertion = false;
  // Deepest nesting of schema evaluations before validation gives up with an error (guards
  // against `$ref` cycles that never consume the instance and against hostile nesting).
  std::size_t max_depth = 1000;
};

struct ValidationError {
  std::string instance_location;  // JSON Pointer into the instance ("" is the whole instance)
  std::string schema_location;    // absolute keyword location, e.g. "https://x/s.json#/properties/a/type"
  std::string message;            // e.g. "expected string, got number"
};

// A schema that cannot be compiled: unresolvable reference, invalid keyword value, too deep.
class SchemaError : public std::runtime_error {
 public:
  SchemaError(const std::string& schema_location, const std::string& message)
      : std::runtime_error(schema_location + ": " + message), location_(schema_location), detail_(message) {}
  const std::string& schema_location() const { return location_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string location_;
  std::string detail_;
};

class CompiledGraph;
struct Node;

class Schema {
 public:
  Schema() = default;

  // True when `instance` is valid. Stops at the first failure and allocates nothing for errors.
  bool validate(const nlohmann::json& instance) const;

  // Validates and appends every failure to `errors`. Returns true when valid.
  bool validate(const nlohmann::json& instance, std::vector<ValidationError>& errors) const;

  bool empty() const { return root_ == nullptr; }

 private:
  friend class SchemaRegistry;
  Schema(std::shared_ptr<const CompiledGraph> graph, const Node* root, std::size_t max_depth)
      : graph_(std::move(graph)), root_(root), max_depth_(max_depth) {}
  std::shared_ptr<const CompiledGraph> graph_;
  const Node* root_ = nullptr;
  std::size_t max_depth_ = 0;
};

class SchemaRegistry {
 public:
  // `default_draft` is the dialect of documents that do not say with `$schema`.
  explicit SchemaRegistry(Draft default_draft = Draft::draft2020_12);
  ~SchemaRegistry();
  SchemaRegistry(const SchemaRegistry&) = delete;
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;

  // Adds a schema document under its retrieval URI; the resources it embeds (`$id`) and its
  // anchors become reachable by their own URIs too. Throws SchemaError on a duplicate URI.
  void add(const std::string& uri, nlohmann::json document);

  // Adds a document that names itself with a top-level `$id`; returns that id.
  std::string add(nlohmann::json document);

  bool contains(const std::string& uri) const;

  // Compiles the schema at `uri` (which may carry a fragment: a JSON Pointer or an anchor).
  // Every reference reachable from it is resolved now; a missing one throws SchemaError.
  Schema compile(const std::string& uri, const CompileOptions& options = {});

  // Adds `document` under a fresh internal URI and compiles it.
  Schema compile_document(nlohmann::json document, const CompileOptions& options = {});

 private:
  std::shared_ptr<CompiledGraph> graph_;
};

}  // namespace runmock::schema
