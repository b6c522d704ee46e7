// The keywords of draft 2020-12 and draft-07: how each is compiled from its schema value and how
// it checks an instance. A Node evaluates its keywords in order; keywords that depend on what
// others evaluated (unevaluatedProperties / unevaluatedItems) come last.
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include "ecma_regex.h"
#include "formats.h"
#include "graph.h"
#include "json_value.h"

namespace runmock::schema {
namespace {

// Keeps the instance location in step with the descent, only when errors are being collected.
class PathGuard {
 public:
  PathGuard(EvalContext& ctx, const std::string* key, std::size_t index) : ctx_(ctx), active_(ctx.collecting()) {
    if (active_) ctx_.instance_path.emplace_back(key, index);
  }
  ~PathGuard() {
    if (active_) ctx_.instance_path.pop_back();
  }
  PathGuard(const PathGuard&) = delete;
  PathGuard& operator=(const PathGuard&) = delete;

 private:
  EvalContext& ctx_;
  bool active_;
};

// Evaluates without reporting: for keywords whose subschemas may fail without the instance failing
// (not, if, contains, the branches of anyOf/oneOf in fast mode).
bool eval_quietly(const Node* node, const json& instance, EvalContext& ctx, Annotations* annotations) {
  auto* saved = ctx.errors;
  ctx.errors = nullptr;
  bool valid = node->eval(instance, ctx, annotations);
  ctx.errors = saved;
  return valid;
}

std::size_t utf8_length(const std::string& text) {
  std::size_t count = 0;
  for (unsigned char ch : text) count += (ch & 0xC0) != 0x80;
  return count;
}

std::string quote(const std::string& text) { return "'" + text + "'"; }

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// ---------------------------------------------------------------------------------------------
// Validation vocabulary

enum TypeBit : unsigned { kNull = 1, kBoolean = 2, kObject = 4, kArray = 8, kNumber = 16, kString = 32, kInteger = 64 };

unsigned type_bit(const std::string& name) {
  if (name == "null") return kNull;
  if (name == "boolean") return kBoolean;
  if (name == "object") return kObject;
  if (name == "array") return kArray;
  if (name == "number") return kNumber;
  if (name == "string") return kString;
  if (name == "integer") return kInteger;
  return 0;
}

bool is_integral(const json& value) {
  if (value.is_number_integer() || value.is_number_unsigned()) return true;
  if (!value.is_number_float()) return false;
  double d = value.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

struct TypeKeyword : Keyword {
  unsigned mask = 0;
  std::vector<std::string> names;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    unsigned bit = 0;
    switch (instance.type()) {
      case json::value_t::null: bit = kNull; break;
      case json::value_t::boolean: bit = kBoolean; break;
      case json::value_t::object: bit = kObject; break;
      case json::value_t::array: bit = kArray; break;
      case json::value_t::string: bit = kString; break;
      default: bit = kNumber | (is_integral(instance) ? unsigned{kInteger} : 0u); break;
    }
    if (mask & bit) return true;
    if (ctx.collecting()) {
      std::string expected;
      for (std::size_t i = 0; i < names.size(); ++i) {
        expected += (i == 0 ? "" : (i + 1 == names.size() ? " or " : ", ")) + names[i];
      }
      ctx.report(location, "expected " + expected + ", got " + describe_type(instance));
    }
    return false;
  }
};

struct EnumKeyword : Keyword {
  const json* values = nullptr;
  std::unordered_multimap<std::size_t, const json*> by_hash;  // filled for long enums only
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    bool found = false;
    if (!by_hash.empty()) {
      auto [first, last] = by_hash.equal_range(json_hash(instance));
      for (auto it = first; it != last && !found; ++it) found = json_equal(*it->second, instance);
    } else {
      for (const auto& candidate : *values) {
        if (json_equal(candidate, instance)) {
          found = true;
          break;
        }
      }
    }
    if (!found && ctx.collecting()) {
      if (values->size() <= 6) {
        std::string allowed;
        for (const auto& candidate : *values) allowed += (allowed.empty() ? "" : ", ") + candidate.dump();
        ctx.report(location, preview(instance) + " is not one of the allowed values: " + allowed);
      } else {
        ctx.report(location, preview(instance) + " is not one of the " + std::to_string(values->size()) + " allowed values");
      }
    }
    return found;
  }
};

struct ConstKeyword : Keyword {
  const json* value = nullptr;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (json_equal(*value, instance)) return true;
    ctx.report(location, "expected " + preview(*value) + ", got " + preview(instance));
    return false;
  }
};

bool is_integer_type(const json& value) { return value.is_number_integer() || value.is_number_unsigned(); }

std::uint64_t magnitude(const json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  std::int64_t v = value.get<std::int64_t>();
  return v < 0 ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
}

