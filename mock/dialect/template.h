// The expressions and representations of dialect files (docs/dialects.md, "Templates"): how a
// dialect says, as data, what a run looks like in an answer and what a create stores.
//
// An expression is a JSON value:
//   - "$name" or "$root/json/pointer": a reference (missing → null). Roots:
//       $id $state $tenant $created_at $ended_at $duration_seconds (the run)
//       $data/… (what create stored) $phase_fields/… (what the scenario's phases set)
//       $body/… $path/<name> $configuration $configuration/… $kind/… (a create's request)
//       $item/id $item/state $item/fields/… $item/ended_at $item/first_at $item/last_at
//       $item/entered/<STATE> $item/left/<STATE> (a part item: when it first entered a state, or
//       first entered any other than STATE)
//     "$$text" is the literal "$text".
//   - {"$first": [e1, e2, ...]}: the first that is not null;
//   - {"$format": "text {root/pointer} text"}: references put into a text;
//   - {"$id": "wf-{date}-{digits:5}"}: an id drawn from the seeded generator (mechanisms/id_template.h);
//   - {"$part": "tasks", "item": "<representation>", "limit": <expr>, "all": true}: the run's part
//     items rendered with a representation (visible items only, unless `all`);
//   - {"$if": {"state": S} | {"item_state": S}, "then": <expr>}: the value when the run (item) is in S;
//   - any other object or array: built member by member; a key ending in "?" ("ended_at?") is left
//     out (or removed from what a representation builds on) when its value is null;
//   - any other value: itself.
//
// A representation (representations: in a dialect file) builds a JSON object in this order:
//   from (another representation's name, or an expression whose object is copied; or
//   from_item_fields), pick (keep only these keys, those present), fields (set), defaults (set when
//   absent), hooks (C++, by name), merge_phase_fields (the phases' `set`, minus `except`), objects
//   (keys that must stay objects).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/ids.h"
#include "engine/run.h"

namespace runmock::dialect {

// A dialect file's value that is not a valid expression or representation: `pointer` says where.
class TemplateError : public std::runtime_error {
 public:
  TemplateError(std::string pointer, const std::string& message) : std::runtime_error(message), pointer(std::move(pointer)) {}
  std::string pointer;
};

class Representations;

// What an expression sees. Every member is optional; a reference to what is absent is null.
struct Scope {
  const engine::RunSnapshot* run = nullptr;
  const engine::PartItem* item = nullptr;
  const nlohmann::json* body = nullptr;
  const nlohmann::json* configuration = nullptr;
  const nlohmann::json* kind = nullptr;
  const std::map<std::string, std::string, std::less<>>* path = nullptr;
  std::string tenant;
  int fraction_digits = -1;                // of every timestamp (engine::format_timestamp)
  engine::IdGenerator* ids = nullptr;      // for {$id: ...}
  engine::Instant now{};                   // the instant {$id: ...} dates ids with
  const Representations* representations = nullptr;  // for {$part: ...}
};

class Expr {
 public:
  Expr() = default;
  // Compiles `value`; throws TemplateError (with `pointer`, where `value` sits in its file).
  static Expr compile(const nlohmann::json& value, const std::string& pointer);
  nlohmann::json evaluate(const Scope& scope) const;
  bool empty() const { return node_ == nullptr; }
  // The reference it is, as written ("$id"), or "" when it is anything else.
  std::string reference() const;

  struct Node;

 private:
  std::shared_ptr<const Node> node_;
};

// C++ that finishes a representation (a dialect's `hooks:` name it): adjusts `out` in place.
using RepresentHook = std::function<void(nlohmann::json& out, const Scope& scope)>;

struct Representation {
  std::string name;
  std::string from_representation;  // "from: detail"
  Expr from;                         // "from: $data/run"
  bool from_item_fields = false;
  std::optional<std::vector<std::string>> pick;
  struct Member {
    std::string key;
    bool omit_null = false;  // written "key?"
    Expr value;
  };
  std::vector<Member> fields;
  std::vector<Member> defaults;
  std::vector<RepresentHook> hooks;
  bool merge_phase_fields = false;
  std::set<std::string> merge_except;
  std::vector<std::string> objects;
};

class Representations {
 public:
  // Compiles the `representations:` object of a dialect file (at `pointer`). `hooks` resolves a
  // hook name (throws TemplateError for an unknown one). Also checks that every `from:` and every
  // {$part: ..., item: ...} names a representation and that `from:` chains have no cycle.
  static Representations compile(const nlohmann::json& spec, const std::string& pointer,
                                 const std::function<RepresentHook(const std::string& name)>& hooks);

  bool contains(const std::string& name) const { return by_name_.count(name) > 0; }
  // Renders `name` for the scope (its run, or its item). Throws std::out_of_range for an unknown name.
  nlohmann::json render(const std::string& name, const Scope& scope) const;
  std::vector<std::string> names() const;
  // The pointer ("/uuid") of the field of `name` (or of what it is built from) whose value is
  // exactly the reference `reference` ("$id"); "" when there is none.
  std::string field_of(const std::string& name, const std::string& reference) const;

 private:
  std::map<std::string, Representation> by_name_;
};

// "a/b~1c" → the JSON value at that pointer inside `root`, or null.
const nlohmann::json* find_pointer(const nlohmann::json& root, std::string_view pointer);

}  // namespace runmock::dialect
