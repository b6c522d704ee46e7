#include "dialect/template.h"

#include <variant>

#include "engine/time.h"
#include "loader/json_pointer.h"
#include "mechanisms/id_template.h"

namespace runmock::dialect {

using nlohmann::json;

namespace {

json timestamp_or_null(const std::optional<engine::Instant>& at, int digits) {
  return at ? json(engine::format_timestamp(*at, digits)) : json(nullptr);
}

json pointer_or_null(const json* root, std::string_view pointer) {
  if (!root) return nullptr;
  const json* found = find_pointer(*root, pointer);
  return found ? *found : json(nullptr);
}

}  // namespace

const json* find_pointer(const json& root, std::string_view pointer) {
  std::string text(pointer);
  if (!text.empty() && text.front() != '/') text.insert(text.begin(), '/');
  return contracts::find_at(root, contracts::pointer_tokens(text));
}

// ---------------------------------------------------------------------------------------------
// Expressions

// A reference: a root and what follows it ("data" + "/configuration/workflow_name").
struct Reference {
  std::string text;  // as written, without '$'
  enum class Root { id, state, tenant, created_at, ended_at, duration_seconds, data, phase_fields, body, path, configuration, kind, item };
  Root root;
  std::string rest;  // a pointer ("/a/b"), a path parameter's name, or the item's member ("state", "entered/STARTED")
};

struct Expr::Node {
  struct Part {
    std::string key;
    std::string item;
    Expr limit;
    bool all = false;
  };
  struct If {
    bool item_state = false;
    std::string state;
    Expr then;
  };
  struct Member {
    std::string key;
    bool omit_null;
    Expr value;
  };
  struct First {
    std::vector<Expr> choices;
  };
  struct Array {
    std::vector<Expr> items;
  };
  using Format = std::vector<std::variant<std::string, Reference>>;
  std::variant<json, Reference, First, Format, mechanisms::IdTemplate, Part, If, std::vector<Member>, Array> value;
  enum class Kind { literal, reference, first, format, id, part, when, object, array } kind = Kind::literal;
};

namespace {

using Node = Expr::Node;

Reference parse_reference(std::string_view text, const std::string& pointer) {
  static const std::pair<const char*, Reference::Root> kRoots[] = {
      {"id", Reference::Root::id},
      {"state", Reference::Root::state},
      {"tenant", Reference::Root::tenant},
      {"created_at", Reference::Root::created_at},
      {"ended_at", Reference::Root::ended_at},
      {"duration_seconds", Reference::Root::duration_seconds},
      {"data", Reference::Root::data},
      {"phase_fields", Reference::Root::phase_fields},
      {"body", Reference::Root::body},
      {"path", Reference::Root::path},
      {"configuration", Reference::Root::configuration},
      {"kind", Reference::Root::kind},
      {"item", Reference::Root::item},
  };
  auto slash = text.find('/');
  std::string_view root = text.substr(0, slash);
  std::string rest = slash == std::string_view::npos ? "" : std::string(text.substr(slash));
  for (const auto& [name, value] : kRoots) {
    if (root != name) continue;
    bool takes_rest = value >= Reference::Root::data;
    if (!takes_rest && !rest.empty()) throw TemplateError(pointer, "'$" + std::string(root) + "' takes nothing after it");
    if ((value == Reference::Root::path || value == Reference::Root::item) && rest.size() < 2) {
      throw TemplateError(pointer, "'$" + std::string(root) + "' needs a name after it ('$" + std::string(root) + "/...')");
    }
    if (value == Reference::Root::path || value == Reference::Root::item) rest = rest.substr(1);
    return {std::string(text), value, rest};
  }
  throw TemplateError(pointer, "'$" + std::string(text) +
                                   "' is not a reference (roots: id, state, tenant, created_at, ended_at, duration_seconds, data, phase_fields, body, path, configuration, kind, item)");
}

Node::Format parse_format(const std::string& text, const std::string& pointer) {
  Node::Format pieces;
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find('{', at);
    if (open == std::string::npos) {
      pieces.emplace_back(text.substr(at));
      break;
    }
    auto close = text.find('}', open);
    if (close == std::string::npos) throw TemplateError(pointer, "'{' without '}' in \"" + text + "\"");
    if (open > at) pieces.emplace_back(text.substr(at, open - at));
    pieces.emplace_back(parse_reference(std::string_view(text).substr(open + 1, close - open - 1), pointer));
    at = close + 1;
  }
  return pieces;
}

std::string plain_key(const std::string& key, bool& omit) {
  omit = key.size() > 1 && key.back() == '?';
  return omit ? key.substr(0, key.size() - 1) : key;
}

std::shared_ptr<Node> make(Node::Kind kind, auto value) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->value = std::move(value);
  return node;
}