struct MultipleOfKeyword : Keyword {
  json divisor;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_number()) return true;
    bool valid;
    if (is_integer_type(instance) && is_integer_type(divisor)) {
      // Exact for integers, including those a double cannot hold.
      valid = magnitude(instance) % magnitude(divisor) == 0;
    } else {
      double quotient = instance.get<double>() / divisor.get<double>();
      // A quotient too large for a double is still exact when the remainder is zero.
      valid = std::isfinite(quotient) ? std::fabs(quotient - std::round(quotient)) < 1e-9
                                      : std::fmod(instance.get<double>(), divisor.get<double>()) == 0.0;
    }
    if (!valid) ctx.report(location, preview(instance) + " is not a multiple of " + divisor.dump());
    return valid;
  }
};

struct BoundKeyword : Keyword {
  enum Kind { kMinimum, kMaximum, kExclusiveMinimum, kExclusiveMaximum } kind = kMinimum;
  json limit;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_number()) return true;
    int cmp = compare_numbers(instance, limit);
    bool valid = false;
    const char* words = "";
    switch (kind) {
      case kMinimum: valid = cmp >= 0; words = "less than the minimum"; break;
      case kMaximum: valid = cmp <= 0; words = "greater than the maximum"; break;
      case kExclusiveMinimum: valid = cmp > 0; words = "not greater than the exclusive minimum"; break;
      case kExclusiveMaximum: valid = cmp < 0; words = "not less than the exclusive maximum"; break;
    }
    if (!valid) ctx.report(location, preview(instance) + " is " + words + " " + limit.dump());
    return valid;
  }
};

struct CountKeyword : Keyword {
  enum Kind { kMinLength, kMaxLength, kMinItems, kMaxItems, kMinProperties, kMaxProperties } kind = kMinLength;
  std::size_t limit = 0;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    std::size_t count;
    const char* unit;
    switch (kind) {
      case kMinLength:
      case kMaxLength:
        if (!instance.is_string()) return true;
        count = utf8_length(instance.get_ref<const std::string&>());
        unit = "character";
        break;
      case kMinItems:
      case kMaxItems:
        if (!instance.is_array()) return true;
        count = instance.size();
        unit = "item";
        break;
      default:
        if (!instance.is_object()) return true;
        count = instance.size();
        unit = "property";
        break;
    }
    bool minimum = kind == kMinLength || kind == kMinItems || kind == kMinProperties;
    bool valid = minimum ? count >= limit : count <= limit;
    if (!valid && ctx.collecting()) {
      std::string what = std::string(unit) + (limit == 1 ? "" : "s");
      if (what == "propertys") what = "properties";
      ctx.report(location, std::string(minimum ? "expected at least " : "expected at most ") + std::to_string(limit) + " " + what +
                               ", got " + std::to_string(count));
    }
    return valid;
  }
};

struct PatternKeyword : Keyword {
  std::string source;
  std::unique_ptr<RE2> regex;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_string()) return true;
    if (RE2::PartialMatch(instance.get_ref<const std::string&>(), *regex)) return true;
    ctx.report(location, preview(instance) + " does not match the pattern " + quote(source));
    return false;
  }
};

struct FormatKeyword : Keyword {
  std::string format;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_string() || check_format(format, instance.get_ref<const std::string&>())) return true;
    ctx.report(location, preview(instance) + " is not a valid " + format);
    return false;
  }
};

struct RequiredKeyword : Keyword {
  std::vector<std::string> names;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_object()) return true;
    bool valid = true;
    for (const auto& name : names) {
      if (instance.contains(name)) continue;
      valid = false;
      if (!ctx.collecting()) break;
      ctx.report(location, "missing required property " + quote(name));
    }
    return valid;
  }
};

struct DependentRequiredKeyword : Keyword {
  std::vector<std::pair<std::string, std::vector<std::string>>> rules;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_object()) return true;
    bool valid = true;
    for (const auto& [trigger, needed] : rules) {
      if (!instance.contains(trigger)) continue;
      for (const auto& name : needed) {
        if (instance.contains(name)) continue;
        valid = false;
        if (!ctx.collecting()) return false;
        ctx.report(location, "property " + quote(trigger) + " requires property " + quote(name));
      }
    }
    return valid;
  }
};

struct UniqueItemsKeyword : Keyword {
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_array() || instance.size() < 2) return true;
    std::unordered_multimap<std::size_t, std::size_t> seen;
    seen.reserve(instance.size());
    for (std::size_t i = 0; i < instance.size(); ++i) {
      std::size_t h = json_hash(instance[i]);
      auto [first, last] = seen.equal_range(h);
      for (auto it = first; it != last; ++it) {
        if (json_equal(instance[it->second], instance[i])) {
          ctx.report(location, "items " + std::to_string(it->second) + " and " + std::to_string(i) + " are equal; items must be unique");
          return false;
        }
      }
      seen.emplace(h, i);
    }
    return true;
  }
};

// ---------------------------------------------------------------------------------------------
// Applicator vocabulary

