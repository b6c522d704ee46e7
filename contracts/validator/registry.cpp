#include <algorithm>
#include <cctype>
#include <span>

#include "graph.h"
#include "json_value.h"
#include "uri.h"

namespace runmock::schema {
namespace {

// Deeper schemas than this are refused: compiling and scanning recurse once per level.
constexpr std::size_t kMaxSchemaDepth = 512;

constexpr std::string_view kSchemaKeywordsSingle2020[] = {
    "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema"};
constexpr std::string_view kSchemaKeywordsArray2020[] = {"allOf", "anyOf", "oneOf", "prefixItems"};
constexpr std::string_view kSchemaKeywordsMap2020[] = {"properties", "patternProperties", "$defs", "dependentSchemas", "dependencies"};

constexpr std::string_view kSchemaKeywordsSingle7[] = {
    "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else", "additionalItems"};
constexpr std::string_view kSchemaKeywordsArray7[] = {"allOf", "anyOf", "oneOf", "items"};
constexpr std::string_view kSchemaKeywordsMap7[] = {"properties", "patternProperties", "definitions", "dependencies"};

std::string strip_empty_fragment(std::string uri) {
  if (!uri.empty() && uri.back() == '#') uri.pop_back();
  return uri;
}

bool is_schema_value(const json& value) { return value.is_object() || value.is_boolean(); }

}  // namespace

Draft CompiledGraph::draft_of(const std::string& metaschema, Draft inherited) const {
  if (metaschema.empty()) return inherited;
  std::string uri = strip_empty_fragment(metaschema);
  if (uri.find("json-schema.org/draft-07/") != std::string::npos || uri.find("json-schema.org/draft-06/") != std::string::npos ||
      uri.find("json-schema.org/draft-04/") != std::string::npos) {
    return Draft::draft7;
  }
  if (uri.find("json-schema.org/draft/20") != std::string::npos) return Draft::draft2020_12;
  // A custom meta-schema: its own `$schema` says which dialect it extends.
  if (const Resource* meta = find_resource(uri); meta && meta->root->is_object()) {
    auto it = meta->root->find("$schema");
    if (it != meta->root->end() && it->is_string() && strip_empty_fragment(it->get<std::string>()) != uri) {
      return draft_of(it->get<std::string>(), inherited);
    }
  }
  return inherited;
}

Resource* CompiledGraph::new_resource(const std::string& uri, const json* root, Draft draft, std::string metaschema) {
  auto& slot = resources_[uri];
  if (slot) throw SchemaError(uri, "two schema resources share the URI '" + uri + "'");
  slot = std::make_unique<Resource>();
  slot->uri = uri;
  slot->root = root;
  slot->draft = draft;
  slot->metaschema = std::move(metaschema);
  return slot.get();
}

const Resource* CompiledGraph::find_resource(const std::string& uri) const {
  if (auto it = resources_.find(uri); it != resources_.end()) return it->second.get();
  if (auto it = aliases_.find(uri); it != aliases_.end()) return it->second;
  return nullptr;
}

std::vector<const Resource*> CompiledGraph::resources_with_dynamic_anchor(const std::string& anchor) const {
  std::vector<const Resource*> found;
  for (const auto& [uri, resource] : resources_) {
    if (resource->dynamic_anchors.count(anchor)) found.push_back(resource.get());
  }
  return found;
}

const Place* CompiledGraph::place_of(const json& value) const {
  auto it = places_.find(&value);
  return it == places_.end() ? nullptr : &it->second;
}

bool CompiledGraph::contains(const std::string& uri) const {
  return find_resource(strip_empty_fragment(uri)) != nullptr;
}

void CompiledGraph::add(const std::string& uri, json document) {
  std::string retrieval = strip_empty_fragment(uri);
  if (find_resource(retrieval)) throw SchemaError(retrieval, "a schema is already registered as '" + retrieval + "'");
  // Only a schema gets a place, and every resource root needs one (compile and resolve look it up).
  if (!is_schema_value(document)) {
    throw SchemaError(retrieval, "a schema document must be an object or a boolean, not " + describe_type(document));
  }
  const json& doc = documents_.emplace_back(std::move(document));
  std::string metaschema;
  if (doc.is_object()) {
    if (auto it = doc.find("$schema"); it != doc.end() && it->is_string()) metaschema = it->get<std::string>();
  }
  Draft draft = draft_of(metaschema, default_draft_);
  // The document's own `$id` is its base URI; the retrieval URI stays an alias.
  std::string base = retrieval;
  std::string fragment;
  if (doc.is_object() && !(draft == Draft::draft7 && doc.contains("$ref"))) {
    if (auto it = doc.find("$id"); it != doc.end() && it->is_string()) {
      std::string resolved = resolve_uri(retrieval, it->get<std::string>());
      auto parts = split_fragment(resolved);
      base = std::string(parts.resource);
      fragment = std::string(parts.fragment);
    }
  }
  if (base != retrieval && find_resource(base)) throw SchemaError(base, "a schema is already registered as '" + base + "'");
  Resource* resource = new_resource(base, &doc, draft, metaschema);
  if (base != retrieval) aliases_[retrieval] = resource;
  if (!fragment.empty() && draft == Draft::draft7) resource->anchors[fragment] = &doc;
  scan(doc, resource, "", draft, 0);
}

void CompiledGraph::scan(const json& value, Resource* resource, const std::string& pointer, Draft draft, std::size_t depth) {
  if (depth > kMaxSchemaDepth) {
    throw SchemaError(resource->uri + "#" + pointer, "schema nested deeper than " + std::to_string(kMaxSchemaDepth) + " levels");
  }
  if (!is_schema_value(value) || places_.count(&value)) return;
  Place place{resource, pointer};
  if (value.is_object()) {
    bool ref_overrides = draft == Draft::draft7 && value.contains("$ref");
    auto id = value.find("$id");
    if (id != value.end() && id->is_string() && !ref_overrides && &value != resource->root) {
      std::string resolved = resolve_uri(resource->uri, id->get<std::string>());
      auto [base, fragment] = split_fragment(resolved);
      if (std::string(base) != resource->uri) {
        std::string metaschema = resource->metaschema;
        Draft inner = draft;
        if (auto it = value.find("$schema"); it != value.end() && it->is_string() && draft == Draft::draft2020_12) {
          metaschema = it->get<std::string>();
          inner = draft_of(metaschema, draft);
        }
        resource = new_resource(std::string(base), &value, inner, metaschema);
        draft = inner;
        place = Place{resource, ""};
      }
      if (!fragment.empty() && draft == Draft::draft7) resource->anchors[std::string(fragment)] = &value;
    }
    if (draft == Draft::draft2020_12) {
      if (auto it = value.find("$anchor"); it != value.end() && it->is_string()) resource->anchors[it->get<std::string>()] = &value;
      if (auto it = value.find("$dynamicAnchor"); it != value.end() && it->is_string()) {
        resource->anchors[it->get<std::string>()] = &value;
        resource->dynamic_anchors[it->get<std::string>()] = &value;
      }
    }
    places_.emplace(&value, place);
    if (ref_overrides) return;
    const auto& singles = draft == Draft::draft7 ? std::span<const std::string_view>(kSchemaKeywordsSingle7) : std::span<const std::string_view>(kSchemaKeywordsSingle2020);
    const auto& arrays = draft == Draft::draft7 ? std::span<const std::string_view>(kSchemaKeywordsArray7) : std::span<const std::string_view>(kSchemaKeywordsArray2020);
    const auto& maps = draft == Draft::draft7 ? std::span<const std::string_view>(kSchemaKeywordsMap7) : std::span<const std::string_view>(kSchemaKeywordsMap2020);
    for (auto keyword : singles) {
      auto it = value.find(keyword);
      if (it != value.end()) scan(*it, resource, place.pointer + "/" + std::string(keyword), draft, depth + 1);
    }
    for (auto keyword : arrays) {
      auto it = value.find(keyword);
      if (it == value.end() || !it->is_array()) continue;
      for (std::size_t i = 0; i < it->size(); ++i) {
        scan((*it)[i], resource, place.pointer + "/" + std::string(keyword) + "/" + std::to_string(i), draft, depth + 1);
      }
    }
    for (auto keyword : maps) {
      auto it = value.find(keyword);
      if (it == value.end() || !it->is_object()) continue;
      for (auto member = it->begin(); member != it->end(); ++member) {
        scan(member.value(), resource, place.pointer + "/" + std::string(keyword) + "/" + pointer_escape(member.key()), draft, depth + 1);
      }
    }
  } else {
    places_.emplace(&value, place);
  }
}

CompiledGraph::Target CompiledGraph::resolve(const Place& from, const std::string& reference) {
  std::string absolute = resolve_uri(from.resource->uri, reference);
  auto [base, raw_fragment] = split_fragment(absolute);
  const Resource* found = find_resource(std::string(base));
  std::string where = from.resource->uri + "#" + from.pointer;
  if (!found) {
    throw SchemaError(where, "cannot resolve reference '" + reference + "': no schema is registered as '" + std::string(base) + "'");
  }
  Resource* resource = resources_.at(found->uri).get();
  std::string fragment = percent_decode(raw_fragment);
  if (fragment.empty()) return {resource->root, places_.at(resource->root)};
  if (fragment[0] != '/') {
    auto it = resource->anchors.find(fragment);
    if (it == resource->anchors.end()) {
      throw SchemaError(where, "cannot resolve reference '" + reference + "': no anchor '" + fragment + "' in '" + resource->uri + "'");
    }
    return {it->second, places_.at(it->second)};
  }
  // A JSON Pointer: walk it, remembering the innermost known schema on the way for the base URI.
  const json* current = resource->root;
  Place known = places_.at(current);
  std::string walked = known.pointer;
  std::size_t start = 1;
  while (start <= fragment.size()) {
    std::size_t end = fragment.find('/', start);
    if (end == std::string::npos) end = fragment.size();
    std::string token;
    for (std::size_t i = start; i < end; ++i) {
      if (fragment[i] == '~' && i + 1 < end && (fragment[i + 1] == '0' || fragment[i + 1] == '1')) {
        token.push_back(fragment[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        token.push_back(fragment[i]);
      }
    }
    if (current->is_object() && current->contains(token)) {
      current = &(*current)[token];
    } else if (current->is_array() && !token.empty() && std::all_of(token.begin(), token.end(), ::isdigit) &&
               std::stoull(token) < current->size()) {
      current = &(*current)[std::stoull(token)];
    } else {
      throw SchemaError(where, "cannot resolve reference '" + reference + "': '" + resource->uri + "' has nothing at '" + fragment + "'");
    }
    walked += "/" + pointer_escape(token);
    if (auto it = places_.find(current); it != places_.end()) {
      known = it->second;
      walked = known.pointer;
    }
    start = end + 1;
  }
  if (!places_.count(current)) {
    // A schema inside a keyword we do not know: it takes the base URI of its surroundings.
    scan(*current, known.resource, walked, known.resource->draft, 0);
  }
  return {current, places_.at(current)};
}

Vocabularies CompiledGraph::vocabularies(const Resource& resource) {
  Vocabularies vocab;
  if (resource.metaschema.empty()) return vocab;
  const Resource* meta = find_resource(strip_empty_fragment(resource.metaschema));
  if (!meta || !meta->root->is_object()) return vocab;
  auto it = meta->root->find("$vocabulary");
  if (it == meta->root->end() || !it->is_object()) return vocab;
  auto has = [&](std::string_view name) {
    for (auto v = it->begin(); v != it->end(); ++v) {
      if (v.key().size() >= name.size() && v.key().compare(v.key().size() - name.size(), name.size(), name) == 0) return true;
    }
    return false;
  };
  vocab.applicator = has("/vocab/applicator");
  vocab.unevaluated = has("/vocab/unevaluated");
  vocab.validation = has("/vocab/validation");
  vocab.format_assertion = has("/vocab/format-assertion");
  return vocab;
}

const Node* CompiledGraph::node_for(const json& value, const Place& place, const CompileOptions& options) {
  auto key = std::make_pair(&value, options.format_assertion);
  if (auto it = nodes_.find(key); it != nodes_.end()) return it->second.get();
  if (compile_depth_ > kMaxSchemaDepth) {
    throw SchemaError(place.resource->uri + "#" + place.pointer,
                      "schema nested deeper than " + std::to_string(kMaxSchemaDepth) + " levels");
  }
  auto& slot = nodes_[key];
  slot = std::make_unique<Node>();
  Node& node = *slot;
  node.resource = place.resource;
  node.location = place.resource->uri + "#" + place.pointer;
  if (value.is_boolean()) {
    node.boolean_schema = true;
    node.boolean_value = value.get<bool>();
    return &node;
  }
  if (!value.is_object()) {
    throw SchemaError(node.location, "a schema must be an object or a boolean, not " + describe_type(value));
  }
  ++compile_depth_;
  try {
    compile_keywords(node, value, place, *this, options);
  } catch (...) {
    --compile_depth_;
    nodes_.erase(key);
    throw;
  }
  --compile_depth_;
  return &node;
}

const Node* CompiledGraph::compile(const std::string& uri, const CompileOptions& options) {
  std::string absolute = strip_empty_fragment(uri);
  auto [base, fragment] = split_fragment(absolute);
  const Resource* resource = find_resource(std::string(base));
  if (!resource) throw SchemaError(absolute, "no schema is registered as '" + std::string(base) + "'");
  Target target = resolve(places_.at(resource->root), absolute);
  return node_for(*target.value, target.place, options);
}

void Annotations::reset(const json& instance) {
  properties.assign(instance.is_object() ? instance.size() : 0, 0);
  items.assign(instance.is_array() ? instance.size() : 0, 0);
}

void Annotations::merge(const Annotations& other) {
  for (std::size_t i = 0; i < properties.size() && i < other.properties.size(); ++i) properties[i] |= other.properties[i];
  for (std::size_t i = 0; i < items.size() && i < other.items.size(); ++i) items[i] |= other.items[i];
}

std::string EvalContext::instance_pointer() const {
  std::string out;
  for (const auto& [key, index] : instance_path) {
    out.push_back('/');
    out += key ? pointer_escape(*key) : std::to_string(index);
  }
  return out;
}

void EvalContext::report(const std::string& schema_location, std::string message) {
  if (errors) errors->push_back({instance_pointer(), schema_location, std::move(message)});
}

bool Node::eval(const json& instance, EvalContext& ctx, Annotations* annotations) const {
  if (boolean_schema) {
    if (!boolean_value) ctx.report(location, "no value is allowed here (the schema is false)");
    return boolean_value;
  }
  if (ctx.aborted) return false;
  if (++ctx.depth > ctx.max_depth) {
    ctx.aborted = true;
    ctx.report(location, "validation stopped: schemas nested more than " + std::to_string(ctx.max_depth) +
                             " levels deep (a $ref cycle, or an instance nested too deeply)");
    --ctx.depth;
    return false;
  }
  bool entered = ctx.track_scope && (ctx.dynamic_scope.empty() || ctx.dynamic_scope.back() != resource);
  if (entered) ctx.dynamic_scope.push_back(resource);

  Annotations local;
  Annotations* mine = nullptr;
  if (annotations || collects_annotations) {
    local.reset(instance);
    mine = &local;
  }
  bool valid = true;
  for (const auto& keyword : keywords) {
    if (!keyword->eval(instance, ctx, mine)) {
      valid = false;
      if (!ctx.collecting() || ctx.aborted) break;
    }
  }
  if (valid && annotations) annotations->merge(local);

  if (entered) ctx.dynamic_scope.pop_back();
  --ctx.depth;
  return valid;
}

bool Schema::validate(const json& instance) const {
  EvalContext ctx;
  ctx.max_depth = max_depth_;
  ctx.track_scope = graph_->uses_dynamic_scope();
  try {
    return root_->eval(instance, ctx, nullptr);
  } catch (const TooDeep&) {
    return false;
  }
}

bool Schema::validate(const json& instance, std::vector<ValidationError>& errors) const {
  EvalContext ctx;
  ctx.errors = &errors;
  ctx.max_depth = max_depth_;
  ctx.track_scope = graph_->uses_dynamic_scope();
  try {
    return root_->eval(instance, ctx, nullptr);
  } catch (const TooDeep&) {
    errors.push_back({"", root_->location, "value nested more than " + std::to_string(kMaxCompareDepth) + " levels deep to compare"});
    return false;
  }
}

SchemaRegistry::SchemaRegistry(Draft default_draft) : graph_(std::make_shared<CompiledGraph>(default_draft)) {}
SchemaRegistry::~SchemaRegistry() = default;

void SchemaRegistry::add(const std::string& uri, json document) { graph_->add(uri, std::move(document)); }

std::string SchemaRegistry::add(json document) {
  if (!document.is_object() || !document.contains("$id") || !document["$id"].is_string()) {
    throw SchemaError("", "the schema has no top-level \"$id\" to register it by");
  }
  std::string id = strip_empty_fragment(document["$id"].get<std::string>());
  if (!has_scheme(id)) throw SchemaError(id, "the top-level \"$id\" '" + id + "' is not an absolute URI");
  graph_->add(id, std::move(document));
  return id;
}

bool SchemaRegistry::contains(const std::string& uri) const { return graph_->contains(uri); }

Schema SchemaRegistry::compile(const std::string& uri, const CompileOptions& options) {
  return Schema(graph_, graph_->compile(uri, options), options.max_depth);
}

Schema SchemaRegistry::compile_document(json document, const CompileOptions& options) {
  std::string uri = graph_->next_anonymous_uri();
  graph_->add(uri, std::move(document));
  return compile(uri, options);
}

}  // namespace runmock::schema