std::shared_ptr<Node> compile_operator(const json& value, const std::string& pointer);

std::shared_ptr<Node> compile_node(const json& value, const std::string& pointer) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.rfind("$$", 0) == 0) return make(Node::Kind::literal, json(text.substr(1)));
    if (text.size() > 1 && text[0] == '$') return make(Node::Kind::reference, parse_reference(std::string_view(text).substr(1), pointer));
    return make(Node::Kind::literal, value);
  }
  if (value.is_array()) {
    std::vector<Expr> items;
    for (std::size_t i = 0; i < value.size(); ++i) items.push_back(Expr::compile(value[i], pointer + "/" + std::to_string(i)));
    return make(Node::Kind::array, Node::Array{std::move(items)});
  }
  if (!value.is_object()) return make(Node::Kind::literal, value);
  if (value.size() >= 1 && value.begin().key().rfind("$", 0) == 0) return compile_operator(value, pointer);
  std::vector<Node::Member> members;
  for (const auto& [key, member] : value.items()) {
    bool omit = false;
    std::string name = plain_key(key, omit);
    members.push_back({name, omit, Expr::compile(member, pointer + "/" + key)});
  }
  return make(Node::Kind::object, std::move(members));
}

void expect_keys(const json& value, const std::string& pointer, std::initializer_list<const char*> allowed) {
  for (const auto& [key, member] : value.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw TemplateError(pointer + "/" + key, "'" + key + "' is not a key of this operator (it takes " + list + ")");
    }
  }
}

std::shared_ptr<Node> compile_part(const json& value, const std::string& pointer) {
  expect_keys(value, pointer, {"$part", "item", "limit", "all"});
  if (!value["$part"].is_string() || !value.contains("item") || !value["item"].is_string()) {
    throw TemplateError(pointer, "{$part: <part key>, item: <representation>} names a part and the representation of its items");
  }
  Node::Part part{value["$part"].get<std::string>(), value["item"].get<std::string>(), {}, value.value("all", false)};
  if (value.contains("limit")) part.limit = Expr::compile(value["limit"], pointer + "/limit");
  return make(Node::Kind::part, std::move(part));
}

std::shared_ptr<Node> compile_if(const json& value, const std::string& pointer) {
  expect_keys(value, pointer, {"$if", "then"});
  const json& test = value["$if"];
  bool ok = test.is_object() && test.size() == 1 && (test.contains("state") || test.contains("item_state")) && test.begin()->is_string();
  if (!ok || !value.contains("then")) throw TemplateError(pointer, "{$if: {state: S} or {item_state: S}, then: <value>}");
  return make(Node::Kind::when, Node::If{test.contains("item_state"), test.begin()->get<std::string>(), Expr::compile(value["then"], pointer + "/then")});
}

std::shared_ptr<Node> compile_operator(const json& value, const std::string& pointer) {
  const std::string& op = value.begin().key();
  if (op == "$part") return compile_part(value, pointer);
  if (op == "$if") return compile_if(value, pointer);
  if (value.size() != 1) throw TemplateError(pointer, "'" + op + "' stands alone in its object");
  const json& arg = value.begin().value();
  std::string at = pointer + "/" + op;
  if (op == "$first") {
    if (!arg.is_array() || arg.empty()) throw TemplateError(at, "$first takes a list of values");
    std::vector<Expr> choices;
    for (std::size_t i = 0; i < arg.size(); ++i) choices.push_back(Expr::compile(arg[i], at + "/" + std::to_string(i)));
    return make(Node::Kind::first, Node::First{std::move(choices)});
  }
  if (op == "$format") {
    if (!arg.is_string()) throw TemplateError(at, "$format takes a text with {references}");
    return make(Node::Kind::format, parse_format(arg.get<std::string>(), at));
  }
  if (op == "$id") {
    if (!arg.is_string()) throw TemplateError(at, "$id takes an id template such as \"wf-{date}-{digits:5}\"");
    try {
      return make(Node::Kind::id, mechanisms::IdTemplate::parse(arg.get<std::string>()));
    } catch (const std::invalid_argument& e) {
      throw TemplateError(at, e.what());
    }
  }
  throw TemplateError(pointer, "'" + op + "' is not an operator ($first, $format, $id, $part, $if; write \"$$\" for a literal '$')");
}