struct RefKeyword : Keyword {
  const Node* target = nullptr;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    return target->eval(instance, ctx, annotations);
  }
};

struct DynamicRefKeyword : Keyword {
  const Node* static_target = nullptr;
  // Every resource that declares the same $dynamicAnchor, with the node it names.
  std::unordered_map<const Resource*, const Node*> candidates;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    const Node* target = static_target;
    for (const Resource* resource : ctx.dynamic_scope) {
      if (auto it = candidates.find(resource); it != candidates.end()) {
        target = it->second;
        break;
      }
    }
    return target->eval(instance, ctx, annotations);
  }
};

struct AllOfKeyword : Keyword {
  std::vector<const Node*> branches;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    bool valid = true;
    for (const Node* branch : branches) {
      if (!branch->eval(instance, ctx, annotations)) {
        valid = false;
        if (!ctx.collecting()) break;
      }
    }
    return valid;
  }
};

// anyOf and oneOf: in fast mode branches run quietly; when collecting, each branch's errors are
// kept apart so that the report can show the branch that came closest.
struct AlternativesKeyword : Keyword {
  bool exactly_one = false;
  std::vector<const Node*> branches;
  std::vector<std::string> branch_locations;

  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    if (!ctx.collecting()) {
      std::size_t matched = 0;
      for (const Node* branch : branches) {
        if (branch->eval(instance, ctx, annotations) && ++matched && !exactly_one && !annotations) return true;
        if (exactly_one && matched > 1) return false;
        if (ctx.aborted) return false;
      }
      return exactly_one ? matched == 1 : matched > 0;
    }
    std::vector<std::vector<ValidationError>> failures(branches.size());
    std::vector<std::size_t> matched;
    auto* saved = ctx.errors;
    for (std::size_t i = 0; i < branches.size(); ++i) {
      ctx.errors = &failures[i];
      if (branches[i]->eval(instance, ctx, annotations)) matched.push_back(i);
    }
    ctx.errors = saved;
    if (exactly_one && matched.size() > 1) {
      ctx.report(location, "matches " + std::to_string(matched.size()) + " of the alternatives (#" + std::to_string(matched[0]) +
                               " and #" + std::to_string(matched[1]) + "); exactly one must match");
      return false;
    }
    if (!matched.empty()) return true;
    report_failure(instance, ctx, failures);
    return false;
  }

  void report_failure(const json& instance, EvalContext& ctx, std::vector<std::vector<ValidationError>>& failures) const {
    // When every branch fails only on its type, one sentence says it all.
    std::vector<std::string> wanted;
    bool only_types = true;
    for (const auto& errors : failures) {
      if (errors.size() != 1 || errors[0].instance_location != ctx.instance_pointer() ||
          errors[0].schema_location.size() < 5 || errors[0].schema_location.compare(errors[0].schema_location.size() - 5, 5, "/type") != 0) {
        only_types = false;
        break;
      }
      const std::string& message = errors[0].message;
      auto start = message.find("expected ") + 9, end = message.rfind(", got ");
      wanted.push_back(message.substr(start, end - start));
    }
    if (only_types) {
      std::string expected;
      for (std::size_t i = 0; i < wanted.size(); ++i) expected += (i == 0 ? "" : (i + 1 == wanted.size() ? " or " : ", ")) + wanted[i];
      ctx.report(location, "expected " + expected + ", got " + describe_type(instance));
      return;
    }
    ctx.report(location, std::string("does not match ") + (exactly_one ? "exactly one" : "any") + " of the " +
                             std::to_string(branches.size()) + " alternatives");
    // The closest branch: the one whose errors lie deepest in the instance, then the fewest.
    std::size_t best = 0;
    auto depth_of = [](const std::vector<ValidationError>& errors) {
      std::size_t deepest = 0;
      for (const auto& e : errors) deepest = std::max(deepest, static_cast<std::size_t>(std::count(e.instance_location.begin(), e.instance_location.end(), '/')));
      return deepest;
    };
    for (std::size_t i = 1; i < failures.size(); ++i) {
      auto d = depth_of(failures[i]), bd = depth_of(failures[best]);
      if (d > bd || (d == bd && failures[i].size() < failures[best].size())) best = i;
    }
    for (auto& error : failures[best]) ctx.errors->push_back(std::move(error));
  }
};

struct NotKeyword : Keyword {
  const Node* negated = nullptr;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!eval_quietly(negated, instance, ctx, nullptr)) return !ctx.aborted;
    ctx.report(location, preview(instance) + " must not match the schema under 'not'");
    return false;
  }
};

struct IfThenElseKeyword : Keyword {
  const Node* condition = nullptr;
  const Node* then_branch = nullptr;
  const Node* else_branch = nullptr;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    bool holds = eval_quietly(condition, instance, ctx, annotations);
    const Node* branch = holds ? then_branch : else_branch;
    return branch == nullptr || branch->eval(instance, ctx, annotations);
  }
};

