// The one walk over a loaded YAML document (yaml_to_json and the scenario loader's marks both use
// it), with bounds on what the document may expand to.
//
// yaml-cpp's YAML::Load builds a graph, not a tree: an alias is the very node its anchor names, so
// `a: &a [*a]` is a sequence that contains itself, and ten aliases to a list of ten aliases to ...
// (an "alias bomb") is a few hundred bytes that expand to millions of values. yaml-cpp itself
// survives both (loading is linear in the text; only emitting or cloning would recurse), so the
// bounds are enforced here, on the expanded tree, before any visitor sees a value:
//   - a recursive alias (a collection that contains itself on the current path) is refused;
//   - collections nested more than kMaxDepth deep (written out, or through aliases) are refused;
//   - a document that expands to more than kMaxValues values (every mapping key and every alias
//     expansion counted) or more than kMaxScalarBytes bytes of scalars (keys included) is refused.
// The limits are far above what real documents need. The bundled ones peak at 2,324 values, 20 KB
// of scalars and 17 levels (contracts/admin/openapi.yaml, counting keys; a scenario file: 471
// values, 9 levels). 100,000 values refuses a five-level bomb of ten (111,111 values) while a
// document 40x the biggest one still loads, and keeps the worst accepted document to a fraction of
// a second and tens of MB.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace runmock::contracts {

inline constexpr std::size_t kMaxYamlDepth = 128;             // nested sequences and mappings
inline constexpr std::size_t kMaxYamlValues = 100'000;        // values, keys and alias expansions
inline constexpr std::size_t kMaxYamlScalarBytes = 4u << 20;  // bytes of scalars, as expanded

// A document past a bound: where (the offending node's mark: for an alias, where its anchor is)
// and what is wrong, without the file name (the caller knows it).
class YamlBoundsError : public std::runtime_error {
 public:
  YamlBoundsError(const YAML::Mark& mark, const std::string& message) : std::runtime_error(message), mark_(mark) {}
  const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
};

// How a value is reached from its parent.
struct YamlStep {
  const YAML::Node* key = nullptr;  // the mapping key; null for the root and for sequence items
  std::size_t index = 0;            // the position among its parent's items or members
};

class YamlVisitor {
 public:
  virtual ~YamlVisitor() = default;
  // Every value of the expanded tree, parents before children, in document order (a member's key
  // arrives in `step`). Returning false skips the value's children.
  virtual bool enter(const YAML::Node& value, const YamlStep& step) = 0;
  // After the children of each value entered (also when they were skipped).
  virtual void leave() = 0;
};

// Every document of a YAML text, as yaml-cpp loads them, after a first pass over the text's events
// that is bounded too: yaml-cpp 0.7 never ends on some malformed texts (a stray ',' at the top
// level: yaml-cpp issue 1040), emitting events forever; a text with more than kMaxYamlEvents events
// is refused (YamlBoundsError) before it is loaded. YAML::Exception for a text that is not YAML.
inline constexpr std::size_t kMaxYamlEvents = 2 * kMaxYamlValues + 64;
std::vector<YAML::Node> load_yaml_documents(const std::string& text);
// The one document of `text` (an empty text is a null node).
YAML::Node load_yaml(const std::string& text);

// Checks the whole of `root` against the bounds first (so nothing is built from a document that
// is then refused), throwing YamlBoundsError, then visits it. `source`, the document's text when
// there is one, lets a refusal name the anchor of a recursive alias ('*a').
void walk_yaml(const YAML::Node& root, YamlVisitor& visitor, std::string_view source = {});

}  // namespace runmock::contracts