json evaluate_item(const Reference& ref, const Scope& scope) {
  const engine::PartItem* item = scope.item;
  if (!item) return nullptr;
  int digits = scope.fraction_digits;
  const std::string& what = ref.rest;
  if (what == "id") return item->id;
  if (what == "state") return item->visible() ? json(item->state) : json(nullptr);
  if (what == "ended_at") return timestamp_or_null(item->ended_at, digits);
  if (what == "first_at") return item->history.empty() ? json(nullptr) : json(engine::format_timestamp(item->history.front().second, digits));
  if (what == "last_at") return item->history.empty() ? json(nullptr) : json(engine::format_timestamp(item->history.back().second, digits));
  if (what.rfind("fields", 0) == 0) return pointer_or_null(&item->fields, std::string_view(what).substr(6));
  if (what.rfind("entered/", 0) == 0) return timestamp_or_null(item->entered(what.substr(8)), digits);
  if (what.rfind("left/", 0) == 0) {
    std::string state = what.substr(5);
    for (const auto& [entered, at] : item->history) {
      if (entered != state) return engine::format_timestamp(at, digits);
    }
  }
  return nullptr;
}

json evaluate_run(const Reference& ref, const Scope& scope) {
  const engine::RunSnapshot* run = scope.run;
  if (!run) return nullptr;
  int digits = scope.fraction_digits;
  switch (ref.root) {
    case Reference::Root::id: return run->id();
    case Reference::Root::state: return run->state();
    case Reference::Root::created_at: return engine::format_timestamp(run->created_at(), digits);
    case Reference::Root::ended_at: return timestamp_or_null(run->ended_at(), digits);
    case Reference::Root::duration_seconds:
      return run->ended_at() ? json(engine::to_seconds(*run->ended_at() - run->created_at())) : json(nullptr);
    case Reference::Root::data: return pointer_or_null(&run->data(), ref.rest);
    case Reference::Root::phase_fields: return pointer_or_null(&run->fields(), ref.rest);
    default: return nullptr;
  }
}

json evaluate_reference(const Reference& ref, const Scope& scope) {
  switch (ref.root) {
    case Reference::Root::tenant: return !scope.tenant.empty() ? json(scope.tenant) : scope.run ? json(scope.run->tenant()) : json(nullptr);
    case Reference::Root::body: return pointer_or_null(scope.body, ref.rest);
    case Reference::Root::configuration: return pointer_or_null(scope.configuration, ref.rest);
    case Reference::Root::kind: return pointer_or_null(scope.kind, ref.rest);
    case Reference::Root::item: return evaluate_item(ref, scope);
    case Reference::Root::path: {
      if (!scope.path) return nullptr;
      auto it = scope.path->find(ref.rest);
      return it == scope.path->end() ? json(nullptr) : json(it->second);
    }
    default: return evaluate_run(ref, scope);
  }
}

std::string as_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

json evaluate_part(const Node::Part& part, const Scope& scope) {
  json out = json::array();
  if (!scope.run || !scope.representations) return out;
  json limit = part.limit.empty() ? json(nullptr) : part.limit.evaluate(scope);
  const auto& items = scope.run->part(part.key);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (limit.is_number() && static_cast<double>(i) >= limit.get<double>()) break;
    if (!part.all && !items[i].visible()) continue;
    Scope inner = scope;
    inner.item = &items[i];
    out.push_back(scope.representations->render(part.item, inner));
  }
  return out;
}

bool holds(const Node::If& test, const Scope& scope) {
  if (test.item_state) return scope.item && scope.item->visible() && scope.item->state == test.state;
  return scope.run && scope.run->state() == test.state;
}

}  // namespace

std::string Expr::reference() const {
  if (!node_ || node_->kind != Node::Kind::reference) return "";
  return "$" + std::get<Reference>(node_->value).text;
}