// properties, patternProperties and additionalProperties together: additionalProperties applies
// to the members the other two did not match, so one pass over the members serves all three.
struct PropertiesKeyword : Keyword {
  std::unordered_map<std::string, const Node*> properties;
  std::string properties_location;
  std::vector<std::pair<std::unique_ptr<RE2>, const Node*>> patterns;
  const Node* additional = nullptr;
  std::string additional_location;

  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    if (!instance.is_object()) return true;
    bool valid = true;
    std::size_t index = 0;
    for (auto it = instance.begin(); it != instance.end(); ++it, ++index) {
      const std::string& name = it.key();
      PathGuard guard(ctx, &name, 0);
      bool matched = false;
      if (auto p = properties.find(name); p != properties.end()) {
        matched = true;
        valid = p->second->eval(it.value(), ctx, nullptr) && valid;
      }
      for (const auto& [regex, node] : patterns) {
        if (!ctx.collecting() && !valid) break;
        if (RE2::PartialMatch(name, *regex)) {
          matched = true;
          valid = node->eval(it.value(), ctx, nullptr) && valid;
        }
      }
      if (!matched && additional) {
        matched = true;
        if (additional->boolean_schema && !additional->boolean_value) {
          valid = false;
          ctx.report(additional_location, "property " + quote(name) + " is not allowed");
        } else {
          valid = additional->eval(it.value(), ctx, nullptr) && valid;
        }
      }
      if (matched && annotations) annotations->properties[index] = 1;
      if (!valid && (!ctx.collecting() || ctx.aborted)) return false;
    }
    return valid;
  }
};

// A name is not a location in the instance, so its errors sit on the object and say which name.
struct PropertyNamesKeyword : Keyword {
  const Node* names = nullptr;
  bool eval(const json& instance, EvalContext& ctx, Annotations*) const override {
    if (!instance.is_object()) return true;
    bool valid = true;
    for (auto it = instance.begin(); it != instance.end(); ++it) {
      json name = it.key();
      if (!ctx.collecting()) {
        if (!names->eval(name, ctx, nullptr)) return false;
        continue;
      }
      std::vector<ValidationError> found;
      auto* saved = ctx.errors;
      ctx.errors = &found;
      bool ok = names->eval(name, ctx, nullptr);
      ctx.errors = saved;
      if (ok) continue;
      valid = false;
      for (auto& error : found) ctx.report(error.schema_location, "property name " + quote(it.key()) + ": " + error.message);
    }
    return valid;
  }
};

struct DependentSchemasKeyword : Keyword {
  std::vector<std::pair<std::string, const Node*>> rules;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    if (!instance.is_object()) return true;
    bool valid = true;
    for (const auto& [trigger, node] : rules) {
      if (!instance.contains(trigger)) continue;
      if (!node->eval(instance, ctx, annotations)) {
        valid = false;
        if (!ctx.collecting()) break;
      }
    }
    return valid;
  }
};

// prefixItems + items (2020-12), or items as an array + additionalItems (draft-07).
struct ItemsKeyword : Keyword {
  std::vector<const Node*> prefix;
  const Node* rest = nullptr;
  std::string rest_location;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    if (!instance.is_array()) return true;
    bool valid = true;
    for (std::size_t i = 0; i < instance.size(); ++i) {
      const Node* node = i < prefix.size() ? prefix[i] : rest;
      if (!node) break;
      PathGuard guard(ctx, nullptr, i);
      if (node->boolean_schema && !node->boolean_value) {
        valid = false;
        ctx.report(rest_location, "item " + std::to_string(i) + " is not allowed: at most " + plural(prefix.size(), "item") + " may be given");
      } else if (!node->eval(instance[i], ctx, nullptr)) {
        valid = false;
      }
      if (annotations) annotations->items[i] = 1;
      if (!valid && (!ctx.collecting() || ctx.aborted)) return false;
    }
    return valid;
  }
};

struct ContainsKeyword : Keyword {
  const Node* node = nullptr;
  std::size_t min = 1;
  std::optional<std::size_t> max;
  bool annotates = true;  // 2020-12: matched items count as evaluated
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    if (!instance.is_array()) return true;
    std::size_t count = 0;
    for (std::size_t i = 0; i < instance.size(); ++i) {
      if (eval_quietly(node, instance[i], ctx, nullptr)) {
        ++count;
        if (annotations && annotates) annotations->items[i] = 1;
        if (!annotations && !max && count >= min) return true;
      }
      if (ctx.aborted) return false;
    }
    if (count < min) {
      ctx.report(location, min == 1 ? std::string("no item matches the schema under 'contains'")
                                    : "expected at least " + std::to_string(min) + " items matching 'contains', found " + std::to_string(count));
      return false;
    }
    if (max && count > *max) {
      ctx.report(location, "expected at most " + std::to_string(*max) + " items matching 'contains', found " + std::to_string(count));
      return false;
    }
    return true;
  }
};

