// Internal: the compiled form of schemas. A CompiledGraph owns the registered documents, the
// index of their resources and anchors, and the compiled nodes; a Node is one schema object
// (or boolean schema) turned into a list of keyword evaluators with every reference resolved.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "json_value.h"
#include "validator.h"

namespace runmock::schema {

using json = nlohmann::json;

// Which vocabularies a resource's meta-schema turns on (draft 2020-12 `$vocabulary`).
struct Vocabularies {
  bool applicator = true;
  bool unevaluated = true;
  bool validation = true;
  bool format_assertion = false;
};

// A schema resource: a document root or a subschema with its own `$id`.
struct Resource {
  std::string uri;
  const json* root = nullptr;
  Draft draft = Draft::draft2020_12;
  std::string metaschema;  // the `$schema` in force, "" when none was given
  std::unordered_map<std::string, const json*> anchors;
  std::unordered_map<std::string, const json*> dynamic_anchors;
};

// Where a schema value sits: its resource and its JSON Pointer inside it.
struct Place {
  Resource* resource = nullptr;
  std::string pointer;
};

// Which properties / items of the current instance some keyword has evaluated successfully, for
// unevaluatedProperties and unevaluatedItems. Indexed by member position / item index.
struct Annotations {
  std::vector<char> properties;
  std::vector<char> items;
  void reset(const json& instance);
  void merge(const Annotations& other);
};

struct EvalContext {
  std::vector<ValidationError>* errors = nullptr;  // null: stop at the first failure
  std::vector<const Resource*> dynamic_scope;
  // The instance location as segments, turned into a JSON Pointer only when an error is reported.
  std::vector<std::pair<const std::string*, std::size_t>> instance_path;
  std::size_t depth = 0;
  std::size_t max_depth = 0;
  bool track_scope = false;
  bool aborted = false;

  bool collecting() const { return errors != nullptr; }
  std::string instance_pointer() const;
  void report(const std::string& schema_location, std::string message);
};

struct Keyword {
  std::string location;  // absolute keyword location
  virtual ~Keyword() = default;
  virtual bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const = 0;
};

struct Node {
  const Resource* resource = nullptr;
  std::string location;
  bool boolean_schema = false;
  bool boolean_value = true;
  bool collects_annotations = false;  // has unevaluatedProperties / unevaluatedItems
  std::vector<std::unique_ptr<Keyword>> keywords;

  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const;
};

class CompiledGraph {
 public:
  explicit CompiledGraph(Draft default_draft) : default_draft_(default_draft) {}

  void add(const std::string& uri, json document);
  bool contains(const std::string& uri) const;
  const Node* compile(const std::string& uri, const CompileOptions& options);
  bool uses_dynamic_scope() const { return uses_dynamic_scope_; }
  std::string next_anonymous_uri() { return "runmock:///anonymous/" + std::to_string(++anonymous_count_) + ".json"; }

  // Used while compiling keywords.
  struct Target {
    const json* value;
    Place place;
  };
  Target resolve(const Place& from, const std::string& reference);
  const Node* node_for(const json& value, const Place& place, const CompileOptions& options);
  Vocabularies vocabularies(const Resource& resource);
  void note_dynamic_scope_used() { uses_dynamic_scope_ = true; }
  const Resource* find_resource(const std::string& uri) const;
  // Where a scanned schema value sits (its own resource when it has an `$id`); null if unscanned.
  const Place* place_of(const json& value) const;
  std::vector<const Resource*> resources_with_dynamic_anchor(const std::string& anchor) const;

 private:
  void scan(const json& value, Resource* resource, const std::string& pointer, Draft draft, std::size_t depth);
  Resource* new_resource(const std::string& uri, const json* root, Draft draft, std::string metaschema);
  Draft draft_of(const std::string& metaschema, Draft inherited) const;

  Draft default_draft_;
  std::deque<json> documents_;
  std::unordered_map<std::string, std::unique_ptr<Resource>> resources_;
  std::unordered_map<std::string, Resource*> aliases_;
  std::unordered_map<const json*, Place> places_;
  std::map<std::pair<const json*, bool>, std::unique_ptr<Node>> nodes_;
  std::size_t compile_depth_ = 0;
  std::size_t anonymous_count_ = 0;
  bool uses_dynamic_scope_ = false;
};

// Builds the keyword evaluators of `node` from the schema object `schema` (keywords.cpp).
void compile_keywords(Node& node, const json& schema, const Place& place, CompiledGraph& graph,
                      const CompileOptions& options);

std::string describe_type(const json& value);
std::string preview(const json& value);

}  // namespace runmock::schema