Expr Expr::compile(const json& value, const std::string& pointer) {
  Expr e;
  e.node_ = compile_node(value, pointer);
  return e;
}

json Expr::evaluate(const Scope& scope) const {
  if (!node_) return nullptr;
  switch (node_->kind) {
    case Node::Kind::literal: return std::get<json>(node_->value);
    case Node::Kind::reference: return evaluate_reference(std::get<Reference>(node_->value), scope);
    case Node::Kind::first:
      for (const auto& choice : std::get<Node::First>(node_->value).choices) {
        json v = choice.evaluate(scope);
        if (!v.is_null()) return v;
      }
      return nullptr;
    case Node::Kind::format: {
      std::string out;
      for (const auto& piece : std::get<Node::Format>(node_->value)) {
        out += std::holds_alternative<std::string>(piece) ? std::get<std::string>(piece) : as_text(evaluate_reference(std::get<Reference>(piece), scope));
      }
      return out;
    }
    case Node::Kind::id:
      if (!scope.ids) return nullptr;
      return std::get<mechanisms::IdTemplate>(node_->value).make(*scope.ids, scope.now);
    case Node::Kind::part: return evaluate_part(std::get<Node::Part>(node_->value), scope);
    case Node::Kind::when: {
      const auto& test = std::get<Node::If>(node_->value);
      return holds(test, scope) ? test.then.evaluate(scope) : json(nullptr);
    }
    case Node::Kind::object: {
      json out = json::object();
      for (const auto& m : std::get<std::vector<Node::Member>>(node_->value)) {
        json v = m.value.evaluate(scope);
        if (!(m.omit_null && v.is_null())) out[m.key] = std::move(v);
      }
      return out;
    }
    case Node::Kind::array: {
      json out = json::array();
      for (const auto& item : std::get<Node::Array>(node_->value).items) out.push_back(item.evaluate(scope));
      return out;
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Representations

namespace {

std::vector<Representation::Member> compile_members(const json& spec, const std::string& pointer) {
  std::vector<Representation::Member> members;
  if (spec.is_null()) return members;
  if (!spec.is_object()) throw TemplateError(pointer, "an object of fields and their values");
  for (const auto& [key, value] : spec.items()) {
    bool omit = false;
    std::string name = plain_key(key, omit);
    members.push_back({name, omit, Expr::compile(value, pointer + "/" + key)});
  }
  return members;
}

std::vector<std::string> string_list(const json& spec, const std::string& pointer) {
  std::vector<std::string> out;
  if (!spec.is_array()) throw TemplateError(pointer, "a list of names");
  for (const auto& item : spec) {
    if (!item.is_string()) throw TemplateError(pointer, "a list of names");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Representation compile_representation(const std::string& name, const json& spec, const std::string& pointer,
                                      const std::function<RepresentHook(const std::string&)>& hooks) {
  Representation r;
  r.name = name;
  if (spec.contains("from")) {
    const json& from = spec["from"];
    if (from.is_string() && from.get<std::string>().rfind("$", 0) != 0) r.from_representation = from.get<std::string>();
    else r.from = Expr::compile(from, pointer + "/from");
  }
  r.from_item_fields = spec.value("from_item_fields", false);
  if (spec.contains("pick")) r.pick = string_list(spec["pick"], pointer + "/pick");
  r.fields = compile_members(spec.value("fields", json(nullptr)), pointer + "/fields");
  r.defaults = compile_members(spec.value("defaults", json(nullptr)), pointer + "/defaults");
  if (spec.contains("hooks")) {
    auto names = string_list(spec["hooks"], pointer + "/hooks");
    for (std::size_t i = 0; i < names.size(); ++i) {
      try {
        r.hooks.push_back(hooks(names[i]));
      } catch (const TemplateError& e) {
        throw TemplateError(pointer + "/hooks/" + std::to_string(i), e.what());
      }
    }
  }
  if (spec.contains("merge_phase_fields")) {
    const json& merge = spec["merge_phase_fields"];
    r.merge_phase_fields = merge.is_boolean() ? merge.get<bool>() : true;
    if (merge.is_object() && merge.contains("except")) {
      for (const auto& key : string_list(merge["except"], pointer + "/merge_phase_fields/except")) r.merge_except.insert(key);
    }
  }
  if (spec.contains("objects")) r.objects = string_list(spec["objects"], pointer + "/objects");
  return r;
}

// Every representation a value of `spec` names through {$part: ..., item: ...}.
void collect_item_names(const json& spec, const std::string& pointer, std::vector<std::pair<std::string, std::string>>& out) {
  if (spec.is_object()) {
    if (spec.contains("$part") && spec.contains("item") && spec["item"].is_string()) out.emplace_back(spec["item"].get<std::string>(), pointer + "/item");
    for (const auto& [key, value] : spec.items()) collect_item_names(value, pointer + "/" + key, out);
  } else if (spec.is_array()) {
    for (std::size_t i = 0; i < spec.size(); ++i) collect_item_names(spec[i], pointer + "/" + std::to_string(i), out);
  }
}

}  // namespace

Representations Representations::compile(const json& spec, const std::string& pointer, const std::function<RepresentHook(const std::string&)>& hooks) {
  Representations out;
  if (!spec.is_object()) throw TemplateError(pointer, "representations: an object of named representations");
  for (const auto& [name, value] : spec.items()) {
    if (!value.is_object()) throw TemplateError(pointer + "/" + name, "a representation is an object (from, pick, fields, defaults, hooks, merge_phase_fields, objects)");
    out.by_name_.emplace(name, compile_representation(name, value, pointer + "/" + name, hooks));
  }
  std::vector<std::pair<std::string, std::string>> named;
  collect_item_names(spec, pointer, named);
  for (const auto& [name, r] : out.by_name_) {
    if (!r.from_representation.empty()) named.emplace_back(r.from_representation, pointer + "/" + name + "/from");
  }
  for (const auto& [name, where] : named) {
    if (!out.contains(name)) throw TemplateError(where, "no representation '" + name + "' (known: " + [&] {
      std::string list;
      for (const auto& n : out.names()) list += (list.empty() ? "" : ", ") + n;
      return list;
    }() + ")");
  }
  for (const auto& [name, r] : out.by_name_) {
    std::set<std::string> seen{name};
    for (const Representation* at = &r; !at->from_representation.empty(); at = &out.by_name_.at(at->from_representation)) {
      if (!seen.insert(at->from_representation).second) throw TemplateError(pointer + "/" + name + "/from", "representations built from each other in a circle");
    }
  }
  return out;
}

std::string Representations::field_of(const std::string& name, const std::string& reference) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return "";
  for (const auto& m : it->second.fields) {
    if (m.value.reference() == reference) return "/" + m.key;
  }
  return it->second.from_representation.empty() ? "" : field_of(it->second.from_representation, reference);
}

std::vector<std::string> Representations::names() const {
  std::vector<std::string> out;
  for (const auto& [name, r] : by_name_) out.push_back(name);
  return out;
}

json Representations::render(const std::string& name, const Scope& scope) const {
  const Representation& r = by_name_.at(name);
  json out;
  if (!r.from_representation.empty()) {
    out = render(r.from_representation, scope);
  } else if (!r.from.empty()) {
    out = r.from.evaluate(scope);
  } else if (r.from_item_fields && scope.item) {
    out = scope.item->fields;
  }
  if (!out.is_object()) out = json::object();
  if (r.pick) {
    json picked = json::object();
    for (const auto& key : *r.pick) {
      if (auto it = out.find(key); it != out.end()) picked[key] = *it;
    }
    out = std::move(picked);
  }
  for (const auto& m : r.fields) {
    json v = m.value.evaluate(scope);
    if (m.omit_null && v.is_null()) out.erase(m.key);
    else out[m.key] = std::move(v);
  }
  for (const auto& m : r.defaults) {
    if (out.contains(m.key)) continue;
    json v = m.value.evaluate(scope);
    if (!(m.omit_null && v.is_null())) out[m.key] = std::move(v);
  }
  for (const auto& hook : r.hooks) hook(out, scope);
  if (r.merge_phase_fields && scope.run) {
    json fields = scope.run->fields();
    for (const auto& key : r.merge_except) fields.erase(key);
    out.merge_patch(fields);
  }
  for (const auto& key : r.objects) {
    if (!out[key].is_object()) out[key] = json::object();
  }
  return out;
}

}  // namespace runmock::dialect