// ---------------------------------------------------------------------------------------------
// Unevaluated vocabulary

struct UnevaluatedPropertiesKeyword : Keyword {
  const Node* node = nullptr;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    if (!instance.is_object()) return true;
    bool valid = true;
    std::size_t index = 0;
    for (auto it = instance.begin(); it != instance.end(); ++it, ++index) {
      if (annotations->properties[index]) continue;
      PathGuard guard(ctx, &it.key(), 0);
      if (node->boolean_schema && !node->boolean_value) {
        valid = false;
        ctx.report(location, "property " + quote(it.key()) + " is not allowed (no other keyword evaluates it)");
      } else if (node->eval(it.value(), ctx, nullptr)) {
        annotations->properties[index] = 1;
      } else {
        valid = false;
      }
      if (!valid && !ctx.collecting()) return false;
    }
    return valid;
  }
};

struct UnevaluatedItemsKeyword : Keyword {
  const Node* node = nullptr;
  bool eval(const json& instance, EvalContext& ctx, Annotations* annotations) const override {
    if (!instance.is_array()) return true;
    bool valid = true;
    for (std::size_t i = 0; i < instance.size(); ++i) {
      if (annotations->items[i]) continue;
      PathGuard guard(ctx, nullptr, i);
      if (node->boolean_schema && !node->boolean_value) {
        valid = false;
        ctx.report(location, "item " + std::to_string(i) + " is not allowed (no other keyword evaluates it)");
      } else if (node->eval(instance[i], ctx, nullptr)) {
        annotations->items[i] = 1;
      } else {
        valid = false;
      }
      if (!valid && !ctx.collecting()) return false;
    }
    return valid;
  }
};

// ---------------------------------------------------------------------------------------------
// Compilation

class KeywordCompiler {
 public:
  KeywordCompiler(Node& node, const json& schema, const Place& place, CompiledGraph& graph, const CompileOptions& options)
      : node_(node), schema_(schema), place_(place), graph_(graph), options_(options), draft_(place.resource->draft) {}

  void run() {
    Vocabularies vocab = graph_.vocabularies(*place_.resource);
    if (draft_ == Draft::draft7 && schema_.contains("$ref")) {
      // Draft-07: $ref makes every sibling keyword be ignored.
      compile_ref();
      return;
    }
    compile_ref();
    if (draft_ == Draft::draft2020_12) compile_dynamic_ref();
    if (vocab.validation) compile_validation();
    if (vocab.applicator) compile_applicators();
    bool asserts_format = options_.format_assertion || (draft_ == Draft::draft2020_12 && vocab.format_assertion);
    if (asserts_format) {
      if (auto it = schema_.find("format"); it != schema_.end() && it->is_string()) {
        auto keyword = make<FormatKeyword>("format");
        keyword->format = it->get<std::string>();
        add(std::move(keyword));
      }
    }
    if (draft_ == Draft::draft2020_12 && vocab.unevaluated) compile_unevaluated();
  }

 private:
  template <typename T>
  std::unique_ptr<T> make(const std::string& keyword) {
    auto k = std::make_unique<T>();
    k->location = node_.location + "/" + pointer_escape(keyword);
    return k;
  }
  void add(std::unique_ptr<Keyword> keyword) { node_.keywords.push_back(std::move(keyword)); }

  [[noreturn]] void fail(const std::string& keyword, const std::string& message) const {
    throw SchemaError(node_.location + "/" + pointer_escape(keyword), message);
  }

  const json* find(const char* keyword) const {
    auto it = schema_.find(keyword);
    return it == schema_.end() ? nullptr : &*it;
  }

  const Node* sub(const json& value, const std::string& relative) {
    if (const Place* scanned = graph_.place_of(value)) return graph_.node_for(value, *scanned, options_);
    return graph_.node_for(value, Place{place_.resource, place_.pointer + "/" + relative}, options_);
  }

  std::vector<const Node*> sub_array(const char* keyword) {
    const json& value = schema_[keyword];
    if (!value.is_array() || value.empty()) fail(keyword, std::string("'") + keyword + "' must be a non-empty array of schemas");
    std::vector<const Node*> nodes;
    for (std::size_t i = 0; i < value.size(); ++i) nodes.push_back(sub(value[i], std::string(keyword) + "/" + std::to_string(i)));
    return nodes;
  }

  std::vector<std::string> names_of(const char* keyword, const json& value) const {
    std::vector<std::string> names;
    if (!value.is_array()) fail(keyword, std::string("'") + keyword + "' must map each property to an array of property names");
    for (const auto& name : value) {
      if (!name.is_string()) fail(keyword, std::string("'") + keyword + "' must map each property to an array of property names");
      names.push_back(name.get<std::string>());
    }
    return names;
  }

