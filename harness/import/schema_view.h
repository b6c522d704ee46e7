// Reading an OpenAPI or JSON Schema schema the way the guessers need it, through `$ref`s (3.0 and
// 3.1 alike: a 3.1 `$ref` with siblings is both) and `allOf`: the properties an object has, which
// are required, the types a value may have, the words of an enum. Every walk is bounded (a
// recursive schema is followed a few levels, not forever).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "import/document_set.h"

namespace runmock::import {

class SchemaView {
 public:
  explicit SchemaView(const DocumentSet& set) : set_(set) {}

  // The properties of an object schema, by name, with those of its $ref and allOf members.
  std::map<std::string, Place> properties(const Place& schema) const;
  std::set<std::string> required(const Place& schema) const;
  // "string", "integer", "null" ...: `type` (a word or a list), 3.0's `nullable`, through $ref and
  // allOf; empty when the schema says nothing.
  std::set<std::string> types(const Place& schema) const;
  bool nullable(const Place& schema) const { return types(schema).count("null") > 0; }
  // The string words of an enum (through $ref, allOf, and an anyOf/oneOf of enums and null), or
  // nullopt when the schema is no enum of strings.
  std::optional<std::vector<std::string>> enum_words(const Place& schema) const;
  // `format`, through $ref and allOf ("" when none).
  std::string format(const Place& schema) const;
  // The schema of an array's items, through $ref and allOf (empty when none).
  Place items(const Place& schema) const;
  // The places a schema is made of: itself once its $ref is followed, its $ref's and its allOf
  // members', depth first (each once).
  std::vector<Place> parts(const Place& schema) const;

  const DocumentSet& set() const { return set_; }

 private:
  void collect_parts(const Place& schema, std::vector<Place>& out, int depth) const;
  const DocumentSet& set_;
};

}  // namespace runmock::import
