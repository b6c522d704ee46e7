// Guessing the dialect's auth from securitySchemes (see dialect_auth.h).
#include "import/dialect_auth.h"

#include <algorithm>
#include <cctype>

namespace runmock::import {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string text(const json& value) { return value.is_string() ? value.get<std::string>() : ""; }

ordered_json refusal(const std::string& what) { return {{"status", 401}, {"code", "UNAUTHORIZED"}, {"message", what + ": {reason}"}}; }

ordered_json none(Notes& notes, const std::string& why) {
  notes.guess("auth: none (" + why + ")");
  return {{"kind", "none"}};
}

// The requirements that apply to the create: its own, else the document's.
const json& requirements(const DocumentSet& set, const OperationInfo& create) {
  const json& own = member(Place{&set.main(), create.pointer}.value(), "security");
  return own.is_array() ? own : member(set.main().root(), "security");
}

ordered_json from_scheme(const std::string& name, const json& scheme, const std::string& others, Notes& notes) {
  const std::string type = text(member(scheme, "type"));
  const std::string said = "securitySchemes." + name + others;
  if (type == "http" && lower(text(member(scheme, "scheme"))) == "bearer") {
    notes.guess("auth: bearer, any non-empty token (" + said + ")");
    return {{"kind", "bearer"}, {"refuse", refusal("Authorization")}};
  }
  if (type == "http" && lower(text(member(scheme, "scheme"))) == "basic") {
    notes.guess("auth: basic (" + said + ")");
    return {{"kind", "basic"}, {"refuse", refusal("Authorization")}};
  }
  if (type == "apiKey" && text(member(scheme, "in")) == "header" && !text(member(scheme, "name")).empty()) {
    const std::string header = text(member(scheme, "name"));
    notes.guess("auth: api_key in the header " + header + " (" + said + ")");
    return {{"kind", "api_key"}, {"header", header}, {"refuse", refusal(header)}};
  }
  if (type == "oauth2" || type == "openIdConnect") {
    notes.guess("auth: bearer, any non-empty token (" + said + ": " + type + " tokens travel as Bearer tokens)");
    return {{"kind", "bearer"}, {"refuse", refusal("Authorization")}};
  }
  notes.cannot("auth: " + said + " (" + (type.empty() ? "no type" : type + " in " + text(member(scheme, "in"))) + ") cannot be played; no credential is asked");
  return {{"kind", "none"}};
}

}  // namespace

ordered_json guess_auth(const DocumentSet& set, const OperationInfo& create, Notes& notes) {
  const json& list = requirements(set, create);
  if (!list.is_array() || list.empty()) return none(notes, "no security is declared");
  for (const auto& requirement : list) {
    if (requirement.is_object() && requirement.empty()) return none(notes, "the security requirement {} makes credentials optional");
  }
  if (!list[0].is_object()) return none(notes, "the security requirement is not a mapping");
  const std::string name = list[0].begin().key();
  std::string others;
  for (std::size_t i = 1; i < list.size(); ++i) {
    if (list[i].is_object() && !list[i].empty()) others += (others.empty() ? "; not played: " : ", ") + list[i].begin().key();
  }
  Place scheme = set.follow(set.root().child("components").child("securitySchemes").child(name));
  if (!scheme.valid() || !scheme.value().is_object()) {
    notes.cannot("auth: the security scheme '" + name + "' is not in components.securitySchemes; no credential is asked");
    return {{"kind", "none"}};
  }
  return from_scheme(name, scheme.value(), others, notes);
}

}  // namespace runmock::import