  std::size_t count_value(const char* keyword) const {
    const json& value = schema_[keyword];
    if (!value.is_number() || value.get<double>() < 0 || !is_integral(value)) {
      fail(keyword, std::string("'") + keyword + "' must be a non-negative integer, not " + preview(value));
    }
    // A count beyond std::size_t (1e300) is no real length: clamping keeps its meaning, and
    // converting it as it is would be undefined behaviour.
    constexpr auto kMaxCount = std::numeric_limits<std::size_t>::max();
    double count = value.get<double>();
    return count >= static_cast<double>(kMaxCount) ? kMaxCount : static_cast<std::size_t>(count);
  }

  std::unique_ptr<RE2> regex(const std::string& keyword, const std::string& source) const {
    RegexTranslation translation = ecma_to_re2(source);
    if (!translation.ok()) fail(keyword, "the pattern " + quote(source) + " cannot be used: " + translation.error);
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_never_capture(true);
    auto compiled = std::make_unique<RE2>(translation.re2_pattern, opts);
    if (!compiled->ok()) fail(keyword, "the pattern " + quote(source) + " cannot be used: " + compiled->error());
    return compiled;
  }

  void compile_ref() {
    const json* ref = find("$ref");
    if (!ref) return;
    if (!ref->is_string()) fail("$ref", "'$ref' must be a string");
    auto target = graph_.resolve(place_, ref->get<std::string>());
    auto keyword = make<RefKeyword>("$ref");
    keyword->target = graph_.node_for(*target.value, target.place, options_);
    add(std::move(keyword));
  }

  void compile_dynamic_ref() {
    const json* ref = find("$dynamicRef");
    if (!ref) return;
    if (!ref->is_string()) fail("$dynamicRef", "'$dynamicRef' must be a string");
    const std::string reference = ref->get<std::string>();
    auto target = graph_.resolve(place_, reference);
    auto keyword = make<DynamicRefKeyword>("$dynamicRef");
    keyword->static_target = graph_.node_for(*target.value, target.place, options_);
    // Dynamic only when the reference names an anchor that its target declares with
    // $dynamicAnchor (the "bookend"); otherwise it is a plain $ref.
    auto hash = reference.find('#');
    std::string anchor = hash == std::string::npos ? "" : reference.substr(hash + 1);
    bool bookended = !anchor.empty() && anchor[0] != '/' && target.place.resource->dynamic_anchors.count(anchor) &&
                     target.place.resource->dynamic_anchors.at(anchor) == target.value;
    if (bookended) {
      graph_.note_dynamic_scope_used();
      for (const Resource* resource : graph_.resources_with_dynamic_anchor(anchor)) {
        auto candidate = graph_.resolve(Place{const_cast<Resource*>(resource), ""}, "#" + anchor);
        keyword->candidates[resource] = graph_.node_for(*candidate.value, candidate.place, options_);
      }
    }
    add(std::move(keyword));
  }

  void compile_validation() {
    if (const json* type = find("type")) {
      auto keyword = make<TypeKeyword>("type");
      auto add_name = [&](const json& name) {
        unsigned bit = name.is_string() ? type_bit(name.get<std::string>()) : 0;
        if (!bit) fail("type", "unknown type " + preview(name));
        keyword->mask |= bit == kNumber ? (kNumber | kInteger) : bit;
        keyword->names.push_back(name.get<std::string>());
      };
      if (type->is_array()) {
        for (const auto& name : *type) add_name(name);
      } else {
        add_name(*type);
      }
      add(std::move(keyword));
    }
    if (const json* values = find("enum")) {
      if (!values->is_array()) fail("enum", "'enum' must be an array");
      auto keyword = make<EnumKeyword>("enum");
      keyword->values = values;
      if (values->size() > 8) {
        for (const auto& v : *values) keyword->by_hash.emplace(json_hash(v), &v);
      }
      add(std::move(keyword));
    }
    if (const json* value = find("const")) {
      auto keyword = make<ConstKeyword>("const");
      keyword->value = value;
      add(std::move(keyword));
    }
    if (const json* divisor = find("multipleOf")) {
      if (!divisor->is_number() || divisor->get<double>() <= 0) fail("multipleOf", "'multipleOf' must be a number greater than 0");
      auto keyword = make<MultipleOfKeyword>("multipleOf");
      keyword->divisor = *divisor;
      add(std::move(keyword));
    }
    const std::pair<const char*, BoundKeyword::Kind> bounds[] = {
        {"minimum", BoundKeyword::kMinimum}, {"maximum", BoundKeyword::kMaximum},
        {"exclusiveMinimum", BoundKeyword::kExclusiveMinimum}, {"exclusiveMaximum", BoundKeyword::kExclusiveMaximum}};
    for (const auto& [name, kind] : bounds) {
      const json* limit = find(name);
      if (!limit) continue;
      if (!limit->is_number()) fail(name, std::string("'") + name + "' must be a number");
      auto keyword = make<BoundKeyword>(name);
      keyword->kind = kind;
      keyword->limit = *limit;
      add(std::move(keyword));
    }
    const std::pair<const char*, CountKeyword::Kind> counts[] = {
        {"minLength", CountKeyword::kMinLength}, {"maxLength", CountKeyword::kMaxLength},
        {"minItems", CountKeyword::kMinItems}, {"maxItems", CountKeyword::kMaxItems},
        {"minProperties", CountKeyword::kMinProperties}, {"maxProperties", CountKeyword::kMaxProperties}};
    for (const auto& [name, kind] : counts) {
      if (!find(name)) continue;
      auto keyword = make<CountKeyword>(name);
      keyword->kind = kind;
      keyword->limit = count_value(name);
      add(std::move(keyword));
    }
    if (const json* pattern = find("pattern")) {
      if (!pattern->is_string()) fail("pattern", "'pattern' must be a string");
      auto keyword = make<PatternKeyword>("pattern");
      keyword->source = pattern->get<std::string>();
      keyword->regex = regex("pattern", keyword->source);
      add(std::move(keyword));
    }
    if (const json* unique = find("uniqueItems"); unique && unique->is_boolean() && unique->get<bool>()) {
      add(make<UniqueItemsKeyword>("uniqueItems"));
    }
    if (const json* required = find("required")) {
      if (!required->is_array()) fail("required", "'required' must be an array of property names");
      auto keyword = make<RequiredKeyword>("required");
      for (const auto& name : *required) {
        if (!name.is_string()) fail("required", "'required' must be an array of property names");
        keyword->names.push_back(name.get<std::string>());
      }
      if (!keyword->names.empty()) add(std::move(keyword));
    }
    if (draft_ == Draft::draft2020_12) {
      if (const json* rules = find("dependentRequired")) {
        if (!rules->is_object()) fail("dependentRequired", "'dependentRequired' must be an object");
        auto keyword = make<DependentRequiredKeyword>("dependentRequired");
        for (auto it = rules->begin(); it != rules->end(); ++it) keyword->rules.emplace_back(it.key(), names_of("dependentRequired", it.value()));
        add(std::move(keyword));
      }
    }
  }

  void compile_applicators() {
    if (find("allOf")) {
      auto keyword = make<AllOfKeyword>("allOf");
      keyword->branches = sub_array("allOf");
      add(std::move(keyword));
    }
    for (const char* name : {"anyOf", "oneOf"}) {
      if (!find(name)) continue;
      auto keyword = make<AlternativesKeyword>(name);
      keyword->exactly_one = std::string_view(name) == "oneOf";
      keyword->branches = sub_array(name);
      add(std::move(keyword));
    }
    if (const json* negated = find("not")) {
      auto keyword = make<NotKeyword>("not");
      keyword->negated = sub(*negated, "not");
      add(std::move(keyword));
    }
    if (const json* condition = find("if")) {
      auto keyword = make<IfThenElseKeyword>("if");
      keyword->condition = sub(*condition, "if");
      if (const json* then = find("then")) keyword->then_branch = sub(*then, "then");
      if (const json* otherwise = find("else")) keyword->else_branch = sub(*otherwise, "else");
      add(std::move(keyword));
    }
    compile_properties();
    if (const json* names = find("propertyNames")) {
      auto keyword = make<PropertyNamesKeyword>("propertyNames");
      keyword->names = sub(*names, "propertyNames");
      add(std::move(keyword));
    }
    compile_dependencies();
    compile_items();
    if (const json* contains = find("contains")) {
      auto keyword = make<ContainsKeyword>("contains");
      keyword->node = sub(*contains, "contains");
      if (draft_ == Draft::draft2020_12) {
        if (find("minContains")) keyword->min = count_value("minContains");
        if (find("maxContains")) keyword->max = count_value("maxContains");
      } else {
        keyword->annotates = false;
      }
      add(std::move(keyword));
    }
  }

  void compile_properties() {
    const json* properties = find("properties");
    const json* patterns = find("patternProperties");
    const json* additional = find("additionalProperties");
    if (!properties && !patterns && !additional) return;
    auto keyword = make<PropertiesKeyword>(properties ? "properties" : patterns ? "patternProperties" : "additionalProperties");
    if (properties) {
      if (!properties->is_object()) fail("properties", "'properties' must be an object of schemas");
      for (auto it = properties->begin(); it != properties->end(); ++it) {
        keyword->properties.emplace(it.key(), sub(it.value(), "properties/" + pointer_escape(it.key())));
      }
    }
    if (patterns) {
      if (!patterns->is_object()) fail("patternProperties", "'patternProperties' must be an object of schemas");
      for (auto it = patterns->begin(); it != patterns->end(); ++it) {
        keyword->patterns.emplace_back(regex("patternProperties", it.key()), sub(it.value(), "patternProperties/" + pointer_escape(it.key())));
      }
    }
    if (additional) {
      keyword->additional = sub(*additional, "additionalProperties");
      keyword->additional_location = node_.location + "/additionalProperties";
    }
    add(std::move(keyword));
  }

  // dependentSchemas and dependentRequired (2020-12), and draft-07's `dependencies`, which mixes
  // both and which 2020-12 schemas still use for compatibility.
  void compile_dependencies() {
    auto schemas = make<DependentSchemasKeyword>("dependentSchemas");
    if (const json* rules = find("dependentSchemas"); rules && draft_ == Draft::draft2020_12) {
      if (!rules->is_object()) fail("dependentSchemas", "'dependentSchemas' must be an object");
      for (auto it = rules->begin(); it != rules->end(); ++it) {
        schemas->rules.emplace_back(it.key(), sub(it.value(), "dependentSchemas/" + pointer_escape(it.key())));
      }
    }
    if (!schemas->rules.empty()) add(std::move(schemas));
    const json* rules = find("dependencies");
    if (!rules) return;
    if (!rules->is_object()) fail("dependencies", "'dependencies' must be an object");
    auto legacy_schemas = make<DependentSchemasKeyword>("dependencies");
    auto legacy_required = make<DependentRequiredKeyword>("dependencies");
    for (auto it = rules->begin(); it != rules->end(); ++it) {
      if (it.value().is_array()) {
        legacy_required->rules.emplace_back(it.key(), names_of("dependencies", it.value()));
      } else {
        legacy_schemas->rules.emplace_back(it.key(), sub(it.value(), "dependencies/" + pointer_escape(it.key())));
      }
    }
    if (!legacy_schemas->rules.empty()) add(std::move(legacy_schemas));
    if (!legacy_required->rules.empty()) add(std::move(legacy_required));
  }

  void compile_items() {
    auto keyword = make<ItemsKeyword>("items");
    if (draft_ == Draft::draft2020_12) {
      if (find("prefixItems")) keyword->prefix = sub_array("prefixItems");
      if (const json* items = find("items")) {
        keyword->rest = sub(*items, "items");
        keyword->rest_location = node_.location + "/items";
      }
    } else if (const json* items = find("items")) {
      if (items->is_array()) {
        for (std::size_t i = 0; i < items->size(); ++i) keyword->prefix.push_back(sub((*items)[i], "items/" + std::to_string(i)));
        if (const json* additional = find("additionalItems")) {
          keyword->rest = sub(*additional, "additionalItems");
          keyword->rest_location = node_.location + "/additionalItems";
        }
      } else {
        keyword->rest = sub(*items, "items");
        keyword->rest_location = node_.location + "/items";
      }
    }
    if (!keyword->prefix.empty() || keyword->rest) add(std::move(keyword));
  }

  void compile_unevaluated() {
    if (const json* value = find("unevaluatedProperties")) {
      auto keyword = make<UnevaluatedPropertiesKeyword>("unevaluatedProperties");
      keyword->node = sub(*value, "unevaluatedProperties");
      add(std::move(keyword));
      node_.collects_annotations = true;
    }
    if (const json* value = find("unevaluatedItems")) {
      auto keyword = make<UnevaluatedItemsKeyword>("unevaluatedItems");
      keyword->node = sub(*value, "unevaluatedItems");
      add(std::move(keyword));
      node_.collects_annotations = true;
    }
  }

  Node& node_;
  const json& schema_;
  const Place& place_;
  CompiledGraph& graph_;
  const CompileOptions& options_;
  Draft draft_;
};

}  // namespace

void compile_keywords(Node& node, const json& schema, const Place& place, CompiledGraph& graph, const CompileOptions& options) {
  KeywordCompiler(node, schema, place, graph, options).run();
}

std::string describe_type(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    default: return "number";
  }
}

namespace {

// A short rendering of a value for messages; bounded in depth and length, so that a hostile,
// deeply nested instance cannot make the message itself recurse without end.
void render(const json& value, std::string& out, int depth) {
  if (out.size() > 80) return;
  switch (value.type()) {
    case json::value_t::array:
      if (depth > 2) { out += "[...]"; return; }
      out += "[";
      for (std::size_t i = 0; i < value.size() && out.size() <= 80; ++i) {
        if (i) out += ",";
        render(value[i], out, depth + 1);
      }
      out += "]";
      return;
    case json::value_t::object:
      if (depth > 2) { out += "{...}"; return; }
      out += "{";
      for (auto it = value.begin(); it != value.end() && out.size() <= 80; ++it) {
        if (it != value.begin()) out += ",";
        out += json(it.key()).dump(-1, ' ', false, json::error_handler_t::replace) + ":";
        render(it.value(), out, depth + 1);
      }
      out += "}";
      return;
    default:
      out += value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

}  // namespace

std::string preview(const json& value) {
  std::string text;
  if (value.is_string()) {
    text = "'" + value.get<std::string>() + "'";
  } else {
    render(value, text, 0);
  }
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

}  // namespace runmock::schema
